from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow


class Company(Base):
    """A tenant: its own register, number sequence and configuration."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    cuid: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(2))
    business_id: Mapped[str | None] = mapped_column(String(40))
    # The next customer number; taken with UPDATE ... RETURNING inside the writing
    # transaction, so numbers are unique under concurrency and a rolled-back create
    # consumes none.
    next_customer_number: Mapped[int] = mapped_column(BigInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
