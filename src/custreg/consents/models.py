from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class Consent(Base):
    """The current marketing authorization of one channel (one row per customer and channel)."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("customer_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # `Customer.consents` is declared here so the customers domain need not know us.
    customer = relationship(
        "Customer",
        backref=backref("consents", cascade="all, delete-orphan", passive_deletes=True, order_by="Consent.channel"),
    )


class ConsentChange(Base):
    """Every change of a consent, kept when the consent itself is replaced or deleted."""

    __tablename__ = "consent_history"
    __table_args__ = (Index("ix_consent_history_customer_channel", "customer_id", "channel", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    change: Mapped[str] = mapped_column(String(10))  # GRANTED | WITHDRAWN | DELETED
    granted: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(200))
