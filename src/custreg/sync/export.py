"""CSV and XML export of a company's customers, streamed batch by batch (docs/export.md).

The rows come from a cursor on a connection of their own (PostgreSQL: a server-side cursor in
one read-only snapshot), fetched `FETCH` rows at a time as plain DBAPI tuples, and leave as
one chunk of bytes per batch from a sync generator that StreamingResponse runs in the
threadpool: memory stays flat for any register size, and no transaction is held by the
request's unit of work while the client reads.

Speed (1M customers × 81 columns): the work per cell is what costs, so it is kept out of
Python's per-cell loop.
- A customer's CSV line is stored when its document is (`line_texts`; triggers delete it on
  any change of its row, addresses or external ids): the CSV reads that one column where it
  is there, and the columns only for the other customers (docs/export.md, "Stored lines").
- On SQLite the database writes each row as one string, its cells joined by U+001F
  (`printf`), the typed columns already in their export text (GUIDs, date-times, dates,
  booleans: string functions in SQL; floats, decimals and JSON: a Python function).
- A batch of such lines (U+001E between rows) then gets the formula prefix and the CSV
  quotes from a few regular-expression passes over the whole batch, and the separators
  become `,` and CRLF. A batch holding either separator in its data (the API refuses control
  characters; another tool might not) is detected by counting them, and those rows are
  written cell by cell instead.
- From `PROCESS_FROM` matching customers in a SQLite file, the rows are read by a spawned
  process and sent through a pipe (`_process_batches`): a reading thread would need the GIL
  back after every row's step and take turns with the formatting (1M over HTTP: 17-19 s
  against 25-26 s).
- Elsewhere (PostgreSQL) the tuples are converted per typed column in Python and joined
  the same way. The XML is built with placeholder characters for its markup and escaped a
  batch at a time.
The output is byte for byte that of the per-cell definition (`text_of`, `neutralize`, the
csv module): tests/test_export_format.py.
"""

import csv
import datetime as dt
import io
import itertools
import json
import pickle
import queue
import re
import subprocess
import sys
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)

from custreg.addresses.models import Address
from custreg.customers.models import Customer, CustomerCsvLine
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields
from custreg.db.columns import snake
from custreg.db.driver import DriverStatement
from custreg.external_ids.models import ExternalId
from custreg.sync.export_reader import RS, US, odd_rows

BATCH = 500

# Every writable customer field that is a column of the customer or of its main address.
FIELD_COLUMNS = tuple(f for f in CustomerFields.model_fields if f in MAIN_ADDRESS_FIELDS or hasattr(Customer, snake(f)))
# The customer's first external id (as the full GET shows it); an import upserts by it.
EXTERNAL_COLUMNS = ("externalSystemId", "externalSystemIdentifier")
WRITABLE_COLUMNS = (*FIELD_COLUMNS, *EXTERNAL_COLUMNS)
READ_ONLY_COLUMNS = ("customerNumber", "regDate", "lastUpdatedAt", "version")
COLUMNS = ("customerGuid", "customerNumber", *WRITABLE_COLUMNS, "regDate", "lastUpdatedAt", "version")

# OWASP CSV injection: a cell starting with one of these would be run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
PLAIN_NEGATIVE = re.compile(r"-\d+(\.\d+)?(e-?\d+)?\Z")


