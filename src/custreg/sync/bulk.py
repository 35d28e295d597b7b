"""Batched creates for the CSV import (sync/importer.py): every new customer is validated
exactly as `customers.service.create` validates it (the API's pydantic schema has run in
the importer; then `validation.normalize`, every APPLY_HOOK, the register's codes and the
external id rules), and the valid ones are written in batches — customers, main addresses,
external ids, change-log entries — with the driver's own executemany (SQLite) or COPY
(PostgreSQL) of rows built as tuples, instead of one ORM flush per row. SQLite's FTS5
triggers and PostgreSQL's trigram index follow the rows as they go in. Each customer's
stored document (customers/document.py) is written in the same batch, rendered in the
process that validated the row, so a GET right after the import is one indexed read.

Rows that update an existing customer, or that name a parent, still take the ORM path
(customers.service.patch/create): they are the exception in a bulk load. So does every
row when a domain has added a CREATED_HOOK or TOUCH_HOOK this module does not know
(`supported()`): the batch would skip it.
"""

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, bindparam, func, select, text, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import document, validation
from custreg.customers import hooks as customer_hooks
from custreg.customers import service as customers
from custreg.customers.models import ChangeLog, Customer, CustomerCsvLine, CustomerDocument
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS
from custreg.db.base import utcnow
from custreg.db.columns import snake
from custreg.errors import DomainError, FieldErrors
from custreg.external_ids.models import ExternalId
from custreg.external_ids.schemas import pair as external_pair
from custreg.register import service as register
from custreg.register.models import RegisterCode
from custreg.sync import export, feed
from custreg.sync.export import FIELD_COLUMNS

try:  # COPY (PostgreSQL) raises the driver's own errors
    from psycopg import Error as _CopyError

    _DB_ERRORS: tuple = (DBAPIError, sqlite3.Error, _CopyError)
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DB_ERRORS = (DBAPIError, sqlite3.Error)

BATCH = 1000  # new customers per INSERT round (the importer writes each 1,000-row group)
LARGE_IMPORT = 10_000  # created customers from which an import tidies up (after_large_import)


def after_large_import(engine, created: int) -> None:
    """After a committed import that created `created` customers (large imports only):
    SQLite truncates its write-ahead log; PostgreSQL VACUUM (ANALYZE)s what it wrote.
    Until autovacuum comes round (minutes), the planner sees a freshly loaded table as the
    empty one it analyzed before (the bench saw a scan of every customer per write right
    after a 200k-row import), every read of a new row checks its transaction and sets its
    hint bits, and index-only scans (the lists' counts) visit the heap. The VACUUM costs
    ≈ 3 s per 200k rows; reads right after a 200k import, sequential: GET 5.6 → 3.8 ms,
    lastName list 14.8 → 12.2 ms, searchWord 34.5 → 26.1 ms."""
    if created < LARGE_IMPORT:
        return
    if engine.dialect.name == "sqlite":
        # An all-or-nothing import is one transaction: the whole load sat in the WAL until
        # COMMIT (5.6 GB beside a 5.6 GB database after the bench's 1M rows), and SQLite
        # keeps the file at that size once checkpointed. TRUNCATE gives the disk back; with
        # readers still on an older snapshot it does what it can and leaves the rest.
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (
                "customers",
                "addresses",
                "external_ids",
                "change_log",
                "customer_documents",
                "customer_csv_lines",
                "customer_words",
            ):  # fixed names
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


DEFER_INDEXES_FROM = LARGE_IMPORT  # expected rows from which a SQLite import rebuilds indexes once


