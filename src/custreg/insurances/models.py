import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class CreditInsurance(Base):
    """A credit insurance of a customer (seed 002)."""

    __tablename__ = "credit_insurances"
    __table_args__ = (Index("ix_credit_insurances_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    insurance_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    insurance_date: Mapped[date | None] = mapped_column(Date)
    insurance_company_reference_code: Mapped[str | None] = mapped_column(String(40))
    insurance_company_name: Mapped[str | None] = mapped_column(String(200))
    insurance_company_number: Mapped[str | None] = mapped_column(String(100))
    insurance_company_customer_number: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    end_date: Mapped[date | None] = mapped_column(Date)
    currency_code: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    extra_limit_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    extra_limit_end_date: Mapped[date | None] = mapped_column(Date)
    payment_term: Mapped[int | None] = mapped_column(Integer)
    grace_days: Mapped[int | None] = mapped_column(Integer)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer",
        backref=backref(
            "credit_insurances", cascade="all, delete-orphan", passive_deletes=True, order_by="CreditInsurance.id"
        ),
    )
