"""The export's stored CSV lines (`customer_csv_lines`, docs/export.md): written by the
customer write path beside the stored documents (`StoredLines`, a `customers.hooks.COPIES`
entry), deleted by triggers whenever a customer's row, address or external id changes
(migration 0013), stored for the customers that have none by `custreg lines` (`fill`)."""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import Connection, and_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from custreg.customers.models import Customer, CustomerCsvLine
from custreg.customers.shape import ADDRESS_FIELDS, VALUE_FIELDS
from custreg.db.base import table_of
from custreg.db.columns import snake
from custreg.db.inserts import Rows
from custreg.db.session import Database
from custreg.sync.csv_format import (
    ADDRESS_COLUMNS,
    BATCH,
    COLUMN_EXPRESSIONS,
    FIELD_COLUMNS,
    LINE_FORMAT,
    csv_lines,
    datetime_text,
    rows,
)

_Line = CustomerCsvLine
STORED = and_(_Line.customer_id == Customer.id, _Line.line_format == LINE_FORMAT)
# Built once: SQLAlchemy keeps the compiled form and its cache key with the statement (a
# new SELECT of 92 columns per call cost 10x the reading of one customer, on every write).
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


NUMBER_MARK, TIME_MARK = "\x01", "\x02"  # no cell holds a control character (fields.clean_text)
# Decimal columns: the scale the database gives them back with (Numeric(…, 2) → "10.00").
_SCALES = {snake(f): getattr(Customer.__table__.c[snake(f)].type, "scale", None) for f in VALUE_FIELDS}
_QUANTUM = {
    i: Decimal(1).scaleb(-scale) for i, f in enumerate(VALUE_FIELDS) if isinstance(scale := _SCALES[snake(f)], int)
}
# FIELD_COLUMNS' places in (*VALUE_FIELDS' values, excluded, *ADDRESS_FIELDS' values).
_PICK = itemgetter(
    *(
        VALUE_FIELDS.index(f)
        if f in VALUE_FIELDS
        else len(VALUE_FIELDS)
        if f == "excluded"
        else len(VALUE_FIELDS) + 1 + ADDRESS_FIELDS.index(f)
        for f in FIELD_COLUMNS
    )
)
_NO_ADDRESS = (None,) * len(ADDRESS_FIELDS)
# A new customer's c/o and DELIVERY columns: its records come later (a NESTED address's
# insert deletes the line, by the trigger of migration 0013), so they are empty here.
_NO_RECORDS = (None,) * len(ADDRESS_COLUMNS)


class StoredLines:
    """The stored lines as a copy the customer write path keeps (customers.hooks.COPIES)."""

    @staticmethod
    def refresh(session: Session, ids: list[int]) -> None:
        """Changed customers: their lines from their columns."""
        store(session, ids)

    @staticmethod
    def render(guid, values: tuple, excluded: bool, address: tuple | None, external: tuple | None) -> str | None:
        """A new customer's line from the values the write path stores (customers.rows.prepare,
        in the import's worker processes too): VALUE_FIELDS' values, its main address (GUID
        first) and external id (GUID, system, identifier), each as the database gives it back;
        the number and the times are left as marks for `store_new`. None when a value would
        not come back the same (then the export formats the customer from its columns)."""
        for i, quantum in _QUANTUM.items():
            value = values[i]
            if value is not None:
                value = value.quantize(quantum)
                if Decimal(str(float(value))).quantize(quantum) != value:
                    return None  # a REAL (SQLite) would give back another number
                values = (*values[:i], value, *values[i + 1 :])
        fields = _PICK((*values, excluded, *(_NO_ADDRESS if address is None else address[1:])))
        ext = (None, None) if external is None else external[1:]
        cells = (guid, NUMBER_MARK, *fields, *ext, *_NO_RECORDS, TIME_MARK, TIME_MARK, 1)
        line = csv_lines([cells])[0]
        return line if line.count(NUMBER_MARK) == 1 and line.count(TIME_MARK) == 2 else None

    @staticmethod
    def store_new(session: Session, rendered: list[tuple[int, int, str]], when: dt.datetime) -> None:
        """Store the lines `render` made: (customer id, customer number, rendered line)."""
        at = datetime_text(when)
        Rows.of(session, table_of(CustomerCsvLine), ("customer_id", "line_format", "line")).write(
            session,
            [
                (cid, LINE_FORMAT, line.replace(NUMBER_MARK, str(number)).replace(TIME_MARK, at))
                for cid, number, line in rendered
            ],
        )


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