def defer_indexes(session: Session, expected_rows: int) -> Callable[[], None] | None:
    """SQLite, a large import in one transaction: drop the customers' plain (non-unique)
    indexes inside the transaction and return the function that builds them again before
    COMMIT, or None (nothing done).

    Their keys (names, e-mail, idNumber) come in random order, so each new row dirtied a
    random page of each; once they outgrew the import's page cache every row spilled pages
    into the WAL again and again (a 1M import: 5.6 GB of WAL, every page read looking it
    up; 939 rows/s against ≈ 3,500 at 10k). Built at the end, each index is one sort. The
    DROP is part of the transaction: a failed import's rollback brings the indexes back,
    and other connections see the old schema until COMMIT. The unique indexes stay, so
    the constraints and the import's lookups work as before. Only when the import is at
    least as large as the table (the rebuild covers every row) and not for valid-rows
    imports, which commit along the way."""
    if session.get_bind().dialect.name != "sqlite" or expected_rows < DEFER_INDEXES_FROM:
        return None
    conn = session.connection()
    if conn.scalar(select(func.count()).select_from(Customer.__table__)) > expected_rows:
        return None
    plain = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
    ).all()
    for name, _sql in plain:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')  # a name read from the schema

    def rebuild() -> None:
        for _name, sql in plain:
            conn.exec_driver_sql(sql)

    return rebuild


# Customer columns written from the row's values, in the order of New.customer.
_VALUE_FIELDS = tuple(f for f in customers.CUSTOMER_FIELDS if f != "excluded")
_VALUE_COLUMNS = tuple(snake(f) for f in _VALUE_FIELDS)
CUSTOMER_INSERT = (
    "id",
    "company_id",
    "customer_guid",
    "customer_number",
    *_VALUE_COLUMNS,
    "excluded",
    "full_name_given",
    "search_text",
    "reg_date",
    "last_updated_at",
    "version",
)
DOCUMENT_INSERT = ("customer_id", "body")
LINE_INSERT = ("customer_id", "line_format", "line")
_ADDRESS_FIELDS = tuple(MAIN_ADDRESS_FIELDS)
ADDRESS_INSERT = (
    "customer_id",
    "address_guid",
    "address_type",
    "default_address",
    "last_updated_at",
    *(snake(f) for f in _ADDRESS_FIELDS),
)
EXTERNAL_INSERT = (
    "company_id",
    "customer_id",
    "external_id_guid",
    "external_system_id",
    "external_system_identifier",
)
CHANGE_INSERT = ("company_id", "customer_guid", "customer_number", "op", "at")
_NONE_FIELDS = dict.fromkeys(FIELD_COLUMNS)


class New:
    """A validated new customer, as the worker that prepared it hands it over (pickled):
    its rows' values already in the driver's form (Binder), so the writing process only
    adds ids, numbers and timestamps."""

    __slots__ = (
        "address",
        "customer",
        "document",
        "external_guid",
        "guid",
        "guid_db",
        "pair",
        "raw",
        "row",
        "search_tail",
        "values",
    )

    def __init__(
        self, row, guid, guid_db, values, pair, customer, address, search_tail, document, external_guid
    ) -> None:
        self.row, self.guid, self.guid_db, self.values, self.pair = row, guid, guid_db, values, pair
        self.customer, self.address = customer, address
        self.search_tail, self.document, self.external_guid = search_tail, document, external_guid
        self.raw = None  # set by the importer: the row as read, to retry it alone

    def __reduce__(self):
        return (
            New,
            (
                self.row,
                self.guid,
                self.guid_db,
                self.values,
                self.pair,
                self.customer,
                self.address,
                self.search_tail,
                self.document,
                self.external_guid,
            ),
        )

    def hook_values(self) -> dict[str, Any]:
        """What customers.service.create hands the APPLY_HOOKS: every field, None clears."""
        return {**_NONE_FIELDS, **(self.values or {})}


