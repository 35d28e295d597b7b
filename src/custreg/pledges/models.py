import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class Pledge(Base):
    """A guarantee or a collateral (seed 002), told apart by `pledge_kind`."""

    __tablename__ = "pledges"
    __table_args__ = (Index("ix_pledges_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    pledge_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    pledge_kind: Mapped[str] = mapped_column(String(12))  # GUARANTEE | COLLATERAL
    pledge_type: Mapped[int | None] = mapped_column(Integer)
    reference_number: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    currency_code: Mapped[str | None] = mapped_column(String(3))
    # guarantees
    guarantee_date: Mapped[date | None] = mapped_column(Date)
    original_guarantee_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    guarantee_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    valid_until: Mapped[date | None] = mapped_column(Date)
    guarantee_type: Mapped[int | None] = mapped_column(Integer)
    # collaterals
    pledge_date: Mapped[date | None] = mapped_column(Date)
    pledge_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    insurer: Mapped[str | None] = mapped_column(String(200))
    insurance_number: Mapped[str | None] = mapped_column(String(100))
    insured_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    insurance_expiry_date: Mapped[date | None] = mapped_column(Date)
    realized: Mapped[bool | None] = mapped_column(Boolean)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer", backref=backref("pledges", cascade="all, delete-orphan", passive_deletes=True, order_by="Pledge.id")
    )
