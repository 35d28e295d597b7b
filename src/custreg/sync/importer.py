"""CSV import (docs/export.md): the export's columns in, every row validated with the API's
rules, a per-row report. New customers go through the one write path in batches
(sync/bulk.Creator → customers.writer.create); a row that updates a customer (its
`customerGuid` or external id names one) or names a parent goes through customers.service
in a SAVEPOINT, so a bad row leaves nothing behind. `all-or-nothing` (default) is one
transaction; `valid-rows` commits every COMMIT_EVERY rows. Rows are read and prepared by
sync/import_rows.py, in worker processes for a large file."""

import csv
from collections.abc import Callable
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import hooks, validation, writer
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate
from custreg.customers.shape import main_address, values_of
from custreg.errors import BadRequest, DomainError
from custreg.external_ids.models import ExternalId
from custreg.sync import bulk, import_addresses, import_rows
from custreg.sync.csv_format import FIELD_COLUMNS, WRITABLE_COLUMNS

MODES = ("all-or-nothing", "valid-rows")
COMMIT_EVERY = 1000  # valid-rows: rows per transaction


def _apply_row(
    session: Session,
    company: Company,
    values: dict[str, Any] | None,
    row: int,
    report: import_rows.Report,
    deferred: list,
    creator: bulk.Creator,
) -> None:
    """One row through customers.service, in a SAVEPOINT: a bad row leaves nothing behind."""
    if values is None:  # unreadable: reported by import_rows.row_values
        return
    creator.catch_up()  # the row may update a customer of this import: its words first
    numbers = creator.numbers
    parts = import_addresses.split(values)
    try:  # an empty cell is "no value": validated as absent, applied as null (clears)
        body = CustomerCreate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        for f, msg in import_rows.errors_of(exc):
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
    if existing is None:
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
                import_addresses.apply(session, company, c, parts, new=False)
                outcome = "updated"
            else:
                full = dict.fromkeys(FIELD_COLUMNS)
                full.update(present)
                if full.get("fullName") and full["fullName"] == validation.derive_full_name(full):
                    full["fullName"] = None  # derived from the name parts: stays derived
                number = numbers.take(1)
                made = customers.create(session, company, full, customer_guid=body.customerGuid, number=number)
                if parts:
                    c = customers.get(session, company, str(made.customer_guid), for_update=True)
                    import_addresses.apply(session, company, c, parts, new=True)
                if deferred and deferred[-1][0] == row and deferred[-1][1] is None:
                    deferred[-1] = (row, made.customer_guid, parent)
                outcome = "created"
            writer.finish(session)  # inside the savepoint: its copies go with it
        if outcome == "created":
            report.created += 1
        else:
            report.updated += 1
    except DomainError as exc:
        if first is not None:
            numbers.give_back(first)  # the row's savepoint is rolled back: so is its number
        if deferred and deferred[-1][0] == row:
            deferred.pop()
        for e in exc.errors or [{"field": "row", "message": exc.detail}]:
            report.add(row, e.get("field") or "row", e.get("message") or exc.detail)
    except (IntegrityError, DataError) as exc:  # the savepoint is rolled back already
        if first is not None:
            numbers.give_back(first)
        if deferred and deferred[-1][0] == row:
            deferred.pop()
        report.add(row, "row", f"conflicts with stored data ({type(exc.orig).__name__})")


def _resolve_parents(session: Session, company: Company, deferred: list, report: import_rows.Report, creator) -> None:
    creator.catch_up()
    for row, guid, parent in deferred:
        try:
            with session.begin_nested():
                c = customers.get(session, company, str(guid), for_update=True)
                customers.patch(session, company, c, {"parentCustomer": parent})
                writer.finish(session)
        except DomainError as exc:
            for e in exc.errors or [{"field": "parentCustomer", "message": exc.detail}]:
                report.add(row, e.get("field") or "parentCustomer", e.get("message") or exc.detail)


def _apply_chunk(session, company, header, group, report, deferred, creator, flush) -> None:
    """Rows prepared by import_rows.prepare_rows with their cells, in file order: creates batched, the
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
        ) or create is None  # create None: the row writes address records too
        if creator.holds(guid, pair, parent):
            flush()  # the row names a customer still pending: write that first
            slow = True
        if slow:  # an update, a parent, or a key seen before: the ORM path, row by row
            _apply_row(
                session, company, import_rows.row_values(header, cells, row, report), row, report, deferred, creator
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


def run(
    session: Session,
    company: Company,
    stream: IO[str],
    mode: str = "all-or-nothing",
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    large: bulk.LargeLoad | None = None,
    delimiter: str = ",",
    on_error: Callable[[int, str, str], None] | None = None,
) -> import_rows.Report:
    """Import `stream` (text, opened with newline="") into `company`. Leaves the outcome in
    the session's transaction: the caller commits, or rolls back when `not report.written`.
    In valid-rows mode, batches are committed along the way. `jobs` > 1: that many worker
    processes validate the rows (the CLI, for large files); the database work stays here.
    `large`: the per-row work the caller deferred (bulk.LargeLoad); the caller finishes it.
    `delimiter`: `;` for the excel dialect's files (sync/dialects.delimiter_of). `on_error`
    gets every error (row, field, message), also those the report does not list."""
    if mode not in MODES:
        raise BadRequest(
            f"mode must be one of {', '.join(MODES)}", [{"field": "mode", "message": "all-or-nothing or valid-rows"}]
        )
    report = import_rows.Report(mode=mode, sink=on_error)
    csv.field_size_limit(import_rows.CELL_LIMIT)
    reader = csv.reader(stream, strict=True, delimiter=delimiter)
    header = import_rows.read_header(reader)
    deferred: list = []
    creator = bulk.Creator(session, company, large)
    lines = import_rows.numbered_rows(reader, report, progress)

    def flush() -> None:
        for new in creator.flush():  # a batch the database refused: row by row, to name why
            _apply_row(
                session,
                company,
                import_rows.row_values(header, new.raw, new.row, report),
                new.row,
                report,
                deferred,
                creator,
            )
        report.created += creator.written
        creator.written = 0

    initargs = (
        header,
        company.country_code,
        dict(creator.codes.known),
        company.cuid,
        session.get_bind().dialect.name,
        tuple(hooks.COPIES),  # the stored copies' renderers (customers.rows.prepare)
    )
    workers = None
    if jobs > 1:
        workers = import_rows.pool(jobs, initargs)
        prepared = import_rows.ordered(workers, import_rows.chunks(lines, import_rows.PREPARE_CHUNK), depth=4 * jobs)
    else:
        import_rows.init_worker(*initargs)
        prepared = (
            (chunk, import_rows.prepare_rows(chunk)) for chunk in import_rows.chunks(lines, import_rows.PREPARE_CHUNK)
        )
    # Customer numbers are counted in memory for the whole transaction (bulk.Numbers: one
    # UPDATE of the company row per transaction, written before each COMMIT).
    try:
        pairs = ((p, cells) for chunk, part in prepared for p, (_, cells) in zip(part, chunk))
        for group in import_rows.chunks(pairs, COMMIT_EVERY):
            _apply_chunk(session, company, header, group, report, deferred, creator, flush)
            if mode == "valid-rows" and not deferred:
                creator.numbers.store()
                writer.finish(session)
                session.commit()
        creator.numbers.store()  # the caller commits (or rolls back, undoing it)
    finally:
        if workers is not None:
            import_rows.close(workers)
    if deferred:
        _resolve_parents(session, company, deferred, report, creator)
    writer.finish(session)
    return report