class Binder:
    """The column types' own bind conversions (what SQLAlchemy applies to parameters), for
    the columns a worker fills: UUIDs, dates, decimals, booleans, JSON. On SQLite the
    worker hands over driver-ready values; COPY on PostgreSQL takes Python values (JSON
    wrapped for psycopg)."""

    def __init__(self, dialect_name: str) -> None:
        self.postgres = dialect_name == "postgresql"
        if self.postgres:
            from sqlalchemy.dialects import postgresql

            dialect = postgresql.dialect()
        else:
            from sqlalchemy.dialects import sqlite as sqlite_dialect

            dialect = sqlite_dialect.dialect()
        c, a = Customer.__table__.c, Address.__table__.c
        self.customer = self._converter([c[n].type for n in CUSTOMER_INSERT[4:-5]], dialect)
        self.address = self._converter(
            [a[n].type for n in ADDRESS_INSERT[1:2]] + [a[n].type for n in ADDRESS_INSERT[5:]], dialect
        )
        self.uuid = self._converter([c["customer_guid"].type], dialect)

    def _converter(self, types, dialect):
        convert = []
        for i, t in enumerate(types):
            if self.postgres:
                if isinstance(t, JSON):
                    from psycopg.types.json import Json

                    convert.append((i, Json))
            else:
                p = t._cached_bind_processor(dialect)
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


class Codes:
    """The company's register codes, read once per import: the same rules and messages as
    register.service.check_customer_codes and check_code, without a query per row."""

    def __init__(self, known: dict[tuple[str, str], set[str]]) -> None:
        self.known = defaultdict(set, known)

    @classmethod
    def of(cls, session: Session, company: Company) -> "Codes":
        known: dict[tuple[str, str], set[str]] = defaultdict(set)
        for category, parent, code in session.execute(
            select(RegisterCode.category, RegisterCode.parent, RegisterCode.code).where(
                RegisterCode.company_id == company.id
            )
        ):
            known[(category, parent)].add(code)
        return cls(dict(known))

    @classmethod
    def lazy(cls, session: Session, company: Company) -> "Codes":
        """Read on first use: a customer naming no code costs no query."""
        codes = cls.__new__(cls)
        codes._read = lambda: cls.of(session, company).known
        return codes

    def __getattr__(self, name: str) -> Any:
        if name != "known" or "_read" not in self.__dict__:
            raise AttributeError(name)
        self.known = self.__dict__.pop("_read")()
        return self.known

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


def prepare(
    values: dict[str, Any],
    guid: uuid.UUID | None,
    row: int,
    country: str,
    codes: Codes,
    documents: "document.NewDocuments | None" = None,
    binder: Binder | None = None,
    hook_values: bool = True,
) -> New:
    """The rules of customers.service.create that need no database (normalize, the
    register's codes, the external id pair), for `values` (every field; None clears), and
    the rows to write. Raises DomainError naming every bad field. Pure: runs in worker
    processes too."""
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
    customer = tuple(v.get(f) for f in _VALUE_FIELDS)
    address = None
    if any(v.get(f) for f in MAIN_ADDRESS_FIELDS):
        address = (uuid.uuid4(), *(v.get(f) for f in _ADDRESS_FIELDS))
    external_guid = uuid.uuid4() if pair is not None else None
    search_tail = customers._search_text(_shape(v, 0))[1:]  # "0 ..." → " ..."
    doc = None
    if documents is not None:
        doc = documents.render(
            guid, customer, excluded, given, address, None if pair is None else (external_guid, *pair)
        )
    binder = binder or binder_for()
    return New(
        row,
        guid,
        binder.guid(guid),
        {k: x for k, x in v.items() if x is not None} if hook_values else None,
        pair,
        binder.customer((*customer, excluded, given)),
        None if address is None else binder.address(address),
        search_tail,
        doc,
        None if external_guid is None else binder.guid(external_guid),
    )


_BINDERS: dict = {}


def binder_for(dialect_name: str = "sqlite") -> Binder:
    """The Binder of a dialect, built once."""
    if dialect_name not in _BINDERS:
        _BINDERS[dialect_name] = Binder(dialect_name)
    return _BINDERS[dialect_name]


