from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class DuplicateCandidate(Base):
    """A pair of customers that may be one (`custreg duplicates` stores them; GET
    /customers/duplicates serves them). Gone with either customer."""

    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        Index("ix_duplicate_candidates_company_score", "company_id", "score"),
        Index("ix_duplicate_candidates_first_id", "first_id"),
        Index("ix_duplicate_candidates_second_id", "second_id"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    first_id: Mapped[int] = mapped_column(_ID, ForeignKey("customers.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(_ID, ForeignKey("customers.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
