"""CSV import (docs/export.md): the export's columns in, every row validated with the
API's rules (CustomerCreate, then customers.service.create / patch), a per-row report.

Reads a file row by row (csv module over a text stream), COMMIT_EVERY rows at a time:
memory does not grow with the file. New customers are validated with exactly the rules of
customers.service.create and written in batches with multi-row INSERTs (COPY on
PostgreSQL) by sync/bulk.py; rows that update a customer (or name a parent) go one by one
through customers.service, each in a SAVEPOINT, so a bad row leaves nothing behind and
the rows after it are still validated. With `jobs` > 1 (the CLI, for large files), worker
processes run the per-row validation that needs no database. `all-or-nothing` (default):
the whole import is one transaction, rolled back when any row fails. `valid-rows`: good
rows are kept, committed in batches so other writers are not blocked for the whole file.

Upsert: a row whose `customerGuid` names a customer of the company updates it (columns
absent from the file are left as they are; an empty cell clears); otherwise a customer is
created (with that GUID when one is given), numbered by the company's sequence.
"""

import csv
import gc
import json
import multiprocessing
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import document, rows, validation, writer
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate
from custreg.customers.shape import main_address, values_of
from custreg.errors import BadRequest, DomainError
from custreg.external_ids.models import ExternalId
from custreg.sync import bulk
from custreg.sync.export import COLUMNS, FIELD_COLUMNS, READ_ONLY_COLUMNS, WRITABLE_COLUMNS, is_formula, unneutralize

Mode = Literal["all-or-nothing", "valid-rows"]
MODES = ("all-or-nothing", "valid-rows")
MAX_REPORTED = 1000  # errors listed in a report; more are counted
COMMIT_EVERY = 1000  # valid-rows: rows per transaction
csv.field_size_limit(1024 * 1024)


@dataclass
class Report:
    mode: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_truncated: int = 0
    failed_rows: set[int] = field(default_factory=set, repr=False)

    def add(self, row: int, field_name: str, message: str) -> None:
        if row not in self.failed_rows:
            self.failed_rows.add(row)
            self.failed += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"row": row, "field": field_name, "message": message})
        else:
            self.errors_truncated += 1

    @property
    def written(self) -> bool:
        return self.mode == "valid-rows" or self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "rows": self.rows,
            "created": self.created if self.written else 0,
            "updated": self.updated if self.written else 0,
            "failed": self.failed,
            "errors": self.errors,
            "errorsNotListed": self.errors_truncated,
        }


def read_header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise BadRequest("The CSV has no header row", [{"field": "header", "message": "missing"}]) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise BadRequest(
            f"The CSV header cannot be read: {exc}", [{"field": "header", "message": "unreadable"}]
        ) from None
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise BadRequest(
            f"Unknown column(s): {', '.join(repr(u) for u in unknown)}",
            [{"field": u, "message": "not a column of the export"} for u in unknown],
        )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BadRequest(
            f"Duplicate column(s): {', '.join(dupes)}", [{"field": d, "message": "appears twice"} for d in dupes]
        )
    return names


def _row_values(header: list[str], cells: list[str], row: int, report: Report) -> dict | None:
    if len(cells) != len(header):
        report.add(row, "row", f"has {len(cells)} cells, the header has {len(header)}")
        return None
    values: dict[str, Any] = {}
    for name, cell in zip(header, cells):
        if name in READ_ONLY_COLUMNS:
            continue  # numbers are assigned anew; timestamps and versions are the register's
        if is_formula(cell):
            report.add(row, name, "looks like a spreadsheet formula; prefix it with ' to import it as text")
            return None
        text = unneutralize(cell)
        value: Any = text if text != "" else None
        if name == "dimensions" and value is not None:
            try:
                value = json.loads(value)
            except ValueError:
                report.add(row, "dimensions", "not a JSON object of code → value")
                return None
        values[name] = value
    return values


def _errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
        out.append((loc[0] if loc else "row", e.get("msg", "invalid").removeprefix("Value error, ")))
    return out


