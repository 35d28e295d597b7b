"""The export's stored CSV lines (`customer_csv_lines`, docs/export.md): written by the
customer write path beside the stored documents (a `customers.hooks.REFRESH` entry), deleted
by triggers whenever a customer's row, address or external id changes (migration 0013)."""

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from custreg.customers.models import CustomerCsvLine
from custreg.db.base import table_of
from custreg.sync import export

_t = table_of(CustomerCsvLine)


def _upsert(dialect_name: str):
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite_dialect.insert
    stmt = insert(_t).values(customer_id=bindparam("cid"), line_format=bindparam("fmt"), line=bindparam("line"))
    return stmt.on_conflict_do_update(
        index_elements=[_t.c.customer_id], set_={"line_format": stmt.excluded.line_format, "line": stmt.excluded.line}
    )


_UPSERT = {name: _upsert(name) for name in ("postgresql", "sqlite")}


def store(session: Session, ids: list[int]) -> None:
    """Store the current lines of these customers."""
    conn = session.connection()
    lines = [{"cid": cid, "fmt": fmt, "line": line} for cid, fmt, line in export.line_texts(conn, ids)]
    if lines:
        conn.execute(_UPSERT[conn.dialect.name], lines)
