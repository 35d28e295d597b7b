"""The CSV import's batches (sync/importer.py): new customers are prepared (customers/rows.py)
and written BATCH at a time through the one write path, `customers.writer.create`; the
customer numbers of one import transaction are counted here (`Numbers`). Also what a large
import does around the load: SQLite's deferred indexes, the tidy-up after it.

Rows that update an existing customer, or that name a parent, take customers.service row by
row (sync/importer.py): they are the exception in a bulk load.
"""

import sqlite3
import uuid
from typing import Any

from sqlalchemy import bindparam, func, select, tuple_, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import rows, search, writer
from custreg.customers.models import AuditEntry, Customer
from custreg.db.base import table_of
from custreg.errors import DomainError
from custreg.external_ids.models import ExternalId

try:  # COPY (PostgreSQL) raises the driver's own errors
    from psycopg import Error as _CopyError
    from psycopg import IntegrityError as _CopyIntegrityError

    _DB_ERRORS: tuple = (DBAPIError, sqlite3.Error, _CopyError)
    _REFUSALS: tuple = (IntegrityError, sqlite3.IntegrityError, _CopyIntegrityError)  # a unique key
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DB_ERRORS = (DBAPIError, sqlite3.Error)
    _REFUSALS = (IntegrityError, sqlite3.IntegrityError)

BATCH = 1000  # new customers per INSERT round (the importer writes each 1,000-row group)
LARGE_IMPORT = 10_000  # created customers from which an import tidies up (after_large_import)


def after_large_import(engine, created: int) -> None:
    """After a committed import that created `created` customers (large imports only):
    SQLite truncates its write-ahead log; PostgreSQL VACUUM (ANALYZE)s what it wrote, so the
    planner and index-only scans see the loaded tables at once (docs/sync.md, "Batches")."""
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


DEFER_FROM = LARGE_IMPORT  # expected rows from which a SQLite import defers per-row work
_DEFERRED_TRIGGER_TABLES = ("customers", "addresses", "external_ids")
# Indexes the write path reads in every batch: the identity-number check of a register with
# unique identity numbers (duplicates/prevention.py). Without it each batch scanned the
# company: an import of 1,000,000 rows slowed as it grew and did not end in an hour.
_READ_DURING_LOAD = frozenset({"ix_customers_company_id_number"})


class LargeLoad:
    """SQLite, a large all-or-nothing import: per-row work of the load done once, inside the
    same transaction (docs/sync.md, "Batches"). A rollback undoes it all (SQLite's DDL is
    transactional, and the import holds the write lock: no other writer sees the gap).

    - The AFTER INSERT triggers of customers, addresses and external ids are dropped: the
      search words of the new customers are added once per batch of the slow path and at the
      end (`catch_up`: one INSERT … SELECT instead of a trigger a row, ≈ 100 µs of the
      writer's CPU a row), and the triggers that forget stored copies have nothing to forget
      for a customer written in this transaction (the write path stores their copies).
    - When the import is at least as large as what is there, the plain (non-unique) indexes
      of the tables it fills with random keys (customers, the audit trail) are dropped and
      built again at the end: each index one sort instead of every page spilled to the WAL;
      except those the write path reads while loading (`_READ_DURING_LOAD`).

    `finish` (before COMMIT) adds the missing words and creates triggers and indexes again."""

    def __init__(self, session: Session, expected_rows: int) -> None:
        self.conn = conn = session.connection()
        tables = []
        if (conn.scalar(select(func.count()).select_from(Customer)) or 0) <= expected_rows:
            tables.append("customers")
            if (conn.scalar(select(func.count()).select_from(AuditEntry)) or 0) <= 2 * expected_rows:
                tables.append("audit_log")  # a create writes one or two entries a customer
        self.indexes = [
            index
            for table in tables
            for index in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
                (table,),
            ).all()
            if index[0] not in _READ_DURING_LOAD
        ]
        self.triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?, ?) "
            "AND sql LIKE '% AFTER INSERT ON %' ORDER BY name",
            _DEFERRED_TRIGGER_TABLES,
        ).all()
        for kind, found in (("INDEX", self.indexes), ("TRIGGER", self.triggers)):
            for name, _sql in found:
                conn.exec_driver_sql(f'DROP {kind} "{name}"')  # a name read from the schema
        self.next_id = (conn.exec_driver_sql("SELECT max(id) FROM customers").scalar() or 0) + 1

    @classmethod
    def start(cls, session: Session, expected_rows: int) -> "LargeLoad | None":
        """A LargeLoad for an import of about `expected_rows` rows, or None (PostgreSQL, or a
        small import)."""
        if session.get_bind().dialect.name != "sqlite" or expected_rows < DEFER_FROM:
            return None
        return cls(session, expected_rows)

    @property
    def rebuilds_indexes(self) -> bool:
        return bool(self.indexes)

    def catch_up(self) -> None:
        """The search words of the customers written since the last call (before a row that
        may update one of them: its trigger removes the words it finds)."""
        top = self.conn.exec_driver_sql("SELECT max(id) FROM customers").scalar() or 0
        if top >= self.next_id:
            search.add_words(self.conn, self.next_id)
        self.next_id = top + 1

    def finish(self) -> None:
        self.catch_up()
        for _name, sql in (*self.triggers, *self.indexes):
            self.conn.exec_driver_sql(sql)


