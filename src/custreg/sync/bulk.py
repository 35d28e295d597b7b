"""Batched creates for the CSV import (sync/importer.py): every new customer is validated
exactly as `customers.service.create` validates it (the API's pydantic schema has run in
the importer; then `validation.normalize`, every APPLY_HOOK, the register's codes and the
external id rules), and the valid ones are written in batches with Core multi-row INSERTs
(customers, main addresses, external ids, change-log entries) instead of one ORM flush per
row. SQLite's FTS5 triggers and PostgreSQL's trigram index follow the rows as they go in;
the stored document stays NULL (rendered on first GET, customers/document.py).

Rows that update an existing customer, or that name a parent, still take the ORM path
(customers.service.patch/create): they are the exception in a bulk load. So does every
row when a domain has added a CREATED_HOOK or TOUCH_HOOK this module does not know
(`supported()`): the batch would skip it.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import service as customers
from custreg.customers import validation
from custreg.customers.models import ChangeLog, Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS
from custreg.db.base import utcnow
from custreg.db.columns import snake
from custreg.errors import DomainError, FieldErrors
from custreg.external_ids.hooks import _pair
from custreg.external_ids.models import ExternalId
from custreg.register import service as register
from custreg.register.models import RegisterCode
from custreg.sync import feed
from custreg.sync.export import FIELD_COLUMNS

try:  # COPY (PostgreSQL) raises the driver's own errors
    from psycopg import Error as _CopyError

    _DB_ERRORS: tuple = (DBAPIError, _CopyError)
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DB_ERRORS = (DBAPIError,)

BATCH = 1000  # new customers per INSERT round

_CUSTOMER_COLUMNS = tuple((f, snake(f)) for f in customers.CUSTOMER_FIELDS)
_ADDRESS_COLUMNS = tuple((f, snake(f)) for f in MAIN_ADDRESS_FIELDS)


@dataclass
class New:
    row: int
    guid: uuid.UUID
    values: dict[str, Any]  # normalized, camelCase, fullName derived when not given
    given_full_name: bool
    pair: tuple[int, str] | None
    raw: dict[str, Any] | None = None  # the row as read, to retry it alone
    search_tail: str = ""  # customers.service._search_text after the customer number


class Codes:
    """The company's register codes, read once per import: the same rules and messages as
    register.service.check_customer_codes and check_code, without a query per row."""

    def __init__(self, known: dict[tuple[str, str], set[str]]) -> None:
        self.known = defaultdict(set, known)

    @classmethod
    def of(cls, session: Session, company: Company) -> "Codes":
        known: dict[tuple[str, str], set[str]] = defaultdict(set)
        for category, parent, code in session.execute(select(
                RegisterCode.category, RegisterCode.parent, RegisterCode.code).where(
                RegisterCode.company_id == company.id)):
            known[(category, parent)].add(code)
        return cls(dict(known))

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


def prepare(values: dict[str, Any], guid: uuid.UUID | None, row: int, country: str,
            codes: Codes) -> New:
    """The rules of customers.service.create that need no database (normalize, the
    register's codes, the external id pair), for `values` (every field; None clears).
    Raises DomainError naming every bad field. Pure: runs in worker processes too."""
    given = bool(values.get("fullName"))
    v = validation.normalize(values, default_country=country)
    errors = FieldErrors()
    codes.check_customer(v, errors)
    pair = None
    try:
        pair = _pair(v)
    except DomainError as exc:
        for e in exc.errors:
            errors.add(e["field"], e["message"])
    if pair is not None:
        codes.check("externalSystems", str(pair[0]), "externalSystemId", errors)
    errors.raise_if_any()
    if not given:
        v["fullName"] = validation.derive_full_name(v)
    new = New(row, guid or uuid.uuid4(), v, given, pair)
    new.search_tail = customers._search_text(_shape(v, 0))[1:]  # "0 ..." → " ..."
    return new


def _shape(v: dict[str, Any], number: int) -> SimpleNamespace:
    """What customers.service._search_text reads of a customer, from API values."""
    return SimpleNamespace(customer_number=number, addresses=[SimpleNamespace(
        address_type="LEGAL", default_address=True, city=v.get("city"))],
        **{col: v.get(f) for f, col in _CUSTOMER_COLUMNS})


def _known_hooks() -> tuple[set, set]:
    from custreg.external_ids import hooks as external_ids
    from custreg.relations import service as relations

    # on_created: the external id pair, inserted below; touch_relations_of_deleted: deletes only.
    return {external_ids.on_created}, {relations.touch_relations_of_deleted}


def supported() -> bool:
    """Can a create be batched without skipping a domain's hook?"""
    created, touched = _known_hooks()
    return set(customers.CREATED_HOOKS) <= created and set(customers.TOUCH_HOOKS) <= touched


def _insert(session: Session, table, rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERT: COPY on PostgreSQL, executemany (one prepared INSERT) on SQLite."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    from psycopg.types.json import Json

    names = list(rows[0])
    json_columns = {n for n in names if isinstance(table.c[n].type, JSON)}
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([Json(r[n]) if n in json_columns and r[n] is not None else r[n]
                            for n in names])


class Creator:
    """Collects validated new customers and writes them BATCH at a time."""

    def __init__(self, session: Session, company: Company) -> None:
        self.session, self.company = session, company
        self.codes = Codes.of(session, company)
        self.enabled = supported()
        self.hooks = [h for h in customers.APPLY_HOOKS if h is not register.check_customer_codes]
        self.pending: list[New] = []
        self.written = 0  # rows written since the caller last looked
        self.written_keys: set = set()  # their GUIDs and external ids (reset by the caller)
        self.guids: set[uuid.UUID] = set()
        self.pairs: set[tuple[int, str]] = set()
        self.t = {
            "customers": Customer.__table__, "addresses": Address.__table__,
            "external_ids": ExternalId.__table__, "change_log": ChangeLog.__table__,
        }

    def holds(self, guid: uuid.UUID | None, pair: tuple[int, str] | None,
              parent: uuid.UUID | None = None) -> bool:
        """Does a pending (not yet written) row carry this GUID, external id or parent?"""
        return (guid is not None and guid in self.guids) or (pair is not None and pair in self.pairs) \
            or (parent is not None and parent in self.guids)

    def admit(self, new: New) -> None:
        """The APPLY_HOOKS that may need the database (relations' parent cycle, external
        ids' pair, attached users), as a create runs them before the customer has an id."""
        stub = SimpleNamespace(id=None, customer_guid=new.guid, company_id=self.company.id)
        for hook in self.hooks:
            hook(self.session, self.company, stub, new.values)

    def add(self, new: New) -> None:
        self.pending.append(new)
        self.guids.add(new.guid)
        if new.pair is not None:
            self.pairs.add(new.pair)

    def full(self) -> bool:
        return len(self.pending) >= BATCH

    def flush(self) -> list[New]:
        """Write the pending rows; returns those that could not be written in a batch (the
        caller retries them one by one to name the error)."""
        pending, self.pending = self.pending, []
        keys = self.guids | self.pairs
        self.guids, self.pairs = set(), set()
        if not pending:
            return []
        try:
            with self.session.begin_nested():
                self._write(pending)
        except _DB_ERRORS:
            return pending
        self.written += len(pending)
        self.written_keys |= keys
        return []

    def _write(self, pending: list[New]) -> None:
        session, company, t = self.session, self.company, self.t
        feed.lock_changes(session, company.id)  # before the company row lock, as create does
        last = session.execute(
            update(Company).where(Company.id == company.id)
            .values(next_customer_number=Company.next_customer_number + len(pending))
            .returning(Company.next_customer_number)).scalar_one()
        first = last - len(pending)
        now = utcnow()
        rows = []
        for i, new in enumerate(pending):
            v = new.values
            r = {col: v.get(f) for f, col in _CUSTOMER_COLUMNS}
            number = first + i
            r.update(company_id=company.id, customer_guid=new.guid, customer_number=number,
                     full_name_given=new.given_full_name, excluded=bool(v.get("excluded")),
                     search_text=f"{number}{new.search_tail}", reg_date=now,
                     last_updated_at=now, version=1)
            rows.append(r)
        _insert(session, t["customers"], rows)
        # The numbers first..last are this transaction's (the company row stays locked by
        # the UPDATE above until commit): they find the new ids in one indexed query.
        c = t["customers"].c
        by_number = dict(session.execute(select(c.customer_number, c.id).where(
            c.company_id == company.id, c.customer_number >= first,
            c.customer_number < first + len(pending))).all())
        ids = [by_number[r["customer_number"]] for r in rows]
        addresses, external, changes = [], [], []
        for new, cid, r in zip(pending, ids, rows):
            v = new.values
            if any(v.get(f) for f in MAIN_ADDRESS_FIELDS):
                a = {col: v.get(f) for f, col in _ADDRESS_COLUMNS}
                a.update(customer_id=cid, address_guid=uuid.uuid4(), address_type="LEGAL",
                         default_address=True, last_updated_at=now)
                addresses.append(a)
            if new.pair is not None:
                external.append({"company_id": company.id, "customer_id": cid,
                                 "external_id_guid": uuid.uuid4(),
                                 "external_system_id": new.pair[0],
                                 "external_system_identifier": new.pair[1]})
            changes.append({"company_id": company.id, "customer_guid": new.guid,
                            "customer_number": r["customer_number"], "op": "upsert", "at": now})
        _insert(session, t["addresses"], addresses)
        _insert(session, t["external_ids"], external)
        _insert(session, t["change_log"], changes)
