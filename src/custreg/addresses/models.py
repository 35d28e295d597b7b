import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = (
        Index("ix_addresses_customer_id", "customer_id"),
        # One default address per type; the service unsets the old default first.
        Index(
            "uq_addresses_default_per_type",
            "customer_id",
            "address_type",
            unique=True,
            sqlite_where=text("default_address"),
            postgresql_where=text("default_address"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    address_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    address_type: Mapped[str] = mapped_column(String(40), default="LEGAL")
    full_name: Mapped[str | None] = mapped_column(String(255))
    care_of: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(200))
    house_no: Mapped[str | None] = mapped_column(String(20))
    house_no_extension: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    zip_code: Mapped[str | None] = mapped_column(String(20))
    state_code: Mapped[str | None] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(2))
    full_address: Mapped[str | None] = mapped_column(String(500))
    default_address: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    address_not_valid_date: Mapped[date | None] = mapped_column(Date)
    valid_override: Mapped[bool | None] = mapped_column(Boolean)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship("Customer", back_populates="addresses")
