"""The export's columns and a customer's CSV line, written from its column values (docs/export.md).

One definition serves the CSV export, the stored lines (`customer_csv_lines`) and the import's
column names: each value as its canonical text (`text_of`), a cell a spreadsheet would run as
a formula prefixed with `'` (`neutralize`), the csv module's quoting, CRLF line ends.
"""

import csv
import datetime as dt
import json
import re
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields
from custreg.customers.shape import MAIN_ADDRESS_JOIN
from custreg.db.columns import snake
from custreg.external_ids.models import ExternalId

# Every writable customer field that is a column of the customer or of its main address.
FIELD_COLUMNS = tuple(f for f in CustomerFields.model_fields if f in MAIN_ADDRESS_FIELDS or hasattr(Customer, snake(f)))
# The customer's first external id (as the full GET shows it); an import upserts by it.
EXTERNAL_COLUMNS = ("externalSystemId", "externalSystemIdentifier")
# The main address's c/o and the default DELIVERY address (issue 24): address records, not
# customer fields; the import writes them through the addresses' record kind (sync/import_addresses.py).
DELIVERY_PARTS: tuple[str, ...] = (
    *("fullName", "careOf", "street", "houseNo", "houseNoExtension", "zipCode", "city", "stateCode", "countryCode"),
)
DELIVERY_COLUMNS = tuple("delivery" + p[0].upper() + p[1:] for p in DELIVERY_PARTS)
ADDRESS_COLUMNS = ("careOf", *DELIVERY_COLUMNS)
WRITABLE_COLUMNS = (*FIELD_COLUMNS, *EXTERNAL_COLUMNS, *ADDRESS_COLUMNS)
READ_ONLY_COLUMNS = ("customerNumber", "regDate", "lastUpdatedAt", "version")
COLUMNS = ("customerGuid", "customerNumber", *WRITABLE_COLUMNS, "regDate", "lastUpdatedAt", "version")

# A stored line's format: the columns (a new customer field adds one) and this version,
# raised when a cell's text changes. Lines of another format are not used.
BATCH = 1000  # customers per batch: per chunk of an export (≈ 300 KB of CSV), per IN (...) of ids
LINE_VERSION = 1
LINE_FORMAT = zlib.crc32(f"{LINE_VERSION}:{','.join(COLUMNS)}".encode()) & 0x7FFF  # SMALLINT

# OWASP CSV injection: a cell starting with one of these would be run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
PLAIN_NEGATIVE = re.compile(r"-\d+(\.\d+)?(e-?\d+)?\Z")
PHONE_LIKE = re.compile(r"\+[0-9][0-9 ()./-]*\Z")
LEADING_SPACE = re.compile(r"\A[\s\u200b\u2060\ufeff]+")  # \s: no-break spaces too
_NEUTRALIZED_START = frozenset((*FORMULA_START, "'"))  # each one character


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


def is_formula(cell: str) -> bool:
    """A cell our export would have neutralized but that arrives raw: a spreadsheet would
    run it, so the import refuses it. Numbers and phones (`-12.5`, `+358 40 123`) pass.
    Leading white space (no-break and zero-width spaces too) is skipped, as spreadsheets do."""
    return _formula(cell) or _formula(LEADING_SPACE.sub("", cell))


def _formula(cell: str) -> bool:
    return (
        bool(cell) and cell.startswith(FORMULA_START) and not PLAIN_NEGATIVE.match(cell) and not PHONE_LIKE.match(cell)
    )


def datetime_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _json_text(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# `text_of` by exact type: the common values in one lookup (the export calls it per cell).
_TEXT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    bool: lambda value: "true" if value else "false",
    dt.datetime: datetime_text,
    dt.date: str,
    uuid.UUID: str,
    Decimal: str,
    int: str,
    float: repr,
    dict: _json_text,
}


def text_of(value: Any) -> str | None:
    """The canonical text of a stored value (shared by CSV and XML)."""
    if value is None:
        return None
    convert = _TEXT_BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, (dt.date, uuid.UUID, Decimal, int)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return _json_text(value)
    return str(value)


Delivery = aliased(Address, name="delivery")
DELIVERY_JOIN = and_(
    Delivery.customer_id == Customer.id, Delivery.address_type == "DELIVERY", Delivery.default_address.is_(True)
)
_DELIVERY_PART = dict(zip(DELIVERY_COLUMNS, DELIVERY_PARTS, strict=True))


def _column(name: str):
    if name == "careOf":
        return Address.care_of.label(name)
    if name in _DELIVERY_PART:
        return getattr(Delivery, snake(_DELIVERY_PART[name])).label(name)
    if name == "externalSystemId":
        return ExternalId.external_system_id.label(name)
    if name == "externalSystemIdentifier":
        return ExternalId.external_system_identifier.label(name)
    if name in MAIN_ADDRESS_FIELDS:
        return getattr(Address, snake(name)).label(name)
    return getattr(Customer, snake(name)).label(name)


# The SQLAlchemy column of each of COLUMNS, in order (`rows` joins their tables).
COLUMN_EXPRESSIONS = tuple(_column(name) for name in COLUMNS)


def rows(columns: Sequence, where: Sequence, order: Sequence) -> Select:
    """SELECT `columns` of the matching customers, one row per customer (its main address,
    its default DELIVERY address and its first external id joined in), in `order` then by
    customer number."""
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
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .outerjoin(Delivery, DELIVERY_JOIN)
        .outerjoin(ExternalId, ExternalId.id == first_id)
        .where(*where)
        .order_by(*order, Customer.customer_number)
    )


def _cell(value: Any) -> str:
    text = value if type(value) is str else text_of(value) or ""
    return neutralize(text) if text[:1] in _NEUTRALIZED_START else text


def cells(values: Iterable[Any]) -> list[str]:
    """A customer's CSV cells from its values in COLUMNS order: text, '' for NULL, neutralized."""
    # The common cells (NULL, text that needs no prefix) without a call: 81 a customer.
    return ["" if v is None else v if type(v) is str and v[:1] not in _NEUTRALIZED_START else _cell(v) for v in values]


def csv_lines(value_rows: Iterable[Iterable[Any]]) -> list[str]:
    """One CSV line (with its CRLF) per row of values in COLUMNS order (the csv module's
    quoting: a cell holding `,` `"` CR or LF is quoted, its quotes doubled)."""
    lines: list[str] = []
    writer = csv.writer(SimpleNamespace(write=lines.append), lineterminator="\r\n")
    writer.writerows(cells(values) for values in value_rows)  # one write() per row
    return lines
