"""The outbox: the write path's events, written in the change's transaction
(`customers.hooks.EVENTS`, wired by bootstrap). A committed event is delivered at least once;
a rolled-back one never existed."""

import uuid

from sqlalchemy.orm import Session

from custreg.customers.hooks import Event
from custreg.db.base import table_of, utcnow
from custreg.db.inserts import Rows
from custreg.events.models import OutboxEvent

_TABLE = table_of(OutboxEvent)
COLUMNS = ("event_id", "company_id", "type", "customer_guid", "customer_number", "version", "at")


def emit(session: Session, events: list[Event]) -> None:
    """One outbox row per event: one multi-row INSERT (COPY on PostgreSQL) for an import's batch."""
    rows = Rows.of(session, _TABLE, COLUMNS)
    dialect = session.get_bind().dialect
    guid = _TABLE.c.customer_guid.type.bind_processor(dialect)
    at = rows.bind_time(utcnow())
    if guid is None:
        values = [
            (uuid.uuid4(), e.company_id, e.type, e.customer_guid, e.customer_number, e.version, at) for e in events
        ]
    else:
        values = [
            (guid(uuid.uuid4()), e.company_id, e.type, guid(e.customer_guid), e.customer_number, e.version, at)
            for e in events
        ]
    rows.write(session, values)
