"""Service definitions (name, URL, sealed secret) and their asynchronous invocations."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class ServiceDefinition(Base):
    __tablename__ = "service_definitions"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_service_definitions_company_id_name"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    service_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(Text)  # encrypted (events/signing.py)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceInvocation(Base):
    """One `async` call. `body`: the exact bytes every try sends; `answer`: the service's
    answer once done (at most ANSWER_LIMIT bytes)."""

    __tablename__ = "service_invocations"
    __table_args__ = (Index("ix_service_invocations_status_next_at", "status", "next_at"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    invocation_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service_definitions.id"), index=True)
    customer_guid: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, done, failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)  # of the last try
    answer: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
