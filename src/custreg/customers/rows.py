"""A new customer, validated and made ready to write (`prepare` → `New`).

Every create takes this: `POST /customers` prepares one, the CSV import prepares each row
(in its worker processes for a large file), the compatibility APIs prepare theirs. `prepare`
runs every rule that needs no database (validation.normalize, the register's codes, the
external id pair) and builds the rows' values in the driver's form (`Binder`), the search
text and the stored document, so that customers/writer.py only adds ids, numbers and times.
Pure: no database, so it runs in worker processes too.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import audit, document, identifiers, search, validation
from custreg.customers.models import AuditEntry, Customer
from custreg.customers.shape import ADDRESS_FIELDS, CUSTOMER_FIELDS, SEARCH_ADDRESS_FIELDS, SEARCH_FIELDS, VALUE_FIELDS
from custreg.db.base import table_of
from custreg.db.columns import snake
from custreg.db.engine import json_text
from custreg.errors import DomainError, FieldErrors
from custreg.external_ids.models import ExternalId
from custreg.external_ids.schemas import pair as external_pair
from custreg.register import service as register
from custreg.register.models import RegisterCode

_NONE_FIELDS = dict.fromkeys((*CUSTOMER_FIELDS, *ADDRESS_FIELDS))


@dataclass(slots=True)
class New:
    """A validated new customer: `values` (normalized, camelCase, None left out), the rows'
    values in the driver's form (`customer`: VALUE_FIELDS + excluded + full name given;
    `address`: its GUID + ADDRESS_FIELDS, or None), the external id `pair` and its GUID,
    the search text without the number, and the stored document with its number and times
    left as marks (document.finish)."""

    row: int
    guid: uuid.UUID
    guid_db: Any
    values: dict[str, Any]
    pair: tuple[int, str] | None
    customer: tuple
    address: tuple | None
    search_tail: str
    document: str | None
    external_guid: Any
    audit: list[tuple[str, Any]]  # (resource, changes in the driver's form) of its create entries
    copies: tuple[str | None, ...]  # hooks.COPIES' texts of it, rendered with marks
    raw: Any = None  # the importer's: the row as read, to retry it alone

    def __reduce__(self) -> tuple:
        """Pickled as its fields in order: the import's workers send thousands a second."""
        return (New, tuple(getattr(self, name) for name in self.__slots__))

    def hook_values(self) -> dict[str, Any]:
        """What the APPLY and CREATED hooks get: every field, None where not given."""
        return {**_NONE_FIELDS, **self.values}


class Binder:
    """The column types' own bind conversions (their public `bind_processor`) for the
    columns `prepare` fills: on SQLite the worker hands over driver-ready values; COPY on
    PostgreSQL takes Python values, JSON as its text (db.engine.json_text, the engines' own),
    made where the row is prepared (in the import's workers) rather than by the writer."""

    def __init__(self, dialect_name: str) -> None:
        self.postgres = dialect_name == "postgresql"
        dialect = postgresql.dialect() if self.postgres else sqlite_dialect.dialect(json_serializer=json_text)
        c, a = Customer.__table__.c, Address.__table__.c
        names = [snake(f) for f in VALUE_FIELDS] + ["excluded", "full_name_given"]
        self.customer = self._converter([c[n].type for n in names], dialect)
        self.address = self._converter([a["address_guid"].type] + [a[snake(f)].type for f in ADDRESS_FIELDS], dialect)
        self.uuid = self._converter([c["customer_guid"].type], dialect)
        self.json = self._converter([table_of(AuditEntry).c.changes.type], dialect)

    def _converter(self, types, dialect):
        convert = []
        for i, t in enumerate(types):
            if self.postgres:
                if isinstance(t, JSON):
                    convert.append((i, json_text))
            else:
                p = t.bind_processor(dialect)
                if p is not None:
                    convert.append((i, p))

        def apply(values: tuple) -> tuple:
            if not convert:
                return values
            out = list(values)
            for i, p in convert:
                if out[i] is not None:
                    out[i] = p(out[i])
            return tuple(out)

        return apply

    def guid(self, value):
        return self.uuid((value,))[0]

    def changes(self, value):
        return self.json((value,))[0]


_BINDERS: dict[str, Binder] = {}


def binder_for(dialect_name: str) -> Binder:
    """The Binder of a dialect, built once."""
    if dialect_name not in _BINDERS:
        _BINDERS[dialect_name] = Binder(dialect_name)
    return _BINDERS[dialect_name]