def existing(
    session: Session, company: Company, guids: set, pairs: set, started_empty: bool = False
) -> tuple[set, set]:
    """Which of `guids` and external id `pairs` name customers of the company already.
    It only routes rows (a key taken after all fails its batch's INSERT, retried row by
    row), so PostgreSQL skips it into a company that started empty, and runs it unprepared
    otherwise: a plan prepared while the table was small scanned every row of a growing
    import (docs/sync.md, "Batches")."""
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
    """The company's customer numbers inside one import transaction: the counter row is
    read and locked once, outside any savepoint (FOR NO KEY UPDATE; PostgreSQL: after the
    change-feed lock), the numbers are counted here for the batches and the row-by-row
    creates, and written back with one UPDATE before COMMIT (`store`). A batch or row rolled
    back to its savepoint gives its numbers back; a ROLLBACK undoes the one UPDATE. One
    version of the company row per transaction instead of one per batch, whose chain every
    foreign-key check walked (docs/sync.md, "Batches")."""

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

    def __init__(self, session: Session, company: Company, large: LargeLoad | None = None) -> None:
        self.session, self.company, self.large = session, company, large
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

    def catch_up(self) -> None:
        """Before a row of the slow path: the deferred work of the rows written so far."""
        if self.large is not None:
            self.large.catch_up()

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
        self.guids, self.pairs = set(), set()
        return self._write(pending) if pending else []

    def _write(self, batch: list[rows.New]) -> list[rows.New]:
        """One INSERT round of `batch`. A batch refused by a rule or a unique key is halved and
        each half tried again, down to single rows, so the rows written keep the file's order
        of customer numbers and one bad row among a thousand costs about twenty smaller tries
        instead of the thousand rows going one by one through the slow path (at 0.5 % of rows
        repeating an identity number, nearly every batch holds one). Returns the rows refused."""
        number = self.numbers.take(len(batch))  # outside the savepoint: see Numbers
        try:
            with self.session.begin_nested():
                writer.create(self.session, self.company, batch, number=number)
        except (*_REFUSALS, DomainError):
            self.numbers.give_back(number)
            if len(batch) == 1:
                return batch
            half = len(batch) // 2
            return self._write(batch[:half]) + self._write(batch[half:])
        except _DB_ERRORS:  # another failure (a lock, a lost connection): no retry of halves
            self.numbers.give_back(number)
            return batch
        self.written += len(batch)
        self.written_keys |= {new.guid for new in batch} | {new.pair for new in batch if new.pair is not None}
        return []
