"""The change feed (contract section 8): positions, reading and compaction. Within a
company, positions are drawn in commit order (SQLite's BEGIN IMMEDIATE; on PostgreSQL the
write path's `customers.writer.lock_changes`), so a cursor never passes a change that
commits later (docs/sync.md, "Why a cursor never passes a change that commits later")."""

import datetime as dt

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, aliased

from custreg.customers.models import ChangeLog
from custreg.db.base import utcnow
from custreg.errors import BadRequest, DomainError
from custreg.sync.models import ChangeHorizon

MAX_LIMIT = 1000


class Gone(DomainError):
    status = 410
    code = "cursor_expired"


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor.strip() == "":
        return 0
    value = cursor.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) >= 2**63:
        raise BadRequest(
            "cursor is not a cursor of this feed", [{"field": "cursor", "message": "not a cursor of this feed"}]
        )
    return int(value)


def read(session: Session, company_id: int, cursor: str | None, limit: int) -> tuple[list, str]:
    """Changes after `cursor` (oldest first) and the cursor to continue from."""
    position = parse_cursor(cursor)
    if position > 0:
        horizon = session.scalar(select(ChangeHorizon.pruned_through).where(ChangeHorizon.company_id == company_id))
        if horizon is not None and position < horizon:
            raise Gone(
                "The cursor is older than the change feed's retention; resynchronize "
                "from the list or an export and follow the feed from its nextCursor",
                [{"field": "cursor", "message": "older than the retention"}],
            )
    rows = session.scalars(
        select(ChangeLog)
        .where(ChangeLog.company_id == company_id, ChangeLog.id > position)
        .order_by(ChangeLog.id)
        .limit(limit)
    ).all()
    next_cursor = str(rows[-1].id) if rows else (cursor.strip() if cursor and cursor.strip() else "0")
    return list(rows), next_cursor


def prune(session: Session, *, older_than: dt.datetime) -> int:
    """Compact the feed: remove entries older than `older_than` that a later entry of the
    same customer supersedes, and tombstones older than it. The newest entry of every live
    customer stays, so a mirror started from an empty cursor still sees every customer.
    The newest row of the table always stays (SQLite would reuse max(rowid) + 1).
    A company's horizon moves to its newest removed tombstone: only a cursor below it can
    have missed something (a delete); superseded upserts are followed by their successor."""
    later = aliased(ChangeLog)
    superseded = (
        exists()
        .where(
            later.company_id == ChangeLog.company_id,
            later.customer_guid == ChangeLog.customer_guid,
            later.id > ChangeLog.id,
        )
        .correlate(ChangeLog)
    )
    newest = session.scalar(select(func.max(ChangeLog.id))) or 0
    old = (ChangeLog.at < older_than) & (ChangeLog.id < newest)
    marks = session.execute(
        select(ChangeLog.company_id, func.max(ChangeLog.id))
        .where(old, ChangeLog.op == "delete")
        .group_by(ChangeLog.company_id)
    ).all()
    result = session.execute(
        delete(ChangeLog)
        .where(old, (ChangeLog.op == "delete") | superseded)
        .execution_options(synchronize_session=False)
    )
    for company_id, through in marks:
        horizon = session.get(ChangeHorizon, company_id)
        if horizon is None:
            session.add(ChangeHorizon(company_id=company_id, pruned_through=through, pruned_at=utcnow()))
        else:
            horizon.pruned_through = max(horizon.pruned_through, through)
            horizon.pruned_at = utcnow()
    session.flush()
    return getattr(result, "rowcount", 0) or 0
