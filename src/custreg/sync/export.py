"""CSV and XML export of a company's customers, streamed batch by batch (docs/export.md).

The matching customers are read on a connection of the export's own (PostgreSQL: a
server-side cursor in one read-only snapshot; SQLite: one read transaction), `BATCH` at a
time, and leave as one chunk of bytes per batch from a sync generator that StreamingResponse
runs in the threadpool: memory stays flat for any register size, and no transaction is held
by the request's unit of work while the client reads.

The CSV serves each customer's stored line (`customer_csv_lines`, written with its stored
document; triggers delete it on any change of its row, addresses or external ids) and
formats the others from their columns with `csv_format.csv_lines`, the formatter that wrote
the stored ones: the bytes are the same either way.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select

from custreg.customers.models import Customer, CustomerCsvLine
from custreg.sync.csv_format import (
    COLUMN_EXPRESSIONS,
    COLUMNS,
    EXTERNAL_COLUMNS,
    FIELD_COLUMNS,
    FORMULA_START,
    LINE_FORMAT,
    LINE_VERSION,
    PHONE_LIKE,
    PLAIN_NEGATIVE,
    READ_ONLY_COLUMNS,
    WRITABLE_COLUMNS,
    csv_lines,
    is_formula,
    neutralize,
    rows,
    text_of,
    unneutralize,
)
from custreg.sync.xml_format import xml_customer, xml_escape

__all__ = [
    "BATCH",
    "COLUMNS",
    "EXTERNAL_COLUMNS",
    "FIELD_COLUMNS",
    "FORMULA_START",
    "LINE_FORMAT",
    "LINE_VERSION",
    "PHONE_LIKE",
    "PLAIN_NEGATIVE",
    "READ_ONLY_COLUMNS",
    "WRITABLE_COLUMNS",
    "csv_export",
    "fill_lines",
    "is_formula",
    "line_texts",
    "neutralize",
    "stream_records",
    "text_of",
    "unneutralize",
    "xml_escape",
    "xml_export",
]

BATCH = 1000  # customers per batch: per chunk sent (≈ 300 KB of CSV), per IN (...) of ids

_Line = CustomerCsvLine
_STORED = and_(_Line.customer_id == Customer.id, _Line.line_format == LINE_FORMAT)


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection in one read-only snapshot, rolled back at the end (PostgreSQL:
    REPEATABLE READ READ ONLY; SQLite: the engine's BEGIN at the first statement)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            yield conn
        finally:
            conn.rollback()


def _batches(conn: Connection, statement, where: list, id_chunks) -> Iterator[Sequence]:
    """The rows of `statement` restricted by `where` (and, with `id_chunks`, to each chunk of
    customer ids in turn), `BATCH` rows at a time from a streaming cursor."""
    for chunk in [None] if id_chunks is None else id_chunks:
        clauses = where if chunk is None else [*where, Customer.id.in_(chunk)]
        result = conn.execute(statement.where(*clauses), execution_options={"yield_per": BATCH})
        try:
            yield from result.partitions()
        finally:
            result.close()


# Built once: SQLAlchemy keeps the compiled form and its cache key with the statement (a
# new SELECT of 82 columns per call cost 10x the reading of one customer, on every write).
_BY_IDS = rows([Customer.id, *COLUMN_EXPRESSIONS], [Customer.id.in_(bindparam("ids", expanding=True))], [])


def _formatted(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(customer id, CSV line) of these customers (at most `BATCH`), from their columns."""
    found = conn.execute(_BY_IDS, {"ids": list(ids)})
    pairs = [(cid, values) for cid, *values in found]
    return list(zip([cid for cid, _v in pairs], csv_lines([values for _cid, values in pairs])))


def line_texts(conn: Connection, ids: list[int]) -> list[tuple[int, int, str]]:
    """(customer id, LINE_FORMAT, its CSV line with CRLF) for `ids`, exactly as the export
    writes them, read on `conn` (a writing transaction: its own rows)."""
    out = []
    for i in range(0, len(ids), BATCH):
        out += [(cid, LINE_FORMAT, line) for cid, line in _formatted(conn, ids[i : i + BATCH])]
    return out


def csv_export(
    engine: Engine,
    where: list,
    order: list,
    id_chunks: Iterable[list[int]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV of the matching customers (header first), one chunk of UTF-8 per batch: the
    stored lines where there are, the others formatted from their columns."""
    yield (",".join(COLUMNS) + "\r\n").encode("utf-8")
    statement = rows([Customer.id, _Line.line], [], order).outerjoin(_Line, _STORED)
    with _reading(engine) as conn:
        for batch in _batches(conn, statement, where, id_chunks):
            missing = [cid for cid, line in batch if line is None]
            formatted = dict(_formatted(conn, missing)) if missing else {}
            text = "".join([formatted[cid] if line is None else line for cid, line in batch])
            if progress is not None:
                progress(len(batch))
            yield text.encode("utf-8")


def xml_export(
    engine: Engine,
    where: list,
    order: list,
    cuid: str,
    id_chunks: Iterable[list[int]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The XML of the matching customers, one chunk of UTF-8 per batch."""
    now = text_of(dt.datetime.now(dt.UTC))
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<customers company="{xml_escape(cuid)}" exportedAt="{now}">\n'
    ).encode()
    with _reading(engine) as conn:
        for batch in _batches(conn, rows(COLUMN_EXPRESSIONS, [], order), where, id_chunks):
            text = "".join([xml_customer(values) for values in batch])
            if progress is not None:
                progress(len(batch))
            yield text.encode("utf-8")
    yield b"</customers>\n"


def stream_records(
    engine: Engine, where: list, order: list, id_chunks: Iterable[list[int]] | None = None
) -> Iterator[dict[str, Any]]:
    """Matching customers as dicts of COLUMNS, one at a time, in one read-only snapshot.
    With `id_chunks`, only those customer ids, chunk by chunk."""
    with _reading(engine) as conn:
        for batch in _batches(conn, rows(COLUMN_EXPRESSIONS, [], order), where, id_chunks):
            for row in batch:
                yield dict(row._mapping)


def fill_lines(
    db, company_id: int | None = None, batch: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Store the lines of the customers that have none of this LINE_FORMAT (a register
    from before migration 0013, rows an import wrote one by one), `batch` customers per
    short write transaction; returns how many. SQLite: the transaction holds the write lock
    from its first statement; PostgreSQL: the customers' rows are locked FOR SHARE, as an
    API write of a customer or of its records locks the row first."""
    done, after = 0, 0
    postgres = db.engine.dialect.name == "postgresql"
    while True:
        with db.session(write=True) as session:
            missing = (
                select(Customer.id)
                .outerjoin(_Line, _STORED)
                .where(_Line.customer_id.is_(None), Customer.id > after)
                .order_by(Customer.id)
                .limit(batch)
            )
            if company_id is not None:  # "+ 0": walk the primary key, not the company's
                # index (SQLite then sorted the company's every row by id for each batch)
                missing = missing.where(Customer.company_id + 0 == company_id)
            if postgres:
                missing = missing.with_for_update(read=True, of=Customer)
            ids = list(session.scalars(missing))
            if not ids:
                return done
            conn = session.connection()
            lines = line_texts(conn, ids)
            # A line of another format is replaced.
            conn.execute(delete(_Line).where(_Line.customer_id.in_(ids)))
            conn.execute(
                insert(_Line), [{"customer_id": c, "line_format": f, "line": t} for c, f, t in lines]
            )
            session.commit()
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(len(ids))