class Codes:
    """The company's register codes and the rule that a coded field names a configured
    code (create and update alike): read once (an import) or on first use (LazyCodes)."""

    def __init__(self, known: dict[tuple[str, str], set[str]]) -> None:
        self.known = defaultdict(set, known)

    @classmethod
    def read(cls, session: Session, company: Company) -> dict[tuple[str, str], set[str]]:
        known: dict[tuple[str, str], set[str]] = defaultdict(set)
        rows = session.execute(
            select(RegisterCode.category, RegisterCode.parent, RegisterCode.code).where(
                RegisterCode.company_id == company.id
            )
        )
        for category, parent, code in rows:
            known[(category, parent)].add(code)
        return dict(known)

    @classmethod
    def of(cls, session: Session, company: Company) -> "Codes":
        return cls(cls.read(session, company))

    def check_customer(self, v: dict[str, Any], errors: FieldErrors) -> None:
        for f, category in register.CODED_FIELDS.items():
            code = v.get(f)
            if code and code not in self.known[(category, "")]:
                errors.add(f, f"{code!r} is not a configured code of {category}")
        for dim, value in (v.get("dimensions") or {}).items():
            if dim not in self.known[("dimensions", "")]:
                errors.add(f"dimensions.{dim}", f"{dim!r} is not a configured dimension")
            elif value not in self.known[(register.DIMENSION_VALUES, dim)]:
                errors.add(f"dimensions.{dim}", f"{value!r} is not a value of dimension {dim}")

    def check(self, category: str, code: str, field: str, errors: FieldErrors) -> None:
        if code not in self.known[(category, "")]:
            errors.add(field, f"{code!r} is not a configured code of {category}")


class LazyCodes(Codes):
    """Codes read on first use: a customer that names no code costs no query."""

    def __init__(self, session: Session, company: Company) -> None:
        self._source = (session, company)  # `known` is read by __getattr__ on first use

    def __getattr__(self, name: str) -> Any:
        if name != "known":
            raise AttributeError(name)
        self.known = defaultdict(set, Codes.read(*self._source))
        return self.known


def search_text(number: int, v: dict[str, Any]) -> str:
    """The customer's search text (customers.search) from its API values."""
    parts = [str(number), *(v.get(f) or "" for f in SEARCH_FIELDS)]
    parts += [v.get(f) or "" for f in SEARCH_ADDRESS_FIELDS]
    return search.document_text(
        parts,
        phones=[v.get("homePhone"), v.get("workPhone"), v.get("cellularPhone")],
        codes=[v.get("idNumber"), v.get("vatNumber"), *identifiers.search_forms(v.get("idNumber"))],
    )


def prepare(
    values: dict[str, Any],
    guid: uuid.UUID | None,
    row: int,
    country: str,
    codes: Codes,
    documents: document.NewDocuments,
    binder: Binder,
    copies: Sequence[Any] = (),
) -> New:
    """Validate `values` (every field of a create; None clears) as a create does and build
    its rows. Raises a DomainError naming every bad field."""
    given = bool(values.get("fullName"))
    v = validation.normalize(values, default_country=country)
    errors = FieldErrors()
    codes.check_customer(v, errors)
    pair = None
    try:
        pair = external_pair(v.get("externalSystemId"), v.get("externalSystemIdentifier"))
    except DomainError as exc:
        for e in exc.errors:
            errors.add(e["field"], e["message"])
    if pair is not None:
        codes.check("externalSystems", str(pair[0]), "externalSystemId", errors)
    errors.raise_if_any()
    if not given:
        v["fullName"] = validation.derive_full_name(v)
    guid = guid or uuid.uuid4()
    excluded = bool(v.get("excluded"))
    customer = tuple(v.get(f) for f in VALUE_FIELDS)
    address = None
    if any(v.get(f) for f in ADDRESS_FIELDS):
        address = (uuid.uuid4(), *(v.get(f) for f in ADDRESS_FIELDS))
    external_guid = uuid.uuid4() if pair is not None else None
    external = None if pair is None else (external_guid, *pair)
    doc = documents.render(guid, customer, excluded, given, address, external)
    kept = {k: x for k, x in v.items() if x is not None}
    written: list[tuple[type, dict[str, Any]]] = [(Customer, {**kept, "excluded": excluded})]
    if address is not None:
        written.append((Address, {**kept, "addressType": "LEGAL", "defaultAddress": True, "addressGuid": address[0]}))
    if pair is not None:
        written.append(
            (
                ExternalId,
                {"externalSystemId": pair[0], "externalSystemIdentifier": pair[1], "externalIdGuid": external_guid},
            )
        )
    return New(
        row,
        guid,
        binder.guid(guid),
        kept,
        pair,
        binder.customer((*customer, excluded, given)),
        None if address is None else binder.address(address),
        search_text(0, v)[1:],  # "0 ..." → " ...": the number is added when it is known
        doc,
        None if external_guid is None else binder.guid(external_guid),
        [(resource, binder.changes(changes)) for resource, changes in audit.created(written)],
        tuple(copy.render(guid, customer, excluded, address, external) for copy in copies),
    )
