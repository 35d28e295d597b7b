"""The CSV import's batches (sync/importer.py): new customers are prepared (customers/rows.py)
and written BATCH at a time through the one write path, `customers.writer.create`; the
customer numbers of one import transaction are counted here (`Numbers`). Also what a large
import does around the load: SQLite's deferred indexes, the tidy-up after it.

Rows that update an existing customer, or that name a parent, take customers.service row by
row (sync/importer.py): they are the exception in a bulk load.
"""

import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, func, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import rows, writer
from custreg.customers.models import Customer
from custreg.db.base import table_of
from custreg.errors import DomainError
from custreg.external_ids.models import ExternalId

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
    if (conn.scalar(select(func.count()).select_from(Customer)) or 0) > expected_rows:
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
    found_guids: set = set()
    found_pairs: set = set()
    if session.get_bind().dialect.name == "postgresql":
        if started_empty:
            return found_guids, found_pairs
        # The driver's cursor for `prepare=False` (the one driver-level read: see above).
        driver = session.connection().connection.dbapi_connection
        assert driver is not None
        cursor: Any = driver.cursor()
        if guids:
            cursor.execute(
                "SELECT customer_guid FROM customers WHERE company_id = %s AND customer_guid = ANY(%s::uuid[])",
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


class Numbers:
    """The company's customer numbers inside one import transaction: the counter row is read
    and locked once, at the top level of the transaction (FOR NO KEY UPDATE, the lock the
    counter's UPDATE takes), the numbers are counted here — for the batches and for the
    row-by-row creates of the same import (sync/importer.py passes them) — and the counter is written back with one
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

    def take(self, count: int) -> int:
        """The first of `count` consecutive numbers (0: just lock and read the counter).
        The first take of a transaction runs at its top level, not inside a savepoint."""
        if self.next is None:
            session = self.session
            if session.get_nested_transaction() is not None:
                raise RuntimeError("Numbers.take: the counter must be locked outside a savepoint")
            writer.lock_changes(session, self.company_id)  # before the company row lock
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


_companies = table_of(Company)
_LOCK_COUNTER = (
    select(_companies.c.next_customer_number)
    .where(_companies.c.id == bindparam("company_id"))
    .with_for_update(key_share=True)
)  # PostgreSQL: FOR NO KEY UPDATE
_STORE_COUNTER = (
    update(_companies)
    .where(_companies.c.id == bindparam("company_id"), _companies.c.next_customer_number == bindparam("stored"))
    .values(next_customer_number=bindparam("next"))
)


class Creator:
    """Collects prepared new customers (customers/rows.py) and writes them BATCH at a time
    through the one write path (customers.writer.create)."""

    def __init__(self, session: Session, company: Company) -> None:
        self.session, self.company = session, company
        self.codes = rows.Codes.of(session, company)
        self.pending: list[rows.New] = []
        self.written = 0  # rows written since the caller last looked
        self.written_keys: set = set()  # their GUIDs and external ids (reset by the caller)
        self.guids: set[uuid.UUID] = set()
        self.pairs: set[tuple[int, str]] = set()
        self.numbers = Numbers(session, company.id)
        self.started_empty = (
            session.scalar(select(Customer.id).where(Customer.company_id == company.id).limit(1)) is None
        )

    def holds(self, guid: uuid.UUID | None, pair: tuple[int, str] | None, parent: uuid.UUID | None = None) -> bool:
        """Does a pending (not yet written) row carry this GUID, external id or parent?"""
        return (
            (guid is not None and guid in self.guids)
            or (pair is not None and pair in self.pairs)
            or (parent is not None and parent in self.guids)
        )

    def add(self, new: rows.New) -> None:
        self.pending.append(new)
        self.guids.add(new.guid)
        if new.pair is not None:
            self.pairs.add(new.pair)

    def flush(self) -> list[rows.New]:
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
                writer.create(self.session, self.company, pending, number=number)
        except (*_DB_ERRORS, DomainError):
            self.numbers.give_back(number)
            return pending
        self.written += len(pending)
        self.written_keys |= keys
        return []
