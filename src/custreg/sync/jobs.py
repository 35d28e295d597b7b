"""A back-office import's state in the database (table `import_jobs`), so that any worker
process answers its progress, its report and its error report, not only the one running it.

The import (sync/importer.run, valid-rows mode) commits every COMMIT_EVERY rows; the
progress and the errors seen so far are written in the import's own transaction once per
batch (`Progress.stage`), so they become visible with the batch they describe: one UPDATE
and one multi-row INSERT per batch, never a write per row, and no second connection
(SQLite has one writer at a time: a second connection would wait for the import's own lock)."""

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.db.base import table_of, utcnow
from custreg.sync.importer import COMMIT_EVERY
from custreg.sync.models import ImportJob, ImportJobError

KEPT_JOBS = 20  # finished imports kept per company (their reports), the newest
KEPT_DAYS = 7  # and none older than this
KEPT_ERRORS = 10_000  # error lines kept per import; beyond, only counted
# An unfinished import whose state has not changed for this long was interrupted (its
# process ended): a batch is written within seconds.
STALE = dt.timedelta(minutes=15)


def start(session: Session, company: Company, job_id: str, rows: int, started_by: str) -> None:
    """Record a new import of `rows` data lines, and forget the company's old ones (at most
    KEPT_JOBS + 1 imports of KEPT_ERRORS lines each: bounded work)."""
    kept = select(ImportJob.id).where(ImportJob.company_id == company.id).order_by(ImportJob.created_at.desc())
    newest = set(session.scalars(kept.limit(KEPT_JOBS)))
    old = [
        j
        for j, finished, created in session.execute(
            select(ImportJob.id, ImportJob.finished, ImportJob.created_at)
            .where(ImportJob.company_id == company.id)
            .order_by(ImportJob.created_at)
            .limit(KEPT_JOBS + 50)
        )
        if finished and (j not in newest or created < utcnow() - dt.timedelta(days=KEPT_DAYS))
    ]
    if old:
        session.execute(delete(ImportJobError).where(ImportJobError.job_id.in_(old)))
        session.execute(delete(ImportJob).where(ImportJob.id.in_(old)))
    session.add(ImportJob(id=job_id, company_id=company.id, started_by=started_by, rows=rows))
    session.flush()


class Progress:
    """The running import's side: `row` and `error` are the importer's callbacks (`progress`,
    `on_error`); every COMMIT_EVERY rows `stage` writes what changed into the transaction."""

    def __init__(self, session: Session, job_id: str) -> None:
        self.session = session
        self.job_id = job_id
        self.done = 0
        self.errors: list[dict[str, Any]] = []  # not yet written
        self.kept = 0
        self.not_kept = 0
        self._staged = 0

    def row(self, row: int) -> None:
        self.done = max(0, row - 1)  # the header is row 1
        if self.done - self._staged >= COMMIT_EVERY:
            self.stage()

    def error(self, row: int, field: str, message: str) -> None:
        if self.kept < KEPT_ERRORS:
            self.kept += 1
            self.errors.append({"job_id": self.job_id, "row": row, "field": field[:200], "message": message})
        else:
            self.not_kept += 1

    def stage(self, **final: Any) -> None:
        """Write the progress (and `final`: finished, report, failure) into the session's
        transaction; it is seen when that commits."""
        connection = self.session.connection()  # Core statements: no ORM flush in between
        if self.errors:
            connection.execute(insert(table_of(ImportJobError)), self.errors)
            self.errors = []
        values = {"done": self.done, "errors_not_kept": self.not_kept, "updated_at": utcnow(), **final}
        connection.execute(update(table_of(ImportJob)).where(table_of(ImportJob).c.id == self.job_id).values(values))
        self._staged = self.done


def finish(session: Session, progress: Progress, report: dict[str, Any] | None, failure: str | None) -> None:
    """The import's outcome: its report, or why it failed (in a transaction of its own after
    a rollback; errors not yet written are written now)."""
    progress.session = session
    progress.stage(finished=True, report=report, failure=None if failure is None else failure[:500])


def state(session: Session, company: Company, job_id: str) -> dict[str, Any] | None:
    """What the progress page shows (None: no such import of this company)."""
    job = session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.company_id == company.id))
    if job is None:
        return None
    failure = job.failure
    if not job.finished and job.updated_at < utcnow() - STALE:
        failure = "interrupted"
    return {
        "id": job.id,
        "rows": job.rows,
        "done": job.rows if job.finished and failure is None else job.done,
        "finished": job.finished or failure is not None,
        "report": job.report,
        "failure": failure,
        "errorsNotKept": job.errors_not_kept,
    }


def errors(session: Session, job_id: str) -> list[tuple[int, str, str]]:
    """The import's kept errors (at most KEPT_ERRORS) in the order they were met: row, field, message."""
    rows = session.execute(
        select(ImportJobError.row, ImportJobError.field, ImportJobError.message)
        .where(ImportJobError.job_id == job_id)
        .order_by(ImportJobError.id)
        .limit(KEPT_ERRORS)
    )
    return [(r, f, m) for r, f, m in rows]
