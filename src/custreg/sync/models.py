"""Tables of the sync domain: stored Idempotency-Key responses and the change feed's
compaction horizon (the change rows themselves are `customers.models.ChangeLog`)."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow


class ChangeHorizon(Base):
    """Per company: the highest change-log position removed by compaction. A client whose
    cursor is below it may have missed a tombstone and must resynchronize (410)."""

    __tablename__ = "change_horizons"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