def new_documents(cuid: str) -> "document.NewDocuments":
    """The renderer of the stored documents of the customers `prepare` makes."""
    return document.NewDocuments(cuid, _VALUE_FIELDS, _ADDRESS_FIELDS)


def _shape(v: dict[str, Any], number: int) -> SimpleNamespace:
    """What customers.service._search_text reads of a customer, from API values."""
    return SimpleNamespace(
        customer_number=number,
        addresses=[SimpleNamespace(address_type="LEGAL", default_address=True, city=v.get("city"))],
        **{snake(f): v.get(f) for f in customers.CUSTOMER_FIELDS},
    )


def _known_hooks() -> tuple[set, set]:
    from custreg.external_ids import hooks as external_ids
    from custreg.relations import service as relations

    # on_created: the external id pair, inserted below; touch_relations_of_deleted: deletes only.
    return {external_ids.on_created}, {relations.touch_relations_of_deleted}


def supported() -> bool:
    """Can a create be batched without skipping a domain's hook?"""
    created, touched = _known_hooks()
    return set(customer_hooks.CREATED) <= created and set(customer_hooks.TOUCH) <= touched


def existing(
    session: Session, company: Company, guids: set, pairs: set, started_empty: bool = False
) -> tuple[set, set]:
    """Which of `guids` and external id `pairs` name customers of the company already.

    This lookup only routes rows: a new customer whose GUID or external id is taken after
    all makes its batch's INSERT fail on the unique constraints, and the batch is retried
    row by row (Creator.flush), where the row becomes an update. So it may be skipped
    where it cannot pay:

    PostgreSQL, into a company that had no customers when the import began
    (`started_empty`): only rows of this import can match, and the lookup inside the one
    long transaction is what made large imports slow. The table grows inside a
    transaction that autovacuum cannot see, so the statistics stay those of the empty
    table; psycopg prepares a statement from its 5th execution on, and PostgreSQL then
    keeps a generic plan made while the table was small: `customer_guid IN ($2…$1001)` as a
    filter over every row of the company through another index, 1000 comparisons a row —
    2-8 s per batch at 50,000-200,000 rows (EXPLAIN ANALYZE: "Index Scan using
    ix_customers_company_last_updated … Rows Removed by Filter: 200000"). Unprepared,
    `= ANY(array)` or a join from unnest(array) still scan the company's rows (a hashed
    filter: ≈ 40-90 ms per batch at 100,000 rows, growing with the table; an ANALYZE inside
    the transaction does not change that plan). Otherwise (a company with customers): one
    unprepared `= ANY(array)`, planned with the sizes of the moment."""
    found_guids, found_pairs = set(), set()
    if session.get_bind().dialect.name == "postgresql":
        if started_empty:
            return found_guids, found_pairs
        cursor = session.connection().connection.driver_connection.cursor()
        if guids:
            cursor.execute(
                "SELECT customer_guid FROM customers WHERE company_id = %s "
                "AND customer_guid = ANY(%s::uuid[])",
                [company.id, list(guids)],
                prepare=False,
            )
            found_guids = {r[0] for r in cursor.fetchall()}
        if pairs:
            ids, idents = zip(*pairs)
            cursor.execute(
                "SELECT e.external_system_id, e.external_system_identifier "
                "FROM unnest(%s::integer[], %s::text[]) AS p(sid, ident) "
                "JOIN external_ids e ON e.company_id = %s "
                "AND e.external_system_id = p.sid AND e.external_system_identifier = p.ident",
                [list(ids), list(idents), company.id],
                prepare=False,
            )
            found_pairs = {tuple(r) for r in cursor.fetchall()}
        return found_guids, found_pairs
    if guids:  # SQLite: IN (…) probes the unique index, whatever the table's size
        found_guids = set(
            session.scalars(
                select(Customer.customer_guid).where(
                    Customer.company_id == company.id, Customer.customer_guid.in_(guids)
                )
            )
        )
    if pairs:
        found_pairs = {
            tuple(r)
            for r in session.execute(
                select(ExternalId.external_system_id, ExternalId.external_system_identifier).where(
                    ExternalId.company_id == company.id,
                    tuple_(ExternalId.external_system_id, ExternalId.external_system_identifier).in_(pairs),
                )
            )
        }
    return found_guids, found_pairs


