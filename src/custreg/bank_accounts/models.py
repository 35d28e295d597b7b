import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class BankAccount(Base):
    """A customer's bank account: the IBAN and what is derived from it (BBAN, BIC, country)."""

    __tablename__ = "bank_accounts"
    __table_args__ = (
        Index("ix_bank_accounts_customer_id", "customer_id"),
        UniqueConstraint("customer_id", "iban"),
        # One default account per customer; the service unsets the old default first.
        Index(
            "uq_bank_accounts_default",
            "customer_id",
            unique=True,
            sqlite_where=text("default_account"),
            postgresql_where=text("default_account"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    account_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    iban: Mapped[str] = mapped_column(String(34))
    bban: Mapped[str] = mapped_column(String(30))
    bic: Mapped[str | None] = mapped_column(String(11))
    country_code: Mapped[str] = mapped_column(String(2))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    default_account: Mapped[bool] = mapped_column(Boolean, default=False)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # `Customer.bank_accounts` is declared here so the customers domain need not know us.
    customer = relationship(
        "Customer",
        backref=backref("bank_accounts", cascade="all, delete-orphan", passive_deletes=True, order_by="BankAccount.id"),
    )
