"""CSV and XML export of a company's customers, streamed row by row (docs/export.md).

The rows come from a server-side cursor on a connection of their own (`stream_results`,
fetched in batches), iterated from a sync generator that StreamingResponse runs in the
threadpool: memory stays flat for any register size, and no transaction is held by the
request's unit of work while the client reads.
"""

import csv
import datetime as dt
import io
import json
import re
import uuid
from decimal import Decimal
from typing import Any, Iterable, Iterator

from sqlalchemy import Engine, select, text

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields
from custreg.db.columns import snake
from custreg.external_ids.models import ExternalId

BATCH = 500

# Every writable customer field that is a column of the customer or of its main address.
FIELD_COLUMNS = tuple(
    f for f in CustomerFields.model_fields
    if f in MAIN_ADDRESS_FIELDS or hasattr(Customer, snake(f))
)
# The customer's first external id (as the full GET shows it); an import upserts by it.
EXTERNAL_COLUMNS = ("externalSystemId", "externalSystemIdentifier")
WRITABLE_COLUMNS = (*FIELD_COLUMNS, *EXTERNAL_COLUMNS)
READ_ONLY_COLUMNS = ("customerNumber", "regDate", "lastUpdatedAt", "version")
COLUMNS = ("customerGuid", "customerNumber", *WRITABLE_COLUMNS, "regDate", "lastUpdatedAt",
           "version")

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
    return (bool(cell) and cell.startswith(FORMULA_START) and not PLAIN_NEGATIVE.match(cell)
            and not PHONE_LIKE.match(cell))


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
    first_id = (select(ExternalId.id).where(ExternalId.customer_id == Customer.id)
                .order_by(ExternalId.id).limit(1).correlate(Customer).scalar_subquery())
    return (select(*_columns())
            .select_from(Customer)
            .outerjoin(Address, _main_join())
            .outerjoin(ExternalId, ExternalId.id == first_id)
            .where(*where).order_by(*order, Customer.customer_number))


def _main_join():
    from custreg.customers.service import MAIN_ADDRESS_JOIN

    return MAIN_ADDRESS_JOIN


def stream_records(engine: Engine, where: list, order: list,
                   id_chunks: Iterable[list[int]] | None = None) -> Iterator[dict[str, Any]]:
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


# ---------------------------------------------------------------- CSV


_TRIGGERS = frozenset(FORMULA_START) | {"'"}


def csv_cells(rec: dict[str, Any]) -> list[str]:
    out = []
    for c in COLUMNS:
        v = rec[c]
        if v is None:
            out.append("")
            continue
        t = v if type(v) is str else text_of(v)
        out.append(neutralize(t) if t and t[0] in _TRIGGERS else t)
    return out


def csv_chunks(records: Iterable[dict[str, Any]], size: int = 64 * 1024) -> Iterator[bytes]:
    """UTF-8 bytes in chunks of about `size` (fewer, larger writes to the socket)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for rec in records:
        writer.writerow(csv_cells(rec))
        if buf.tell() >= size:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- XML

_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
                "\r": "&#13;", "\t": "&#9;"}
_XML_ESCAPE_RE = re.compile(r"[&<>\"'\r\t]")
# Characters XML 1.0 cannot carry at all (the API refuses C0 controls; these remain).
_XML_INVALID = re.compile("[\ufffe\uffff\ud800-\udfff]")


def xml_escape(value: str) -> str:
    value = _XML_INVALID.sub("\ufffd", value)
    return _XML_ESCAPE_RE.sub(lambda m: _XML_ESCAPES[m.group()], value)


def xml_customer(rec: dict[str, Any]) -> str:
    parts = ["  <customer>\n"]
    for name in COLUMNS:
        value = rec[name]
        if value is None:
            continue
        if name == "dimensions":
            parts.append("    <dimensions>\n")
            for code in sorted(value):
                parts.append(f'      <dimension code="{xml_escape(str(code))}">'
                             f"{xml_escape(str(value[code]))}</dimension>\n")
            parts.append("    </dimensions>\n")
        else:
            parts.append(f"    <{name}>{xml_escape(text_of(value))}</{name}>\n")
    parts.append("  </customer>\n")
    return "".join(parts)


def xml_chunks(records: Iterable[dict[str, Any]], cuid: str, size: int = 64 * 1024) -> Iterator[bytes]:
    now = text_of(dt.datetime.now(dt.UTC))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<customers company="{xml_escape(cuid)}" exportedAt="{now}">\n')
    parts, n = [head], len(head)
    for rec in records:
        text = xml_customer(rec)
        parts.append(text)
        n += len(text)
        if n >= size:
            yield "".join(parts).encode("utf-8")
            parts, n = [], 0
    parts.append("</customers>\n")
    yield "".join(parts).encode("utf-8")