class _Table:
    """One table's INSERT through the driver: executemany of tuples (SQLite) or COPY
    (PostgreSQL). Rows come driver-ready (Binder); `bind_time` converts the batch's one
    timestamp with the column type's own conversion."""

    def __init__(self, session: Session, table, columns: tuple[str, ...]) -> None:
        dialect = session.get_bind().dialect
        self.name, self.columns = table.name, columns
        self.postgres = dialect.name == "postgresql"
        time_column = next((c for c in ("last_updated_at", "at") if c in table.c), None)
        self._time = (
            None
            if time_column is None or self.postgres
            else table.c[time_column].type._cached_bind_processor(dialect)
        )
        self.sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

    def bind_time(self, when):
        return when if self._time is None else self._time(when)

    def write(self, session: Session, rows: list[tuple]) -> None:
        if not rows:
            return
        driver = session.connection().connection.driver_connection
        if not self.postgres:
            driver.executemany(self.sql, rows)
            return
        with driver.cursor().copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)


class Numbers:
    """The company's customer numbers inside one import transaction: the counter row is read
    and locked once, at the top level of the transaction (FOR NO KEY UPDATE, the lock the
    counter's UPDATE takes), the numbers are counted here — for the batches and, through
    `companies.take_customer_number` (session.info[companies.COUNTED_NUMBERS]), for the
    row-by-row creates of the same import — and the counter is written back with one
    UPDATE before COMMIT (`store`).

    Why: an UPDATE of the counter per batch (and per row-by-row create), each inside its
    SAVEPOINT, left a version of the company row per batch that could not be pruned before
    COMMIT, and the foreign-key check of every later row (customers → companies) walked
    them all (PostgreSQL; perf: GetMultiXactIdMembers ≈ 48 % of the backend, a 1M-row
    import at 490-630 rows/s and falling). Now a transaction of an import makes one
    version of the company row.

    What keeps the numbers unique and without gaps:
    - The lock is taken outside any savepoint (`take` refuses otherwise; the row-by-row
      path calls `take(0)` before its savepoint), so it is the transaction's until COMMIT
      or ROLLBACK: a savepoint's rollback would release a lock taken inside it, and
      another writer could then take the numbers counted here. PostgreSQL: the change-feed
      lock first, as every other taker (customers.service.create) takes it. SQLite: the
      transaction's write lock (BEGIN IMMEDIATE) already excludes every other taker.
    - `give_back`: a batch or a row rolled back to its savepoint returns its numbers.
    - `store` before COMMIT (the importer calls it); the next `take` reads the counter
      again, in the next transaction. A ROLLBACK undoes the one UPDATE: a failed import
      takes no number."""

    def __init__(self, session: Session, company_id: int) -> None:
        self.session, self.company_id = session, company_id
        self.next: int | None = None  # None: the counter row is authoritative
        self.stored: int | None = None  # the counter's value in this transaction

    def counting(self, company_id: int) -> bool:
        """Are the company's numbers counted here now (companies.take_customer_number)?"""
        return self.next is not None and company_id == self.company_id

    def take(self, count: int) -> int:
        """The first of `count` consecutive numbers (0: just lock and read the counter).
        The first take of a transaction runs at its top level, not inside a savepoint."""
        if self.next is None:
            session = self.session
            if session.get_nested_transaction() is not None:
                raise RuntimeError("Numbers.take: the counter must be locked outside a savepoint")
            feed.lock_changes(session, self.company_id)  # before the company row lock
            self.next = self.stored = (
                session.connection().execute(_LOCK_COUNTER, {"company_id": self.company_id}).scalar_one()
            )
        first = self.next
        self.next += count
        return first

    def give_back(self, first: int) -> None:
        """The numbers from `first` on were not used (rolled back to their savepoint)."""
        if self.next is not None:
            self.next = first

    def store(self) -> None:
        """Write the counter (top level of the transaction, before COMMIT); from here on
        the counter row is authoritative again."""
        if self.next is not None and self.next != self.stored:
            done = self.session.connection().execute(
                _STORE_COUNTER, {"company_id": self.company_id, "next": self.next, "stored": self.stored}
            )
            if done.rowcount != 1:  # someone took a number past this count: a bug
                raise RuntimeError("the company's number counter changed under the import")
        self.next = self.stored = None