def _apply_row(
    session: Session,
    company: Company,
    values: dict[str, Any] | None,
    row: int,
    report: Report,
    deferred: list,
    numbers: "bulk.Numbers | None" = None,
) -> None:
    """One row through customers.service, in a SAVEPOINT: a bad row leaves nothing behind."""
    if values is None:  # unreadable: reported by _row_values
        return
    try:  # an empty cell is "no value": validated as absent, applied as null (clears)
        body = CustomerCreate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        for f, msg in _errors_of(exc):
            report.add(row, f, msg)
        return
    except (TypeError, ValueError) as exc:
        report.add(row, "row", str(exc))
        return
    given = body.model_dump(include=set(values) & set(WRITABLE_COLUMNS))
    present = {k: given.get(k) for k in values if k in WRITABLE_COLUMNS}
    existing = None
    if body.customerGuid is not None:
        existing = session.scalar(
            select(Customer).where(Customer.company_id == company.id, Customer.customer_guid == body.customerGuid)
        )
    if existing is None and body.externalSystemId is not None and body.externalSystemIdentifier:
        existing = session.scalar(
            select(Customer)
            .join(ExternalId, ExternalId.customer_id == Customer.id)
            .where(
                ExternalId.company_id == company.id,
                ExternalId.external_system_id == body.externalSystemId,
                ExternalId.external_system_identifier == body.externalSystemIdentifier,
            )
        )
        if existing is not None and body.customerGuid is not None:
            report.add(
                row,
                "customerGuid",
                f"the external id belongs to customer {existing.customer_number}, whose customerGuid is another",
            )
            return
    parent = present.get("parentCustomer")
    if (
        parent is not None
        and parent != body.customerGuid
        and session.scalar(
            select(Customer.id).where(Customer.company_id == company.id, Customer.customer_guid == parent)
        )
        is None
    ):
        # The parent may come later in the file: set it once every row is in.
        present["parentCustomer"] = None
        deferred.append((row, body.customerGuid, parent))
    first = None
    if existing is None and numbers is not None:
        # A create takes its number from the import's count: the counter is locked here,
        # outside the row's savepoint (bulk.Numbers).
        first = numbers.take(0)
    try:
        with session.begin_nested():
            if existing is not None:
                c = customers.get(session, company, str(existing.customer_guid), for_update=True)
                if "fullName" in present and present["fullName"] == validation.derive_full_name(
                    {**values_of(c, main_address(c)), **present}
                ):
                    present["fullName"] = None  # derived, as the export showed it
                customers.patch(session, company, c, present)
                outcome = "updated"
            else:
                full = dict.fromkeys(FIELD_COLUMNS)
                full.update(present)
                if full.get("fullName") and full["fullName"] == validation.derive_full_name(full):
                    full["fullName"] = None  # derived from the name parts: stays derived
                number = numbers.take(1) if numbers is not None else None
                made = customers.create(session, company, full, customer_guid=body.customerGuid, number=number)
                if deferred and deferred[-1][0] == row and deferred[-1][1] is None:
                    deferred[-1] = (row, made.customer_guid, parent)
                outcome = "created"
            writer.finish(session, company.cuid)  # inside the savepoint: its copies go with it
        if outcome == "created":
            report.created += 1
        else:
            report.updated += 1
    except DomainError as exc:
        if numbers is not None and first is not None:
            numbers.give_back(first)  # the row's savepoint is rolled back: so is its number
        if deferred and deferred[-1][0] == row:
            deferred.pop()
        for e in exc.errors or [{"field": "row", "message": exc.detail}]:
            report.add(row, e.get("field") or "row", e.get("message") or exc.detail)
    except (IntegrityError, DataError) as exc:  # the savepoint is rolled back already
        if numbers is not None and first is not None:
            numbers.give_back(first)
        if deferred and deferred[-1][0] == row:
            deferred.pop()
        report.add(row, "row", f"conflicts with stored data ({type(exc.orig).__name__})")


def _resolve_parents(session: Session, company: Company, deferred: list, report: Report) -> None:
    for row, guid, parent in deferred:
        try:
            with session.begin_nested():
                c = customers.get(session, company, str(guid), for_update=True)
                customers.patch(session, company, c, {"parentCustomer": parent})
                writer.finish(session, company.cuid)
        except DomainError as exc:
            for e in exc.errors or [{"field": "parentCustomer", "message": exc.detail}]:
                report.add(row, e.get("field") or "parentCustomer", e.get("message") or exc.detail)


def _rows(reader, report: Report, progress):
    """(row number, cells) of every non-blank line; unreadable lines reported."""
    row = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            row += 1
            report.rows += 1
            report.add(row, "row", f"cannot be read: {exc}")
            if isinstance(exc, UnicodeDecodeError):
                return  # the rest of the stream is not text
            continue
        row += 1
        if progress is not None:
            progress(row)
        if not any(c.strip() for c in cells):
            continue  # a blank line
        report.rows += 1
        yield row, cells


# ---- row preparation: everything about a row that needs no database (worker processes)

_STATE: dict[str, Any] = {}
_MISSING = object()


