"""The outbox (`events`), webhook endpoints, deliveries and their attempts."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class OutboxEvent(Base):
    """One change, written by the write path in the change's transaction. `dispatched`: fanned
    out to the endpoints' deliveries; `published`: sent to the AMQP sink (or none configured)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_dispatched_id", "dispatched", "id"),
        Index("ix_events_published_id", "published", "id"),
        Index("ix_events_company_id_at", "company_id", "at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True)  # grows in commit order per company
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    type: Mapped[str] = mapped_column(String(60))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_number: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    endpoint_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    include_object: Mapped[bool] = mapped_column(Boolean, default=False)
    secret: Mapped[str] = mapped_column(Text)  # encrypted (events/signing.py)
    old_secret: Mapped[str | None] = mapped_column(Text)  # encrypted; signs too until old_secret_until
    old_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed tries
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One event for one endpoint. `body`: the exact bytes every try sends."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_at", "status", "next_at"),
        # Per-customer order: no try while an earlier event of the customer is pending.
        Index("ix_webhook_deliveries_order", "endpoint_id", "customer_guid", "status", "event_seq"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    delivery_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.id"))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, delivered, failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(String(1000))  # the first bytes of the answer
    error: Mapped[str | None] = mapped_column(String(500))
