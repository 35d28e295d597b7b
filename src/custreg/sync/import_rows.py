"""Reading and preparing the rows of a CSV import (docs/export.md): the header, each row's
cells as the API's values, the per-row report, and `prepare_row` — the API's validation
and customers.rows.prepare — which needs no database, so large files run it in worker
processes (`pool`)."""

import csv
import gc
import json
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from custreg.customers import document, rows, validation
from custreg.customers.schemas import CustomerCreate
from custreg.errors import MAX_LISTED_ERRORS, BadRequest, DomainError, listed
from custreg.limits import MAX_HEADER_COLUMNS, too_many
from custreg.sync import import_addresses
from custreg.sync.csv_format import (
    COLUMNS,
    FIELD_COLUMNS,
    READ_ONLY_COLUMNS,
    WRITABLE_COLUMNS,
    is_formula,
    unneutralize,
)

MAX_REPORTED = MAX_LISTED_ERRORS  # errors listed in a report; more are counted (docs/limits.md)
CELL_LIMIT = 1024 * 1024  # the largest cell the csv module reads (its default is 128 KiB)


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
    sink: Callable[[int, str, str], None] | None = field(default=None, repr=False)  # every error, unlisted too

    def add(self, row: int, field_name: str, message: str) -> None:
        if self.sink is not None:
            self.sink(row, field_name, message)
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
    if len(header) > MAX_HEADER_COLUMNS:
        raise too_many("header", MAX_HEADER_COLUMNS, "columns")
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise BadRequest(
            f"Unknown column(s): {listed(repr(u) for u in unknown)}",
            [{"field": u, "message": "not a column of the export"} for u in unknown],
        )
    dupes = sorted(n for n, times in Counter(names).items() if times > 1)
    if dupes:
        raise BadRequest(
            f"Duplicate column(s): {', '.join(dupes)}", [{"field": d, "message": "appears twice"} for d in dupes]
        )
    return names


def row_values(header: list[str], cells: list[str], row: int, report: Report) -> dict | None:
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


def errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
        out.append((loc[0] if loc else "row", e.get("msg", "invalid").removeprefix("Value error, ")))
    return out


def numbered_rows(reader, report: Report, progress):
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


class Schema:
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


def init_worker(
    header: list[str], country: str, known: dict, cuid: str | None = None, dialect: str = "sqlite", copies: tuple = ()
) -> None:
    _STATE.update(
        copies=copies,
        header=header,
        country=country,
        codes=rows.Codes(known),
        schema=Schema(),
        documents=document.NewDocuments(cuid or "", rows.VALUE_FIELDS, rows.ADDRESS_FIELDS),
        binder=rows.binder_for(dialect),
    )


NONE_FIELDS = dict.fromkeys(FIELD_COLUMNS)
WRITABLE = frozenset(WRITABLE_COLUMNS)


def prepare_row(
    header, country, codes, row: int, cells: list[str], schema=None, documents=None, binder=None, copies=()
) -> tuple:
    """(row, readable, keys, pair, create) where create is a bulk.New or the errors a create
    of the row would raise; readable False: the row failed already (errors in create)."""
    scratch = Report(mode="scratch")
    values = row_values(header, cells, row, scratch)
    if values is None:
        return row, False, None, None, [(e["field"], e["message"]) for e in scratch.errors]
    parts = import_addresses.split(values)
    try:  # an empty cell is "no value": validated as absent, applied as null (clears)
        given = (schema or Schema())({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        return row, False, None, None, errors_of(exc)
    except (TypeError, ValueError) as exc:
        return row, False, None, None, [("row", str(exc))]
    guid = given.get("customerGuid")
    system, ident = given.get("externalSystemId"), given.get("externalSystemIdentifier")
    pair = (system, ident) if system is not None and ident else None
    present = {k: given.get(k) for k in values if k in WRITABLE}
    full = dict(NONE_FIELDS)
    full.update(present)
    if full.get("fullName") and full["fullName"] == validation.derive_full_name(full):
        full["fullName"] = None  # derived from the name parts: stays derived
    create: rows.New | list[tuple[str, str]] | None
    try:
        create = rows.prepare(full, guid, row, country, codes, documents, binder, copies)
    except DomainError as exc:
        create = [
            (e.get("field") or "row", e.get("message") or exc.detail)
            for e in exc.errors or [{"field": "row", "message": exc.detail}]
        ]
    keys = (guid, pair, present.get("parentCustomer"))
    if import_addresses.given(parts) and not isinstance(create, list):
        create = None  # address records too: row by row (sync/import_addresses.py)
    return row, True, keys, pair, create


def prepare_rows(numbered: list[tuple[int, list[str]]]) -> list[tuple]:
    s = _STATE
    header, country, codes, schema, documents, binder, copies = (
        s["header"],
        s["country"],
        s["codes"],
        s["schema"],
        s["documents"],
        s["binder"],
        s["copies"],
    )
    return [
        prepare_row(header, country, codes, row, cells, schema, documents, binder, copies) for row, cells in numbered
    ]


PREPARE_CHUNK = 250  # rows per task of a worker process


def ordered(workers, parts, depth: int):
    """(chunk, its prepared rows) in file order, with at most `depth` chunks in flight in
    the pool (imap would read the whole file ahead into its task queue; this keeps memory
    flat). The chunk's cells stay here: rows that take the per-row path are read again."""
    flight: deque = deque()
    for chunk in parts:
        flight.append((chunk, workers.apply_async(prepare_rows, (chunk,))))
        if len(flight) >= depth:
            chunk, result = flight.popleft()
            yield chunk, result.get()
    while flight:
        chunk, result = flight.popleft()
        yield chunk, result.get()


def chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def pool(jobs: int, initargs: tuple):
    """`jobs` worker processes for prepare_rows. Forked from this process where the
    platform can (the workers share its imported modules' pages instead of importing the
    application again: the import's memory is this process plus what each worker
    changes); gc.freeze() keeps the collector from touching, and so copying, those pages,
    and in this process from scanning them again and again while the rows stream in
    (a quarter of the writer's time went to collections); `close` unfreezes them.
    The caller must not run other threads (the CLI's progress bar refreshes on reads)."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    gc.collect()
    gc.freeze()
    try:
        return multiprocessing.get_context(method).Pool(jobs, initializer=init_worker, initargs=initargs)
    except BaseException:
        gc.unfreeze()
        raise


def close(workers) -> None:
    """End the pool's processes; the collector sees this process's objects again."""
    workers.terminate()
    gc.unfreeze()