class _Schema:
    """CustomerCreate.model_validate of a row's cells, where a (column, cell) that validated
    before is not validated again: the API's schema validates every field on its own (no
    field's rules read another's; cross-field rules are in validation.normalize), so the
    value a cell validates to is a pure function of the column and the text — except
    dateOfBirth, whose rule reads today's date, and JSON cells (dimensions). Names, cities,
    postal codes, country, language and currency codes and the register's codes repeat
    through a file; a column whose distinct cells pass LIMIT (GUIDs, e-mail, phones) stops
    being cached. Cells that fail are never cached: errors come from the schema itself,
    with its messages, in its field order."""

    LIMIT = 4096
    UNCACHED = frozenset({"dateOfBirth", "dimensions"})

    def __init__(self) -> None:
        self.cache: dict[str, dict[str, Any]] = {f: {} for f in CustomerCreate.model_fields if f not in self.UNCACHED}

    def __call__(self, cells: dict[str, Any]) -> dict[str, Any]:
        """The validated value of each cell (raises pydantic's ValidationError)."""
        out, rest = {}, {}
        cache = self.cache
        for k, x in cells.items():
            known = cache.get(k)
            if known is not None and x.__class__ is str:
                hit = known.get(x, _MISSING)
                if hit is not _MISSING:
                    out[k] = hit
                    continue
            rest[k] = x
        body = CustomerCreate.model_validate(rest)
        for k, x in rest.items():
            value = out[k] = getattr(body, k)
            known = cache.get(k)
            if known is not None and x.__class__ is str:
                if len(known) >= self.LIMIT:
                    del cache[k]  # mostly distinct: not worth a lookup per row
                else:
                    known[x] = value
        return out


def _init_worker(
    header: list[str], country: str, known: dict, cuid: str | None = None, dialect: str = "sqlite"
) -> None:
    _STATE.update(
        header=header,
        country=country,
        codes=rows.Codes(known),
        schema=_Schema(),
        documents=document.NewDocuments(cuid or "", rows.VALUE_FIELDS, rows.ADDRESS_FIELDS),
        binder=rows.binder_for(dialect),
    )


_NONE_FIELDS = dict.fromkeys(FIELD_COLUMNS)
_WRITABLE = frozenset(WRITABLE_COLUMNS)


