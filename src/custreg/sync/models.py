"""Tables of the sync domain: stored Idempotency-Key responses and the change feed's
compaction horizon (the change rows themselves are `customers.models.ChangeLog`)."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow


class IdempotencyKey(Base):
    """The first response to a creating POST, per principal, company and key (24 h)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("principal", "scope", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    principal: Mapped[str] = mapped_column(String(200))  # "kind:subject"
    scope: Mapped[str] = mapped_column(String(40))  # the company's cuid, "" outside companies
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    status: Mapped[int | None] = mapped_column(Integer)  # None only inside the creating transaction
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChangeHorizon(Base):
    """Per company: the highest change-log position removed by compaction. A client whose
    cursor is below it may have missed a tombstone and must resynchronize (410)."""

    __tablename__ = "change_horizons"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
