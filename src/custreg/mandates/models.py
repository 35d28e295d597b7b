import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class DirectDebitMandate(Base):
    """A direct debit mandate (seed 002). Closing sets `closed_at`; the record stays."""

    __tablename__ = "direct_debit_mandates"
    __table_args__ = (Index("ix_direct_debit_mandates_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    mandate_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    direct_debit_mandate_type: Mapped[int] = mapped_column(Integer)
    receiving_bank_account_no: Mapped[str] = mapped_column(String(40))
    sending_bank_account_class: Mapped[int | None] = mapped_column(Integer)
    sending_bank_account_no: Mapped[str | None] = mapped_column(String(40))
    reference_no: Mapped[str | None] = mapped_column(String(50))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer",
        backref=backref(
            "direct_debit_mandates",
            cascade="all, delete-orphan",
            passive_deletes=True,
            order_by="DirectDebitMandate.id",
        ),
    )