_companies = Company.__table__
_LOCK_COUNTER = (
    select(_companies.c.next_customer_number)
    .where(_companies.c.id == bindparam("company_id"))
    .with_for_update(key_share=True)
)  # PostgreSQL: FOR NO KEY UPDATE
_STORE_COUNTER = (
    update(_companies)
    .where(
        _companies.c.id == bindparam("company_id"), _companies.c.next_customer_number == bindparam("stored")
    )
    .values(next_customer_number=bindparam("next"))
)


class Creator:
    """Collects validated new customers and writes them BATCH at a time."""

    def __init__(self, session: Session, company: Company) -> None:
        self.session, self.company = session, company
        self.codes = Codes.of(session, company)
        self.enabled = supported()
        quiet = _quiet_for_new_rows()
        self.hooks = [h for h in customer_hooks.APPLY if h is not register.check_customer_codes]
        # Hooks that do nothing for a new customer without a parent (the only kind that is
        # batched) are not run; the others get the row's values (workers then send them).
        self.hooks = [h for h in self.hooks if h not in quiet]
        self.pending: list[New] = []
        self.written = 0  # rows written since the caller last looked
        self.written_keys: set = set()  # their GUIDs and external ids (reset by the caller)
        self.guids: set[uuid.UUID] = set()
        self.pairs: set[tuple[int, str]] = set()
        self.numbers = Numbers(session, company.id)
        self.started_empty = (
            session.scalar(select(Customer.id).where(Customer.company_id == company.id).limit(1)) is None
        )

    def holds(
        self, guid: uuid.UUID | None, pair: tuple[int, str] | None, parent: uuid.UUID | None = None
    ) -> bool:
        """Does a pending (not yet written) row carry this GUID, external id or parent?"""
        return (
            (guid is not None and guid in self.guids)
            or (pair is not None and pair in self.pairs)
            or (parent is not None and parent in self.guids)
        )

    def admit(self, new: New) -> None:
        """The APPLY_HOOKS that may need the database (relations' parent cycle, external
        ids' pair, attached users), as a create runs them before the customer has an id."""
        if not self.hooks:
            return
        stub = SimpleNamespace(id=None, customer_guid=new.guid, company_id=self.company.id)
        v = new.hook_values()
        for hook in self.hooks:
            hook(self.session, self.company, stub, v)

    def add(self, new: New) -> None:
        self.pending.append(new)
        self.guids.add(new.guid)
        if new.pair is not None:
            self.pairs.add(new.pair)

    def flush(self) -> list[New]:
        """Write the pending rows; returns those that could not be written in a batch (the
        caller retries them one by one to name the error)."""
        pending, self.pending = self.pending, []
        keys = self.guids | self.pairs
        self.guids, self.pairs = set(), set()
        if not pending:
            return []
        number = self.numbers.take(len(pending))  # outside the savepoint: see Numbers
        try:
            with self.session.begin_nested():
                self._write(pending, number)
        except _DB_ERRORS:
            self.numbers.give_back(number)
            return pending
        self.written += len(pending)
        self.written_keys |= keys
        return []

    @property
    def needs_values(self) -> bool:
        return bool(self.hooks)

    def _write(self, pending: list[New], number: int) -> None:
        write(self.session, self.company.id, pending, number)


