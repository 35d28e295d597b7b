"""Tables of the sync domain: stored Idempotency-Key responses, the change feed's
compaction horizon (the change rows themselves are `customers.models.ChangeLog`) and the
back office's import jobs."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from custreg.db.base import Base, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class ChangeHorizon(Base):
    """Per company: the highest change-log position removed by compaction. A client whose
    cursor is below it may have missed a tombstone and must resynchronize (410)."""

    __tablename__ = "change_horizons"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportJob(Base):
    """A back-office import's state, shared by every worker (sync/jobs.py): the progress
    page may be served by a process other than the one running the import."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_company_id_created_at", "company_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    started_by: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)  # data lines in the file: the progress bar's scale
    done: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    failure: Mapped[str | None] = mapped_column(String(500))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    errors_not_kept: Mapped[int] = mapped_column(Integer, default=0)  # beyond jobs.KEPT_ERRORS
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportJobError(Base):
    """One error of a back-office import (its downloadable report), in file order."""

    __tablename__ = "import_job_errors"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
