import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow


class Erasure(Base):
    """The fact that a customer's personal data was erased: who, when, why (issue 26).
    Holds no personal data; outlives the customer."""

    __tablename__ = "erasures"
    __table_args__ = (Index("ix_erasures_company_id_customer_guid", "company_id", "customer_guid"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_number: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))  # "kind:subject"
    reason: Mapped[str] = mapped_column(String(500))
