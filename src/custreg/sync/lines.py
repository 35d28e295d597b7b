"""The export's stored CSV lines (`customer_csv_lines`, docs/export.md): written by the
customer write path beside the stored documents (`store`, a `customers.hooks.REFRESH`
entry), deleted by triggers whenever a customer's row, address or external id changes
(migration 0013), stored for the customers that have none by `custreg lines` (`fill`)."""

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, and_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from custreg.customers.models import Customer, CustomerCsvLine
from custreg.db.base import table_of
from custreg.db.session import Database
from custreg.sync.csv_format import BATCH, COLUMN_EXPRESSIONS, LINE_FORMAT, csv_lines, rows

_Line = CustomerCsvLine
STORED = and_(_Line.customer_id == Customer.id, _Line.line_format == LINE_FORMAT)
# Built once: SQLAlchemy keeps the compiled form and its cache key with the statement (a
# new SELECT of 82 columns per call cost 10x the reading of one customer, on every write).
_BY_IDS = rows([Customer.id, *COLUMN_EXPRESSIONS], [Customer.id.in_(bindparam("ids", expanding=True))], [])


def formatted(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(customer id, CSV line with CRLF) of these customers (at most `BATCH`), from their
    columns, read on `conn` (in a writing transaction: its own rows)."""
    found = [(cid, values) for cid, *values in conn.execute(_BY_IDS, {"ids": list(ids)})]
    return list(zip([cid for cid, _v in found], csv_lines([values for _cid, values in found]), strict=True))


def _upsert(dialect_name: str):
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite_dialect.insert
    stmt = insert(table_of(CustomerCsvLine)).values(
        customer_id=bindparam("cid"), line_format=bindparam("fmt"), line=bindparam("line")
    )
    return stmt.on_conflict_do_update(
        index_elements=[_Line.customer_id], set_={"line_format": stmt.excluded.line_format, "line": stmt.excluded.line}
    )


_UPSERT = {name: _upsert(name) for name in ("postgresql", "sqlite")}


def store(session: Session, ids: list[int]) -> None:
    """Store the current lines of these customers (a line of another format is replaced)."""
    conn = session.connection()
    for i in range(0, len(ids), BATCH):
        values = [{"cid": cid, "fmt": LINE_FORMAT, "line": line} for cid, line in formatted(conn, ids[i : i + BATCH])]
        if values:
            conn.execute(_UPSERT[conn.dialect.name], values)


def fill(
    db: Database, company_id: int | None = None, batch: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Store the lines of the customers that have none of this LINE_FORMAT (a register
    from before migration 0013), `batch` customers per short write transaction; returns how
    many. PostgreSQL: the customers' rows are locked FOR SHARE, as a write of a customer or
    of its records locks the row first."""
    done, after = 0, 0
    while True:
        with db.session(write=True) as session:
            missing = (
                select(Customer.id)
                .outerjoin(_Line, STORED)
                .where(_Line.customer_id.is_(None), Customer.id > after)
                .order_by(Customer.id)
                .limit(batch)
            )
            if company_id is not None:  # "+ 0": walk the primary key, not the company's
                # index (SQLite then sorted the company's every row by id for each batch)
                missing = missing.where(Customer.company_id + 0 == company_id)
            if db.dialect == "postgresql":
                missing = missing.with_for_update(read=True, of=Customer)
            ids = list(session.scalars(missing))
            if not ids:
                return done
            store(session, ids)
            session.commit()
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(len(ids))
