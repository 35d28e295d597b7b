from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base


class RegisterCode(Base):
    """One configured code of a company's register (section 7): a customer group, a
    segment, a dimension (`parent` empty) or a dimension value (`parent` = its dimension)."""

    __tablename__ = "register_codes"
    __table_args__ = (
        UniqueConstraint("company_id", "category", "parent", "code"),
        Index("ix_register_codes_company_category", "company_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    category: Mapped[str] = mapped_column(String(40))
    parent: Mapped[str] = mapped_column(String(40), default="")
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class RegisterSettings(Base):
    """A company's register rules (issue 26); no row means the defaults."""

    __tablename__ = "register_settings"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    # Personal and business identity numbers unique within the company (create, update, import).
    unique_identity_numbers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Years an erasure waits after the customer's last financial record (bookkeeping law).
    financial_retention_years: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