def neutralize(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula, and to a cell that starts
    with `'` already, so that `unneutralize` (strip one leading `'`) undoes it exactly.
    A plain negative number (`-12.5`) is not a formula and stays as it is."""
    if not cell:
        return cell
    if cell[0] == "'" or (cell.startswith(FORMULA_START) and not PLAIN_NEGATIVE.match(cell)):
        return "'" + cell
    return cell


def unneutralize(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


PHONE_LIKE = re.compile(r"\+[0-9][0-9 ()./-]*\Z")


def is_formula(cell: str) -> bool:
    """A cell our export would have neutralized but that arrives raw: a spreadsheet would
    run it, so the import refuses it. Numbers and phones (`-12.5`, `+358 40 123`) pass."""
    return (
        bool(cell) and cell.startswith(FORMULA_START) and not PLAIN_NEGATIVE.match(cell) and not PHONE_LIKE.match(cell)
    )


def text_of(value: Any) -> str | None:
    """The canonical text of a stored value (shared by CSV and XML)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, (dt.date, uuid.UUID, Decimal, int)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _columns() -> list:
    cols = []
    for name in COLUMNS:
        if name == "externalSystemId":
            cols.append(ExternalId.external_system_id.label(name))
        elif name == "externalSystemIdentifier":
            cols.append(ExternalId.external_system_identifier.label(name))
        elif name in MAIN_ADDRESS_FIELDS:
            cols.append(getattr(Address, snake(name)).label(name))
        else:
            cols.append(getattr(Customer, snake(name)).label(name))
    return cols


def _statement(where: list, order: list):
    """Plain columns (no ORM objects: nothing to track, flat memory), one row per customer:
    its main address and its first external id joined in."""
    return _select(_columns(), where, order)


def _main_join():
    from custreg.customers.shape import MAIN_ADDRESS_JOIN

    return MAIN_ADDRESS_JOIN


def stream_records(
    engine: Engine, where: list, order: list, id_chunks: Iterable[list[int]] | None = None
) -> Iterator[dict[str, Any]]:
    """Matching customers as dicts, one at a time, in one read-only transaction (a
    server-side cursor fetched `BATCH` rows at a time). With `id_chunks`, only those
    customer ids, chunk by chunk."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn = conn.execution_options(stream_results=True, max_row_buffer=BATCH)
        chunks = [None] if id_chunks is None else id_chunks
        for chunk in chunks:
            clauses = where if chunk is None else [*where, Customer.id.in_(chunk)]
            result = conn.execute(_statement(clauses, order))
            for row in result.mappings():
                yield dict(row)
            result.close()
        conn.rollback()


# ---------------------------------------------------------------- raw rows

FETCH = 1000  # rows per fetch, and per chunk sent (≈ 300 KB of CSV)

TEXT, INT, BOOL, GUID, DATETIME, DATE, OTHER = "text", "int", "bool", "guid", "datetime", "date", "other"


def _kind(column, dialect, coltype) -> str:
    """How a column's DBAPI value becomes its export text: TEXT and INT values are written
    as they come; the others through their SQLAlchemy result processor and `text_of`
    (`_generic`), with faster exact paths for the common types."""
    from custreg.db.base import UTCDateTime

    t = column.type
    if isinstance(t, UTCDateTime):
        return DATETIME
    processor = t._cached_result_processor(dialect, coltype)
    if isinstance(t, String) and processor is None:
        return TEXT
    if isinstance(t, Integer) and not isinstance(t, Boolean) and processor is None:
        return INT
    if isinstance(t, Boolean):
        return BOOL
    if type(t).__name__ == "Uuid":
        return GUID
    if isinstance(t, Date) and not isinstance(t, DateTime):
        return DATE
    return OTHER


class _Plan:
    """Per dialect (and DBAPI column types, as the cursor describes them): each column's
    kind, result processor and exact converter DBAPI value → text."""

    def __init__(self, dialect, coltypes: tuple) -> None:
        self.columns = _columns()
        self.processors = [c.type._cached_result_processor(dialect, t) for c, t in zip(self.columns, coltypes)]
        self.kinds = [_kind(c, dialect, t) for c, t in zip(self.columns, coltypes)]
        self.convert: list[Callable[[Any], str | None]] = [
            _converter(c, k, dialect, p) for c, k, p in zip(self.columns, self.kinds, self.processors)
        ]
        # Columns whose DBAPI value is not already the text (converted in Python).
        self.typed = [(i, f) for i, (k, f) in enumerate(zip(self.kinds, self.convert)) if k != TEXT]


_PLANS: dict[tuple, _Plan] = {}


def _base_plan(dialect) -> _Plan:
    """The kinds of every column (psycopg's numeric processor needs a type code: 1700 =
    numeric; the raw columns' real types come from the cursor, `_converters`)."""
    return _plan(dialect, (1700,) * len(COLUMNS) if dialect.name == "postgresql" else None)


def _converters(dialect, base: _Plan, layout: list, description) -> list:
    """The Python converter of each raw item of `layout` (None for a run), the types as
    the cursor describes the items (`description` from the first item on)."""
    plan = base
    if dialect.name == "postgresql":
        coltypes = [1700] * len(COLUMNS)
        for k, d in zip(layout, description):
            if k is not None:
                coltypes[k] = d[1]
        plan = _plan(dialect, tuple(coltypes))
    return [None if k is None else plan.convert[k] for k in layout]


def _plan(dialect, coltypes: tuple | None = None) -> _Plan:
    key = (dialect.name, coltypes or (None,) * len(COLUMNS))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 16:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(dialect, key[1])
    return plan


def _generic(processor) -> Callable[[Any], str | None]:
    if processor is None:
        return lambda v: None if v is None else text_of(v)
    return lambda v: None if v is None else text_of(processor(v))


_JSON_MEMO: dict[Any, str | None] = {}
_SQLITE_DATETIME = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}")
# Values of the form above, none with a zero fraction, each followed by US.
_SQLITE_DATETIMES = re.compile("(?:[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.(?!000000)[0-9]{6}\x1f)*")


def _each(convert: Callable[[Any], str | None], values: list) -> list[str]:
    """A column of a batch as text cells ('' for NULL)."""
    return ["" if v is None else convert(v) or "" for v in values]


def _converter(column, kind: str, dialect, processor) -> Callable[[Any], str | None]:
    generic = _generic(processor)
    if kind == TEXT:
        return lambda v: v if v is None or type(v) is str else text_of(v)
    if kind == INT:
        return lambda v: str(v) if type(v) is int else generic(v)
    if kind == GUID and dialect.name != "sqlite":
        return lambda v: str(v) if type(v) is uuid.UUID else generic(v)
    if kind == GUID:  # SQLite: the 32 lowercase hex digits SQLAlchemy stores

        def guid(v):
            if type(v) is str and len(v) == 32 and not v.strip("0123456789abcdef"):
                return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
            return generic(v)

        return guid
    if kind == DATETIME and dialect.name == "sqlite":  # as stored: UTC, naive, 6 digits

        def datetime_text(v):
            if type(v) is str and _SQLITE_DATETIME.fullmatch(v) and not v.endswith("000000"):
                return v.replace(" ", "T") + "Z"
            return generic(v)  # isoformat leaves out a zero fraction

        def datetimes(values: list) -> list:  # a batch's column at once, when all canonical
            try:
                joined = US.join(values) + US
            except TypeError:  # None or not text
                return _each(datetime_text, values)
            if not _SQLITE_DATETIMES.fullmatch(joined):
                return _each(datetime_text, values)
            return joined.replace(" ", "T").replace(US, "Z" + US).split(US)[:-1]

        datetime_text.batch = datetimes
        return datetime_text
    if kind == OTHER and processor is None and isinstance(column.type, Float):

        def float_text(v):
            return repr(v) if type(v) is float else generic(v)

        def floats(values: list) -> list:
            if set(map(type, values)) == {float}:
                return list(map(repr, values))
            return _each(float_text, values)

        float_text.batch = floats
        return float_text
    if processor is not None and (kind == OTHER and "JSON" in type(column.type).__name__):

        def json_text(v):  # few distinct values (dimension codes): parse each once
            if type(v) is not str:
                return generic(v)
            t = _JSON_MEMO.get(v)
            if t is None:
                if len(_JSON_MEMO) > 4096:
                    _JSON_MEMO.clear()
                t = _JSON_MEMO[v] = generic(v)
            return t

        return json_text
    return generic


def _fetch(engine: Engine, statement, id_chunks, on_connection=None, on_result=None) -> Iterator[list]:
    """Batches of DBAPI tuples (no SQLAlchemy row processing), in one read-only transaction;
    PostgreSQL: a server-side cursor in one REPEATABLE READ snapshot."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn = conn.execution_options(stream_results=True, max_row_buffer=FETCH)
        if on_connection is not None:
            on_connection(conn)
        try:
            for chunk in [None] if id_chunks is None else id_chunks:
                result = conn.execute(statement if chunk is None else statement.where(Customer.id.in_(chunk)))
                if on_result is not None:
                    on_result(result)
                try:
                    while rows := result._fetchmany_impl(FETCH):  # the DBAPI's own tuples
                        yield rows
                finally:
                    result.close()
        finally:
            conn.rollback()


def _select(columns: list, where: list, order: list):
    first_id = (
        select(ExternalId.id)
        .where(ExternalId.customer_id == Customer.id)
        .order_by(ExternalId.id)
        .limit(1)
        .correlate(Customer)
        .scalar_subquery()
    )
    return (
        select(*columns)
        .select_from(Customer)
        .outerjoin(Address, _main_join())
        .outerjoin(ExternalId, ExternalId.id == first_id)
        .where(*where)
        .order_by(*order, Customer.customer_number)
    )


# ---------------------------------------------------------------- CSV

# US, RS (sync/export_reader.py): between cells, between rows, while a batch is assembled.
# `neutralize` as replacements after the separators: "'" first (the others add one), then
# "-" unless the cell is a plain negative number, then the other formula starts.
_STARTS = ("'", "-", *(c for c in FORMULA_START if c != "-"))
_MINUS = re.compile("[\x1e\x1f]-")
_CELL_END = re.compile("[\x1e\x1f]|\\Z")
# A character that makes the csv module quote its cell (QUOTE_MINIMAL).
_SPECIAL = re.compile('[,"\r\n]')


def _finish(lines: list[str]) -> str:
    """CSV text of lines whose cells are joined by US and hold no US/RS themselves."""
    return _marked(lines).replace(US, ",").replace(RS, "\r\n")[2:] + "\r\n"


def _finish_apart(lines: list[str]) -> list[str]:
    """`_finish`, one CSV line (with its CRLF) per line."""
    return [line + "\r\n" for line in _marked(lines).replace(US, ",")[1:].split(RS)]


def _marked(lines: list[str]) -> str:
    """RS, then the lines joined by RS with the formula prefixes and CSV quotes added."""
    text = RS + RS.join(lines)
    firsts = {line[:1] for line in lines}  # the first cells follow RS
    for ch in _STARTS:
        if ch == "-":
            if US + "-" in text or "-" in firsts:
                text = _negatives(text)
            continue
        old = US + ch
        if ch in text and old in text:  # the first test is a fast scan for one character
            text = text.replace(old, US + "'" + ch)
        if ch in firsts:
            text = text.replace(RS + ch, RS + "'" + ch)
    if '"' in text or "," in text or "\r" in text or "\n" in text:
        text = _quote(text)
    return text


def _negatives(text: str) -> str:
    """The "-" case of `neutralize`: a cell starting with "-" that is not a plain number."""
    parts, pos = [], 0
    for m in _MINUS.finditer(text):
        start = m.start() + 1
        end = _CELL_END.search(text, start).start()
        if not PLAIN_NEGATIVE.match(text, start, end):
            parts += (text[pos:start], "'")
            pos = start
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _quote(text: str) -> str:
    """Quote every cell holding a special character, doubling its quotes (csv module)."""
    parts, pos = [], 0
    for m in _SPECIAL.finditer(text):
        at = m.start()
        if at < pos:  # in the cell just quoted
            continue
        start = max(text.rfind(US, 0, at), text.rfind(RS, 0, at)) + 1
        end = _CELL_END.search(text, at).start()
        parts += (text[pos:start], '"', text[start:end].replace('"', '""'), '"')
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _slow_line(cells: list[str | None]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(["" if c is None else neutralize(c) for c in cells])
    return buf.getvalue()


def _clean(line: str, width: int) -> bool:
    return line.count(US) == width - 1 and RS not in line


def _csv_text(lines: list[str], width: int, cells_of: Callable[[int], list]) -> str:
    """`_finish` for a batch, rows whose data holds a separator written cell by cell."""
    text = RS.join(lines)
    if text.count(US) == len(lines) * (width - 1) and text.count(RS) == len(lines) - 1:
        return _finish(lines)
    return "".join(_csv_lines(lines, width, cells_of))


def _csv_lines(lines: list[str], width: int, cells_of: Callable[[int], list]) -> list[str]:
    """One CSV line (with its CRLF) per line: runs of clean lines by `_finish_apart`, a
    line whose data holds a separator cell by cell."""
    out, run = [], []
    for i, line in enumerate(lines):
        if _clean(line, width):
            run.append(line)
            continue
        if run:
            out += _finish_apart(run)
            run = []
        out.append(_slow_line(cells_of(i)))
    if run:
        out += _finish_apart(run)
    return out


def _sqlite_cell(plan: _Plan, i: int):
    """Column i as its export text, computed by SQLite (cheap string functions) where the
    stored form is the canonical one SQLAlchemy writes; else by `custreg_export_cell`, the
    column's exact Python converter. NULL stays NULL (printf writes it as nothing). None for
    the columns read as they are and converted in Python."""
    column, kind = plan.columns[i], plan.kinds[i]
    if kind == TEXT:
        return column
    s = type_coerce(column, String)
    slow = ((column.is_(None), None),)
    fallback = func.custreg_export_cell(literal_column(str(i)), column, type_=String)
    if kind == INT:
        fast = (func.typeof(column) == "integer", s)
    elif kind == BOOL:
        n = type_coerce(column, Integer)
        return case(
            (column.is_(None), None),
            (and_(func.typeof(column) == "integer", n == 1), literal("true", String)),
            (and_(func.typeof(column) == "integer", n == 0), literal("false", String)),
            else_=fallback,
        )
    elif kind == DATE:
        fast = (s.op("GLOB")("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"), s)
    else:  # GUIDs, date-times, floats, decimals, JSON, ...: read as they are, converted
        return None  # in Python by the formatting thread (SQLite's own thread is the busier)
    return case(*slow, fast, else_=fallback)


_SQLITE: list = []


def sqlite_cell_text(i: int, value):
    """`custreg_export_cell(i, value)` (db/sqlite_functions.py): column i's exact converter."""
    if not _SQLITE:
        from sqlalchemy.dialects import sqlite

        _SQLITE.append(_plan(sqlite.dialect(), None).convert)
    return _SQLITE[0][i](value)


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def _prefetched(batches: Iterator, depth: int = 4) -> Iterator:
    """The items of `batches`, made by a thread of their own while the caller works on the
    previous ones: SQLite computes the next rows (and psycopg waits for them) without the
    GIL, so the database's share and the formatting run on two cores. At most `depth`
    batches wait; stopping the caller stops the thread (and closes its connection)."""
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                pass
        return False

    def run() -> None:
        try:
            for item in batches:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:
            put(_Failed(exc))
        finally:
            batches.close()

    threading.Thread(target=run, name="custreg-export", daemon=True).start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()


def _pg_cell(plan: _Plan, i: int):
    """Column i as its export text computed by PostgreSQL ('' for NULL), or None for the
    columns converted in Python (floats, decimals, JSON, anything else)."""
    column, kind = plan.columns[i], plan.kinds[i]
    if kind == TEXT:
        return func.coalesce(column, "", type_=String)
    if kind in (INT, GUID):
        return func.coalesce(func.cast(column, String), "", type_=String)
    if kind == BOOL:
        return case(
            (column.is_(True), literal("true", String)),
            (column.is_(False), literal("false", String)),
            else_=literal("", String),
        )
    if kind == DATE:
        return func.coalesce(func.to_char(column, "YYYY-MM-DD", type_=String), "", type_=String)
    if kind == DATETIME:  # isoformat in UTC with Z; a zero fraction is left out
        utc = column.op("AT TIME ZONE")(literal("UTC", String))
        return case(
            (column.is_(None), literal("", String)),
            (func.to_char(utc, "US") == "000000", func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"', type_=String)),
            else_=func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"', type_=String),
        )
    return None


# A stored line's format: the columns (a new customer field adds one) and this version,
# raised when a cell's text changes. Lines of another format are not used.
LINE_VERSION = 1
LINE_FORMAT = zlib.crc32(f"{LINE_VERSION}:{','.join(COLUMNS)}".encode()) & 0x7FFF  # SMALLINT
_Line = CustomerCsvLine


def _line_statement(plan: _Plan, where: list, order: list, dialect: str, stored: bool = True):
    """The customer id, its stored line (`stored`: `customer_csv_lines`), then runs of
    columns as one text each (cells joined by US) and the columns converted in Python
    between them as they are: (statement, layout, widths), layout[k] = None for a run of
    widths[k] cells, else the column index of a raw value. With a stored line the rest of
    the row is NULL: the database does not read the columns (CASE evaluates lazily)."""
    cell_of = _sqlite_cell if dialect == "sqlite" else _pg_cell
    exprs, layout, widths, run = [Customer.id], [], [], []
    if stored:
        exprs.append(_Line.line)

    def close_run() -> None:
        if not run:
            return
        if dialect == "sqlite":
            text = func.printf(literal(US.join(["%s"] * len(run)), String), *run, type_=String)
        else:
            text = run[0]
            for cell in run[1:]:
                text = text + US + cell
        exprs.append(text)
        layout.append(None)
        widths.append(len(run))
        run.clear()

    for i in range(len(plan.columns)):
        cell = cell_of(plan, i)
        if cell is None:
            close_run()
            exprs.append(plan.columns[i])
            layout.append(i)
            widths.append(1)
        else:
            run.append(cell)
    close_run()
    if not stored:
        return _select(exprs, where, order), layout, widths
    exprs[2:] = [case((_Line.line.is_(None), e)) for e in exprs[2:]]
    statement = _select(exprs, where, order).outerjoin(
        _Line, and_(_Line.customer_id == Customer.id, _Line.line_format == LINE_FORMAT)
    )
    return statement, layout, widths


def _line_batches(engine: Engine, where: list, order: list, id_chunks) -> Iterator[tuple]:
    """(converters, rows, cells of the rows whose data holds a separator) per batch: the
    rows as `_line_statement` reads them; runs dirty with a separator are read again."""
    dialect = engine.dialect
    base = _base_plan(dialect)
    statement, layout, widths = _line_statement(base, where, order, dialect.name)
    runs = [(k + 2, widths[k]) for k, item in enumerate(layout) if item is None]
    separators = sum(w - 1 for _k, w in runs)  # US inside the runs of one row
    held: list = []
    convert: list = []

    def on_result(result) -> None:
        convert[:] = _converters(dialect, base, layout, result.cursor.description[2:])

    def cells_again(customer_id: int) -> list:
        return _cells_by_id(held[0], customer_id)

    for rows in _fetch(engine, statement, id_chunks, held.append, on_result):
        yield list(convert), rows, odd_rows(rows, runs, separators, cells_again, 1)


def _cells_by_id(conn, customer_id: int) -> list:
    """One customer's export cells, column by column through Python (a row whose data
    holds a separator: rare)."""
    result = conn.execute(_select(_columns(), [Customer.id == customer_id], []))
    plan = _plan(
        conn.dialect, tuple(d[1] for d in result.cursor.description) if conn.dialect.name != "sqlite" else None
    )
    return [f(v) for f, v in zip(plan.convert, result._fetchmany_impl(1)[0])]


PROCESS_FROM = 20_000  # matching customers from which SQLite's rows are read in a child


def _in_process(engine: Engine, where: list, order: list, id_chunks) -> bool:
    """Read in a child process? SQLite files only, whole exports of many customers."""
    if (
        engine.dialect.name != "sqlite"
        or id_chunks is not None
        or engine.url.database in (None, "", ":memory:")
        or PROCESS_FROM is None
    ):
        return False
    count = select(func.count()).select_from(_select([Customer.id], where, []).subquery())
    with engine.connect() as conn:
        return conn.execute(count).scalar_one() >= PROCESS_FROM


def _process_batches(engine: Engine, where: list, order: list) -> Iterator[tuple]:
    """`_line_batches`, read by `python -m custreg.sync.export_reader` (one read transaction
    of its own) and sent back pickled through a pipe. Why a process: the sqlite3 module
    takes the GIL back after every row's step, so a reading thread and the formatting take
    turns (a GIL convoy) instead of using both cores. Stopping the caller stops the process."""
    base = _plan(engine.dialect, None)
    statement, layout, widths = _line_statement(base, where, order, "sqlite")
    runs = [(k + 2, widths[k]) for k, item in enumerate(layout) if item is None]
    sql, params = DriverStatement(statement).bound(engine.dialect)
    by_id = DriverStatement(_select(base.columns, [Customer.id == bindparam("custreg_id", 0)], []))
    job = {
        "path": engine.url.database,
        "timeout": 10,
        "sql": sql,
        "params": list(params),
        "runs": runs,
        "separators": sum(w - 1 for _k, w in runs),
        "stored_at": 1,
        "by_id": (*by_id.bound(engine.dialect), by_id.position(engine.dialect, "custreg_id")),
    }
    convert = [None if k is None else base.convert[k] for k in layout]
    child = subprocess.Popen(
        [sys.executable, "-m", "custreg.sync.export_reader"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        pickle.dump(job, child.stdin)
        child.stdin.close()
        while (item := pickle.load(child.stdout)) is not None:
            if isinstance(item, dict):
                raise RuntimeError(f"export reader: {item['failed']}")
            rows, odd = item
            yield convert, rows, odd
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.terminate()
        child.wait()


def _python_batches(engine: Engine, where: list, order: list, id_chunks) -> Iterator[tuple[_Plan, list]]:
    """(plan, DBAPI tuples) per batch; the plan as the cursor describes the columns."""
    described = []

    def on_result(result) -> None:
        described.append(_plan(engine.dialect, tuple(d[1] for d in result.cursor.description)))

    for rows in _fetch(engine, _select(_columns(), where, order), id_chunks, on_result=on_result):
        yield described[-1], rows


def _live_lines(convert: list, rows: list, odd: dict, at: int) -> tuple[list[str], Callable]:
    """The rows' cells joined by US (`_line_statement`'s items from position `at`), and
    each row's cells for `_csv_text`'s rows whose data holds a separator."""
    columns = []  # column by column: one conversion per batch where possible
    for k, f in enumerate(convert, at):
        values = [r[k] for r in rows]
        if f is not None:
            batch = getattr(f, "batch", None)
            values = batch(values) if batch is not None else _each(f, values)
        columns.append(values)

    def cells(i: int) -> list:
        if i in odd:
            return odd[i]
        out: list = []
        for f, v in zip(convert, rows[i][at:]):
            if f is None:
                out += v.split(US)
            else:
                out.append(None if v is None else f(v))
        return out

    return list(map(US.join, zip(*columns))), cells


def _stored_or_live(convert: list, rows: list, odd: dict, width: int) -> str:
    """CSV text of a batch of `_line_statement` rows: stored lines as they are, the
    others formatted from their columns, in the rows' order."""
    if all(r[1] is not None for r in rows):
        return "".join([r[1] for r in rows])
    if all(r[1] is None for r in rows):
        lines, cells = _live_lines(convert, rows, odd, 2)
        return _csv_text(lines, width, cells)
    out = []
    for stored, group in itertools.groupby(enumerate(rows), key=lambda p: p[1][1] is not None):
        group = list(group)
        if stored:
            out.append("".join([r[1] for _i, r in group]))
            continue
        sub = [r for _i, r in group]
        lines, cells = _live_lines(convert, sub, {j: odd[i] for j, (i, _r) in enumerate(group) if i in odd}, 2)
        out.append(_csv_text(lines, width, cells))
    return "".join(out)


def line_texts(conn, ids: list[int]) -> list[tuple[int, int, str]]:
    """(customer id, LINE_FORMAT, its CSV line with CRLF) for `ids`, exactly as the export
    formats them from the columns, read on `conn` (a writing transaction: its own rows)."""
    if not ids:
        return []
    dialect = conn.dialect
    base = _base_plan(dialect)
    statement, layout, widths = _lines_by_range(dialect)
    wanted, rows, description = set(ids), [], None
    cursor = conn.connection.driver_connection.cursor()  # as bulk._Table: the driver's own
    try:
        for lo, hi in _spans(sorted(wanted)):  # one range scan per run of consecutive ids
            statement.execute(conn, {"custreg_lo": lo, "custreg_hi": hi}, cursor)
            description = description or cursor.description
            rows += [r for r in cursor.fetchall() if r[0] in wanted]
    finally:
        cursor.close()
    convert = _converters(dialect, base, layout, description[1:])
    runs = [(k + 1, widths[k]) for k, item in enumerate(layout) if item is None]

    odd = odd_rows(rows, runs, sum(w - 1 for _k, w in runs), lambda cid: _cells_by_id(conn, cid))
    lines, cells = _live_lines(convert, rows, odd, 1)
    return [(r[0], LINE_FORMAT, text) for r, text in zip(rows, _csv_lines(lines, len(COLUMNS), cells))]


def fill_lines(
    db, company_id: int | None = None, batch: int = FETCH, progress: Callable[[int], None] | None = None
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
                .outerjoin(_Line, and_(_Line.customer_id == Customer.id, _Line.line_format == LINE_FORMAT))
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
            from custreg.sync import lines  # TODO(merge): fill_lines moves to sync/lines.py

            lines.store(session, ids)
            session.commit()
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(len(ids))


def _spans(ids: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = ids[0]
    for i in ids[1:]:
        if i != prev + 1:
            yield start, prev
            start = i
        prev = i
    yield start, prev


_BY_RANGE: dict = {}


def _lines_by_range(dialect):
    """`_line_statement` of the customers with lo <= id <= hi, compiled once to the
    DBAPI's SQL text: (DriverStatement, layout, widths). Run on the driver's cursor:
    SQLAlchemy's cache key, parameters and result set-up for this statement (80 columns,
    a hundred literals) cost 3x SQLite's work for one customer."""
    key = dialect.name
    if key not in _BY_RANGE:
        statement, layout, widths = _line_statement(
            _base_plan(dialect),
            [Customer.id.between(bindparam("custreg_lo", 0), bindparam("custreg_hi", 0))],
            [],
            key,
            stored=False,
        )
        _BY_RANGE[key] = (DriverStatement(statement), layout, widths)
    return _BY_RANGE[key]


def csv_export(
    engine: Engine,
    where: list,
    order: list,
    id_chunks: Iterable[list[int]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV of the matching customers (header first), one chunk of UTF-8 per batch."""
    width = len(COLUMNS)
    yield (",".join(COLUMNS) + "\r\n").encode("utf-8")
    if engine.dialect.name in ("sqlite", "postgresql"):
        batches = (
            _process_batches(engine, where, order)
            if _in_process(engine, where, order, id_chunks)
            else _prefetched(_line_batches(engine, where, order, id_chunks))
        )
        for convert, rows, odd in batches:
            text = _stored_or_live(convert, rows, odd, width)
            if progress is not None:
                progress(len(rows))
            yield text.encode("utf-8")
        return
    for plan, rows in _prefetched(_python_batches(engine, where, order, id_chunks)):
        typed = plan.typed
        lines, converted = [], []
        for raw in rows:
            cells = list(raw)
            for i, f in typed:
                v = cells[i]
                if v is not None:
                    cells[i] = f(v)
            converted.append(cells)
            lines.append(US.join(["" if v is None else v for v in cells]))
        text = _csv_text(lines, width, converted.__getitem__)
        if progress is not None:
            progress(len(rows))
        yield text.encode("utf-8")


# ---------------------------------------------------------------- XML

_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;", "\t": "&#9;"}
_XML_ESCAPE_RE = re.compile(r"[&<>\"'\r\t]")
# Characters XML 1.0 cannot carry at all (the API refuses C0 controls; these remain).
_XML_INVALID = re.compile("[\ufffe\uffff\ud800-\udfff]")


def xml_escape(value: str) -> str:
    value = _XML_INVALID.sub("\ufffd", value)
    return _XML_ESCAPE_RE.sub(lambda m: _XML_ESCAPES[m.group()], value)


# Markup is written with these placeholders while a batch is escaped as one string.
LT, GT, QT = "\x02", "\x03", "\x04"
_MARKUP = re.compile("[\x02\x03\x04]")


def _xml_dimensions(value: Any, raw: bool) -> tuple[str, int, int]:
    """The <dimensions> element of a JSON value (raw: already escaped, real markup)."""
    lt, gt, qt, e = ("<", ">", '"', xml_escape) if raw else (LT, GT, QT, str)
    parts = [f"    {lt}dimensions{gt}\n"]
    for code in sorted(value):
        parts.append(f"      {lt}dimension code={qt}{e(str(code))}{qt}{gt}{e(str(value[code]))}{lt}/dimension{gt}\n")
    parts.append(f"    {lt}/dimensions{gt}\n")
    return "".join(parts), 2 + 2 * len(value), 2 * len(value)


def _escape_batch(text: str) -> str:
    for ch, ent in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&quot;"),
        ("'", "&apos;"),
        ("\r", "&#13;"),
        ("\t", "&#9;"),
    ):
        if ch in text:
            text = text.replace(ch, ent)
    if _XML_INVALID.search(text):
        text = _XML_INVALID.sub("\ufffd", text)
    return text.replace(LT, "<").replace(GT, ">").replace(QT, '"')


def xml_export(
    engine: Engine,
    where: list,
    order: list,
    cuid: str,
    id_chunks: Iterable[list[int]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    now = text_of(dt.datetime.now(dt.UTC))
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<customers company="{xml_escape(cuid)}" exportedAt="{now}">\n'
    ).encode()
    dims = COLUMNS.index("dimensions")
    plan, cols = None, []
    for batch_plan, rows in _prefetched(_python_batches(engine, where, order, id_chunks)):
        if batch_plan is not plan:
            plan = batch_plan
            dims_processor = plan.processors[dims]
            # (index, open tag, close tag, converter, is text) per column; placeholder markup.
            cols = [
                (i, f"    {LT}{n}{GT}", f"{LT}/{n}{GT}\n", plan.convert[i], plan.kinds[i] == TEXT)
                for i, n in enumerate(COLUMNS)
            ]
        parts, tags, quotes = [], 0, 0
        for raw in rows:
            parts.append(f"  {LT}customer{GT}\n")
            tags += 2
            for i, open_, close, f, is_text in cols:
                v = raw[i]
                if v is None:
                    continue
                if i == dims:
                    value = dims_processor(v) if dims_processor else v
                    if value is None:
                        continue
                    block, n, q = _xml_dimensions(value, raw=False)
                    parts.append(block)
                    tags += n
                    quotes += q
                    continue
                if not (is_text and type(v) is str):
                    v = f(v)
                    if v is None:
                        continue
                parts += (open_, v, close)
                tags += 2
            parts.append(f"  {LT}/customer{GT}\n")
        text = "".join(parts)
        if text.count(LT) == tags and text.count(GT) == tags and text.count(QT) == quotes:
            text = _escape_batch(text)
        else:  # data holding a placeholder character (written by another tool)
            text = "".join(_xml_row(plan, raw, dims, dims_processor) for raw in rows)
        if progress is not None:
            progress(len(rows))
        yield text.encode("utf-8")
    yield b"</customers>\n"


def _xml_row(plan: _Plan, raw: tuple, dims: int, dims_processor) -> str:
    parts = ["  <customer>\n"]
    for i, name in enumerate(COLUMNS):
        v = raw[i]
        if v is None:
            continue
        if i == dims:
            value = dims_processor(v) if dims_processor else v
            if value is not None:
                parts.append(_xml_dimensions(value, raw=True)[0])
            continue
        text = plan.convert[i](v)
        if text is not None:
            parts.append(f"    <{name}>{xml_escape(text)}</{name}>\n")
    parts.append("  </customer>\n")
    return "".join(parts)
