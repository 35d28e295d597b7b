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

from sqlalchemy import Connection, Engine

from custreg.customers.models import Customer, CustomerCsvLine
from custreg.sync import dialects, lines
from custreg.sync.csv_format import BATCH, COLUMN_EXPRESSIONS, rows, text_of
from custreg.sync.xml_format import xml_customer, xml_escape

_Line = CustomerCsvLine


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


def csv_export(
    engine: Engine,
    where: list,
    order: list,
    id_chunks: Iterable[list[int]] | None = None,
    progress: Callable[[int], None] | None = None,
    dialect: dialects.Dialect = "rfc4180",
) -> Iterator[bytes]:
    """The CSV of the matching customers (header first), one chunk of UTF-8 per batch: the
    stored lines where there are, the others formatted from their columns; in the `excel`
    dialect re-written with `;` (sync/dialects.py)."""
    excel = dialect == "excel"
    yield dialects.header(dialect).encode("utf-8")
    statement = rows([Customer.id, _Line.line], [], order).outerjoin(_Line, lines.STORED)
    with _reading(engine) as conn:
        for batch in _batches(conn, statement, where, id_chunks):
            missing = [cid for cid, line in batch if line is None]
            formatted = dict(lines.formatted(conn, missing)) if missing else {}
            texts = [formatted[cid] if line is None else line for cid, line in batch]
            text = dialects.excel_text(texts) if excel else "".join(texts)
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
        f'<?xml version="1.0" encoding="UTF-8"?>\n<customers company="{xml_escape(cuid)}" exportedAt="{now}">\n'
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
