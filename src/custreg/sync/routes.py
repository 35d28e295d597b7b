"""HTTP: the change feed, CSV/XML export and CSV import (contract sections 6 and 8)."""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from custreg.access.context import ReadCtx, WriteCtx
from custreg.customers import queries as customer_queries
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError, NotFound, listed, problem
from custreg.limits import MAX_BULK_KEYS
from custreg.odata import parse_orderby
from custreg.paging import ListParams
from custreg.sync import dialects, export, feed, import_process

router = APIRouter(prefix="/v1/companies/{cuid}", tags=["sync"], route_class=TransactionalRoute)
transfer = APIRouter(
    prefix="/v1/companies/{cuid}/customers", tags=["export and import"], route_class=TransactionalRoute
)


class FeedChange(BaseModel):
    cursor: str = Field(description="Position of this change; pass it as `cursor` to continue after it")
    customerGuid: uuid.UUID
    customerNumber: int
    op: Literal["upsert", "delete"]
    at: dt.datetime


class ChangesPage(BaseModel):
    changes: list[FeedChange]
    nextCursor: str = Field(description="Where to continue; the given cursor when nothing is new")


@router.get(
    "/changes", response_model=ChangesPage, responses={410: {"description": "The cursor is older than the feed keeps"}}
)
def list_changes(
    ctx: ReadCtx,
    cursor: Annotated[
        str | None,
        Query(max_length=40, description=("nextCursor of the previous page; empty: from the oldest retained change")),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT, description="At most this many changes")] = 100,
) -> ChangesPage:
    """Every create, update and delete of a customer in commit order, deletes as tombstones
    (`op: delete`). Poll with `nextCursor`; a cursor never passes a change that commits later.
    410 when the cursor is older than the feed's retention (docs/sync.md)."""
    rows, next_cursor = feed.read(ctx.session, ctx.company.id, cursor, limit)
    return ChangesPage(
        changes=[
            FeedChange(
                cursor=str(r.id), customerGuid=r.customer_guid, customerNumber=r.customer_number, op=r.op, at=r.at
            )
            for r in rows
        ],
        nextCursor=next_cursor,
    )


# ------------------------------------------------------------------ export

SearchWord = Annotated[str | None, Query(max_length=200, description="As on the list")]
FromDate = Annotated[str | None, Query(description="Only customers changed at or after this")]
IncludeExcluded = Annotated[bool, Query(description="Include customers marked excluded")]
Filter = Annotated[str | None, Query(alias="$filter", max_length=4000, description="OData filter, as on the list")]
OrderBy = Annotated[str | None, Query(alias="$orderby", max_length=1000, description="As on the list")]
Keys = Annotated[list[int | str], Body(max_length=MAX_BULK_KEYS, description="Customer numbers or GUIDs to export")]

MEDIA = {"csv": "text/csv; charset=utf-8", "xml": "application/xml; charset=utf-8"}


def csv_dialect(
    dialect: Annotated[
        dialects.Dialect,
        Query(
            description="`rfc4180` (default): `,` between cells, no BOM. `excel`: `;` between cells and "
            "a UTF-8 BOM, which a spreadsheet with a Nordic locale opens without an import step; "
            "the same cells, formula neutralization included (docs/export.md)"
        ),
    ] = "rfc4180",
) -> dialects.Dialect:
    return dialect


def no_dialect() -> dialects.Dialect:
    return "rfc4180"


def _stream(
    ctx, fmt: str, where: list, order: list, id_chunks=None, dialect: dialects.Dialect = "rfc4180"
) -> StreamingResponse:
    engine = ctx.request.app.state.db.engine
    body = (
        export.csv_export(engine, where, order, id_chunks, dialect=dialect)
        if fmt == "csv"
        else export.xml_export(engine, where, order, ctx.cuid, id_chunks)
    )
    return StreamingResponse(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="customers-{ctx.cuid}.{fmt}"'},
    )


def _query_export(ctx, fmt, filter_, orderby, search_word, from_date, include_excluded, dialect):
    params = ListParams(filter=filter_, orderby=orderby)
    where = customer_queries.conditions(
        ctx.company,
        params,
        dialect=ctx.session.get_bind().dialect.name,
        search_word=search_word,
        from_date=customer_queries.parse_from_date(from_date),
        include_excluded=include_excluded,
    )
    order = parse_orderby(orderby, customer_queries.FILTER_FIELDS) if orderby else []
    return _stream(ctx, fmt, where, order, dialect=dialect)