def _prepare_row(header, country, codes, row: int, cells: list[str], schema=None, documents=None, binder=None) -> tuple:
    """(row, readable, keys, pair, create) where create is a bulk.New or the errors a create
    of the row would raise; readable False: the row failed already (errors in create)."""
    scratch = Report(mode="scratch")
    values = _row_values(header, cells, row, scratch)
    if values is None:
        return row, False, None, None, [(e["field"], e["message"]) for e in scratch.errors]
    try:  # an empty cell is "no value": validated as absent, applied as null (clears)
        given = (schema or _Schema())({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        return row, False, None, None, _errors_of(exc)
    except (TypeError, ValueError) as exc:
        return row, False, None, None, [("row", str(exc))]
    guid = given.get("customerGuid")
    system, ident = given.get("externalSystemId"), given.get("externalSystemIdentifier")
    pair = (system, ident) if system is not None and ident else None
    present = {k: given.get(k) for k in values if k in _WRITABLE}
    full = dict(_NONE_FIELDS)
    full.update(present)
    if full.get("fullName") and full["fullName"] == validation.derive_full_name(full):
        full["fullName"] = None  # derived from the name parts: stays derived
    create: rows.New | list[tuple[str, str]]
    try:
        create = rows.prepare(full, guid, row, country, codes, documents, binder)
    except DomainError as exc:
        create = [
            (e.get("field") or "row", e.get("message") or exc.detail)
            for e in exc.errors or [{"field": "row", "message": exc.detail}]
        ]
    keys = (guid, pair, present.get("parentCustomer"))
    return row, True, keys, pair, create


def _prepare_rows(rows: list[tuple[int, list[str]]]) -> list[tuple]:
    s = _STATE
    header, country, codes, schema, documents, binder = (
        s["header"],
        s["country"],
        s["codes"],
        s["schema"],
        s["documents"],
        s["binder"],
    )
    return [_prepare_row(header, country, codes, row, cells, schema, documents, binder) for row, cells in rows]


PREPARE_CHUNK = 250  # rows per task of a worker process


def _ordered(pool, chunks, depth: int):
    """(chunk, its prepared rows) in file order, with at most `depth` chunks in flight in
    the pool (imap would read the whole file ahead into its task queue; this keeps memory
    flat). The chunk's cells stay here: rows that take the per-row path are read again."""
    flight: deque = deque()
    for chunk in chunks:
        flight.append((chunk, pool.apply_async(_prepare_rows, (chunk,))))
        if len(flight) >= depth:
            chunk, result = flight.popleft()
            yield chunk, result.get()
    while flight:
        chunk, result = flight.popleft()
        yield chunk, result.get()


def _chunks(rows, size: int):
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply_chunk(session, company, header, group, report, deferred, creator, flush) -> None:
    """Rows prepared by _prepare_rows with their cells, in file order: creates batched, the
    rest row by row."""
    readable = [p for p, _ in group if p[1]]
    found_guids, found_pairs = bulk.existing(
        session,
        company,
        {p[2][0] for p in readable if p[2][0] is not None},
        {p[3] for p in readable if p[3] is not None},
        creator.started_empty,
    )
    slow_keys = creator.written_keys = set()  # keys written (or seen) after that lookup
    for (row, ok, keys, pair, create), cells in group:
        if not ok:  # unreadable, or refused by the API's schema
            for f, msg in create:
                report.add(row, f, msg)
            continue
        guid, _, parent = keys
        slow = (
            parent is not None or guid in found_guids or pair in found_pairs or guid in slow_keys or pair in slow_keys
        )
        if creator.holds(guid, pair, parent):
            flush()  # the row names a customer still pending: write that first
            slow = True
        if slow:  # an update, a parent, or a key seen before: the ORM path, row by row
            _apply_row(
                session, company, _row_values(header, cells, row, report), row, report, deferred, creator.numbers
            )
            slow_keys.update(k for k in (guid, pair) if k is not None)  # also written now
            continue
        if isinstance(create, list):
            for f, msg in create:
                report.add(row, f, msg)
            continue
        create.raw = cells
        creator.add(create)
    flush()


def _pool(jobs: int, initargs: tuple):
    """`jobs` worker processes for _prepare_rows. Forked from this process where the
    platform can (the workers share its imported modules' pages instead of importing the
    application again: the import's memory is this process plus what each worker
    changes); gc.freeze() keeps the collector from touching, and so copying, those pages.
    The caller must not run other threads (the CLI's progress bar refreshes on reads)."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    gc.collect()
    gc.freeze()
    try:
        return multiprocessing.get_context(method).Pool(jobs, initializer=_init_worker, initargs=initargs)
    finally:
        gc.unfreeze()


def run(
    session: Session,
    company: Company,
    stream: IO[str],
    mode: str = "all-or-nothing",
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> Report:
    """Import `stream` (text, opened with newline="") into `company`. Leaves the outcome in
    the session's transaction: the caller commits, or rolls back when `not report.written`.
    In valid-rows mode, batches are committed along the way. `jobs` > 1: that many worker
    processes validate the rows (the CLI, for large files); the database work stays here."""
    if mode not in MODES:
        raise BadRequest(
            f"mode must be one of {', '.join(MODES)}", [{"field": "mode", "message": "all-or-nothing or valid-rows"}]
        )
    report = Report(mode=mode)
    reader = csv.reader(stream, strict=True)
    header = read_header(reader)
    deferred: list = []
    creator = bulk.Creator(session, company)
    lines = _rows(reader, report, progress)

    def flush() -> None:
        for new in creator.flush():  # a batch the database refused: row by row, to name why
            _apply_row(
                session,
                company,
                _row_values(header, new.raw, new.row, report),
                new.row,
                report,
                deferred,
                creator.numbers,
            )
        report.created += creator.written
        creator.written = 0

    initargs = (header, company.country_code, dict(creator.codes.known), company.cuid, session.get_bind().dialect.name)
    pool = None
    if jobs > 1:
        pool = _pool(jobs, initargs)
        prepared = _ordered(pool, _chunks(lines, PREPARE_CHUNK), depth=4 * jobs)
    else:
        _init_worker(*initargs)
        prepared = ((chunk, _prepare_rows(chunk)) for chunk in _chunks(lines, PREPARE_CHUNK))
    # Customer numbers are counted in memory for the whole transaction (bulk.Numbers: one
    # UPDATE of the company row per transaction, written before each COMMIT).
    try:
        pairs = ((p, cells) for chunk, part in prepared for p, (_, cells) in zip(part, chunk))
        for group in _chunks(pairs, COMMIT_EVERY):
            _apply_chunk(session, company, header, group, report, deferred, creator, flush)
            if mode == "valid-rows" and not deferred:
                creator.numbers.store()
                writer.finish(session, company.cuid)
                session.commit()
        creator.numbers.store()  # the caller commits (or rolls back, undoing it)
    finally:
        if pool is not None:
            pool.terminate()
    if deferred:
        _resolve_parents(session, company, deferred, report)
    writer.finish(session, company.cuid)
    return report