def new_ids(session: Session, n: int) -> list[int]:
    """Ids for n new customers: drawn from the sequence (PostgreSQL), or the next rowids
    (SQLite, under the write lock this transaction holds)."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text("SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, :n)"),
                {"n": n},
            )
        )
    driver = session.connection().connection.driver_connection  # a POST's create: 0.2 ms less
    top = driver.execute("SELECT max(id) FROM customers").fetchone()[0] or 0
    return list(range(top + 1, top + 1 + n))


_TABLES: dict = {}


def tables(session: Session) -> dict[str, "_Table"]:
    """The writers of the tables a new customer fills, built once per dialect."""
    name = session.get_bind().dialect.name
    found = _TABLES.get(name)
    if found is None:
        found = _TABLES[name] = {
            "customers": _Table(session, Customer.__table__, CUSTOMER_INSERT),
            "addresses": _Table(session, Address.__table__, ADDRESS_INSERT),
            "external_ids": _Table(session, ExternalId.__table__, EXTERNAL_INSERT),
            "change_log": _Table(session, ChangeLog.__table__, CHANGE_INSERT),
            "customer_documents": _Table(session, CustomerDocument.__table__, DOCUMENT_INSERT),
            "customer_csv_lines": _Table(session, CustomerCsvLine.__table__, LINE_INSERT),
        }
    return found


def write(session: Session, company_id: int, pending: list[New], number: int, now=None) -> list[int]:
    """Insert `pending` numbered from `number` (the caller holds the number's locks);
    returns their ids."""
    t = tables(session)
    now = now or utcnow()
    stamp = None
    ids = new_ids(session, len(pending))
    cid = company_id
    now_db = t["customers"].bind_time(now)
    rows, addresses, external, changes, documents = [], [], [], [], []
    for new, id_ in zip(pending, ids):
        doc = new.document
        if doc is not None:
            if stamp is None:
                stamp = _stamp(now)
            documents.append((id_, document.finish(doc, number, stamp)))
        rows.append(
            (id_, cid, new.guid_db, number, *new.customer, f"{number}{new.search_tail}", now_db, now_db, 1)
        )
        if new.address is not None:
            a = new.address
            addresses.append((id_, a[0], "LEGAL", True, now_db, *a[1:]))
        if new.pair is not None:
            external.append((cid, id_, new.external_guid, new.pair[0], new.pair[1]))
        changes.append((cid, new.guid_db, number, "upsert", now_db))
        number += 1
    t["customers"].write(session, rows)
    t["addresses"].write(session, addresses)
    t["external_ids"].write(session, external)
    t["change_log"].write(session, changes)
    t["customer_documents"].write(session, documents)
    if documents:  # the export's lines beside the documents (sync/export.py)
        t["customer_csv_lines"].write(session, export.line_texts(session.connection(), ids))
    return ids


def _quiet_for_new_rows() -> set:
    """APPLY_HOOKS known to do nothing for a new customer without a parent and without
    attachedUsers (no CSV column): relations' parent cycle (no parent), external ids'
    on_apply (waits for the id; the pair is inserted here), self-service's attached users."""
    out = set()
    try:
        from custreg.relations.service import refuse_parent_cycle

        out.add(refuse_parent_cycle)
    except ImportError:  # pragma: no cover
        pass
    try:
        from custreg.external_ids.hooks import on_apply

        out.add(on_apply)
    except ImportError:  # pragma: no cover
        pass
    try:
        from custreg.access.selfservice import _apply_hook

        out.add(_apply_hook)
    except ImportError:  # pragma: no cover
        pass
    return out


_STAMP: dict = {}


def _stamp(when) -> str:
    adapter = _STAMP.get("adapter")
    if adapter is None:
        import datetime as dt

        from pydantic import TypeAdapter

        adapter = _STAMP["adapter"] = TypeAdapter(dt.datetime)
    return adapter.dump_json(when).decode()