def _selected_export(ctx, fmt, keys: list[int | str], dialect: dialects.Dialect) -> StreamingResponse:
    numbers: dict[int, str] = {}
    guids: dict[uuid.UUID, str] = {}
    missing: list[str] = []
    for key in keys:
        text = str(key).strip()
        try:
            kind, value = customers.parse_key(text)
        except NotFound:
            missing.append(text)
            continue
        if kind == "number" and not 0 < value < 2**63:  # no such number (nor a BIGINT)
            missing.append(text)
            continue
        (numbers if kind == "number" else guids)[value] = text
    found: dict[int, int] = {}  # customer id → number
    for column, wanted in ((Customer.customer_number, numbers), (Customer.customer_guid, guids)):
        items = list(wanted)
        for i in range(0, len(items), 500):
            chunk = items[i : i + 500]
            for cid, number, guid in ctx.session.execute(
                select(Customer.id, Customer.customer_number, Customer.customer_guid).where(
                    Customer.company_id == ctx.company.id, column.in_(chunk)
                )
            ):
                found[cid] = number
                wanted.pop(number if column is Customer.customer_number else guid, None)
        missing += list(wanted.values())
    if missing:
        raise NotFound(
            f"Unknown customers: {listed(missing)}",
            [{"field": "body", "message": f"unknown customer {k}"} for k in missing],
        )
    ids = [cid for cid, _n in sorted(found.items(), key=lambda item: item[1])]
    chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
    return _stream(ctx, fmt, [Customer.company_id == ctx.company.id], [], chunks, dialect)


def _export_routes(fmt: str) -> None:
    path = f"/export.{fmt}"
    chosen = csv_dialect if fmt == "csv" else no_dialect  # `dialect` is a parameter of the CSV only

    @transfer.get(
        path,
        response_class=StreamingResponse,
        responses={200: {"content": {MEDIA[fmt].split(";")[0]: {}}}},
        summary=f"Export customers as {fmt.upper()}",
        name=f"export_{fmt}",
    )
    def export_query(
        ctx: ReadCtx,
        filter_: Filter = None,
        orderby: OrderBy = None,
        searchWord: SearchWord = None,
        fromDate: FromDate = None,
        includeExcluded: IncludeExcluded = False,
        dialect: dialects.Dialect = Depends(chosen),
    ):
        """Every customer the list's query parameters match, no page limit, streamed
        (docs/export.md gives the columns and the XML layout)."""
        return _query_export(ctx, fmt, filter_, orderby, searchWord, fromDate, includeExcluded, dialect)

    @transfer.post(
        path,
        response_class=StreamingResponse,
        responses={200: {"content": {MEDIA[fmt].split(";")[0]: {}}}},
        summary=f"Export selected customers as {fmt.upper()}",
        name=f"export_selected_{fmt}",
    )
    def export_selected(ctx: ReadCtx, keys: Keys, dialect: dialects.Dialect = Depends(chosen)):
        """The customers named by number or GUID (unknown ones → 404 naming them)."""
        return _selected_export(ctx, fmt, keys, dialect)

    export_query.__name__ = f"export_{fmt}"
    export_selected.__name__ = f"export_selected_{fmt}"


_export_routes("csv")
_export_routes("xml")


# ------------------------------------------------------------------ import


class ImportError_(BaseModel):
    row: int = Field(description="Record number in the file; the header is row 1")
    field: str
    message: str


class ImportReport(BaseModel):
    mode: str
    rows: int = Field(description="Data rows read")
    created: int
    updated: int
    failed: int = Field(description="Rows with at least one error (not written)")
    errors: list[ImportError_]
    errorsNotListed: int = Field(description="Errors beyond the first 100, only counted")


CSV_TYPES = ("text/csv", "application/csv", "application/vnd.ms-excel")


@transfer.post(
    "/import",
    response_model=ImportReport,
    status_code=200,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}}
    },
    responses={422: {"description": "all-or-nothing: a row failed, nothing written"}},
)
async def import_customers(
    request: Request,
    ctx: WriteCtx,
    mode: Annotated[
        Literal["all-or-nothing", "valid-rows"],
        Query(
            description="all-or-nothing (default): one bad row → nothing written, 422; "
            "valid-rows: good rows are written, bad ones reported"
        ),
    ] = "all-or-nothing",
) -> Any:
    """Import a CSV with the export's columns (any subset, any order; a UTF-8 BOM is fine;
    `;` between cells, as the excel dialect of the export writes them, is read too).
    Rows with `customerGuid` of an existing customer update it; others create customers.
    Answers a per-row report `{row, field, message}`."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in CSV_TYPES:
        raise _unsupported()
    spool = await import_process.spool(request.app.state.settings, request.stream(), "body")
    body, written = await import_process.imported(ctx, spool, mode)
    if not written:
        return problem(
            422,
            f"{body['failed']} row(s) failed; nothing was written (all-or-nothing)",
            instance=request.url.path,
            errors=body["errors"],
            **{k: v for k, v in body.items() if k != "errors"},
        )
    return JSONResponse(body)


class _UnsupportedMedia(DomainError):
    status = 415


def _unsupported() -> DomainError:
    return _UnsupportedMedia(
        "POST /customers/import takes text/csv", [{"field": "Content-Type", "message": "must be text/csv"}]
    )
