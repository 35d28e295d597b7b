"""The Billmate (seed 003) endpoints under /compat/billmate/customers."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from custreg.addresses.models import Address
from custreg.compat.billmate import filters as bm_filters
from custreg.compat.billmate import importing
from custreg.compat.billmate.export import stream
from custreg.compat.billmate.mapping import QUERY_NAMES, BillmateCustomerIn, billmate
from custreg.compat.billmate.write import write
from custreg.compat.common import HeaderDeleteCtx, HeaderReadCtx, HeaderWriteCtx, seed_names, translate_query
from custreg.customers import queries as customer_queries
from custreg.customers import service
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.customers.shape import MAIN_ADDRESS_JOIN
from custreg.db.execution import run_unit
from custreg.db.routing import TransactionalRoute
from custreg.errors import NotFound, listed
from custreg.limits import MAX_BULK_KEYS
from custreg.lookups import service as lookups
from custreg.lookups.schemas import OrgNumberResult
from custreg.odata import parse_orderby
from custreg.paging import MAX_SKIP, MAX_TOP, ListParams, list_params

router = APIRouter(
    prefix="/compat/billmate/customers", tags=["compat: Billmate (seed 003)"], route_class=TransactionalRoute
)


def _get(ctx, key: int, *, lock: bool = False) -> Customer:
    return service.get(ctx.session, ctx.company, str(key), for_update=lock)


Key = Annotated[int, Path(ge=1, le=2**62, description="mexcParamvaluesetsid: the customer number")]
Number = Annotated[int, Field(ge=1, le=2**62, description="mexcParamvaluesetsid: the customer number")]
# The native list's options, still taken (integrations written against the seed use them) but
# not in the OpenAPI: Billmate's published API names only its own parameters, and `$filter`
# beside its `filter` is one Python name to a client generator.
SearchWord = Annotated[str | None, Query(max_length=200, include_in_schema=False)]
FromDate = Annotated[str | None, Query(include_in_schema=False)]


async def native_list_params(
    request: Request,
    filter: Annotated[str | None, Query(alias="$filter", max_length=4000, include_in_schema=False)] = None,
    orderby: Annotated[str | None, Query(alias="$orderby", max_length=1000, include_in_schema=False)] = None,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP, include_in_schema=False)] = 25,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP, include_in_schema=False)] = 0,
) -> ListParams:
    return await list_params(request, filter, orderby, top, skip)


def _query(search_word, from_date) -> dict[str, Any]:
    return {
        "search_word": search_word,
        "from_date": customer_queries.parse_from_date(from_date),
        "include_excluded": False,
    }


def _params(params: ListParams) -> ListParams:
    return params.model_copy(
        update={
            "filter": translate_query(params.filter, QUERY_NAMES),
            "orderby": translate_query(params.orderby, QUERY_NAMES),
        }
    )


Filters = Annotated[bm_filters.Filters, Depends(bm_filters.filters)]


def _where(ctx, params: ListParams, f: bm_filters.Filters, search_word, from_date) -> list:
    dialect = ctx.session.get_bind().dialect.name
    query = _query(search_word, from_date)
    where = customer_queries.conditions(ctx.company, _params(params), dialect=dialect, **query)
    return where + bm_filters.conditions(f, dialect, ctx.company)


@router.get("/", include_in_schema=False)  # the docs write `/customers/?filter=...`: served, not redirected
@router.get(
    "",
    response_model=list[BillmateCustomerIn],
    response_model_exclude_unset=True,
    summary="GET /customers: a page of customers (limit, start, filter, from, to, search, is*)",
)
def list_customers(
    request: Request,
    ctx: HeaderReadCtx,
    params: Annotated[ListParams, Depends(native_list_params)],
    f: Filters,
    limit: Annotated[int | None, Query(ge=0, description="Page size (default 100, at most 1000)")] = None,
    start: Annotated[int | None, Query(ge=0, le=2**62, description="Offset")] = None,
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
) -> list[dict[str, Any]]:
    """A bare array in customer-number order (or `$orderby`); `$top`/`$skip` work too."""
    top = params.top if "$top" in request.query_params else 100 if limit is None else limit
    skip = params.skip if start is None else start
    where = _where(ctx, params, f, searchWord, fromDate)
    orderby = _params(params).orderby
    order = parse_orderby(orderby, customer_queries.FILTER_FIELDS) if orderby else []
    ids = ctx.session.scalars(
        select(Customer.id)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(*where)
        .order_by(*order, Customer.customer_number)
        .limit(min(top, bm_filters.LIMIT_MAX))
        .offset(skip)
    ).all()
    full = {
        c.id: c
        for c in ctx.session.scalars(select(Customer).where(Customer.id.in_(ids)).options(*service.load_options()))
    }
    return [billmate(full[i]) for i in ids]


@router.post("/", response_model=BillmateCustomerIn, response_model_exclude_unset=True, include_in_schema=False)
@router.post(
    "",
    response_model=BillmateCustomerIn,
    response_model_exclude_unset=True,
    summary="POST /customers: place a new customer (200, as published)",
)
def create_customer(body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:
    c = write(ctx, None, body.model_dump(exclude_unset=True))
    customer_writer.flush(ctx.session)
    return billmate(_get(ctx, c.customer_number))


@router.delete("/", include_in_schema=False)
@router.delete("", summary="DELETE /customers: remove several, all or nothing")
def delete_customers(ctx: HeaderDeleteCtx, keys: Annotated[list[int | str], Body(max_length=1000)]) -> dict[str, Any]:
    return {"result": "Removed", "count": service.bulk_delete(ctx.session, ctx.company, keys)}


@router.post(
    "/import",
    summary="POST /customers/import: Billmate's own CSV export read back (not in the vendor's API)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_csv(request: Request, ctx: HeaderWriteCtx) -> dict[str, int]:
    """Rows naming a customer of the company update it; other rows create customers; all or
    nothing. Answers `{created, updated}`."""
    data = await request.body()  # before the unit of work opens (bounded by the body limit)
    return await run_unit(importing.run, {"ctx": ctx, "data": data}, write=True)


@router.get("/count", summary="GET /customers/count: how many match")
def count_customers(
    ctx: HeaderReadCtx,
    params: Annotated[ListParams, Depends(native_list_params)],
    f: Filters,
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
) -> dict[str, int]:
    where = _where(ctx, params, f, searchWord, fromDate)
    inner = select(Customer.id).outerjoin(Address, MAIN_ADDRESS_JOIN).where(*where).subquery()
    return {"count": ctx.session.scalar(select(func.count()).select_from(inner)) or 0}


class AddressResponse(BaseModel):
    """The published addressResponse: strings ("" when unset), `zip` an integer (left out
    when the postal code is not digits)."""

    firstname: str = ""
    lastname: str = ""
    company: str = ""
    street: str = ""
    zip: int | None = None
    city: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""


@router.get(
    "/searchByOrgNumber/{orgNum}",
    response_model=AddressResponse,
    response_model_exclude_none=True,
    summary="GET /customers/searchByOrgNumber/{orgNum}: the person/company details",
)
def search_by_org_number(ctx: HeaderReadCtx, orgNum: Annotated[str, Path(max_length=40)]) -> AddressResponse:
    with seed_names({"orgNumber": "orgNum"}):
        c, a = lookups.by_org_number(ctx.session, ctx.company, orgNum)
    found = OrgNumberResult(**lookups.org_number_result(c, a)).model_dump()
    digits = (found.pop("zip") or "").replace(" ", "")
    return AddressResponse(
        **{k: v or "" for k, v in found.items()}, zip=int(digits) if digits.isdigit() and len(digits) < 16 else None
    )


def _export_routes(fmt: str) -> None:
    @router.get(
        f"/export/{fmt}",
        response_class=StreamingResponse,
        summary=f"GET /customers/export/{fmt}: every customer, the seed's fields (streamed)",
        name=f"export_{fmt}",
    )
    def export_all(ctx: HeaderReadCtx, f: Filters, searchWord: SearchWord = None, fromDate: FromDate = None):
        """The customers the list's filters select (all without one)."""
        return stream(ctx, fmt, _where(ctx, ListParams(), f, searchWord, fromDate), [])

    @router.post(
        f"/export/{fmt}",
        response_class=StreamingResponse,
        summary=f"POST /customers/export/{fmt}: the customers named (mexcParamvaluesetsid); unknown → 404",
        name=f"export_selected_{fmt}",
    )
    def export_selected(ctx: HeaderReadCtx, keys: Annotated[list[Number], Body(max_length=MAX_BULK_KEYS)]):
        wanted, found = list(dict.fromkeys(keys)), dict[int, int]()
        for i in range(0, len(wanted), 500):
            found |= dict(
                ctx.session.execute(
                    select(Customer.customer_number, Customer.id).where(
                        Customer.company_id == ctx.company.id, Customer.customer_number.in_(wanted[i : i + 500])
                    )
                ).all()
            )
        missing = [str(k) for k in wanted if k not in found]
        if missing:
            raise NotFound(
                f"Unknown customers: {listed(missing)}",
                [{"field": "body", "message": f"unknown customer {k}"} for k in missing],
            )
        ids = [found[k] for k in sorted(found)]
        return stream(
            ctx, fmt, [Customer.company_id == ctx.company.id], [], [ids[i : i + 500] for i in range(0, len(ids), 500)]
        )

    export_all.__name__, export_selected.__name__ = (f"billmate_export_{fmt}", f"billmate_export_selected_{fmt}")


_export_routes("xml")
_export_routes("csv")


@router.get(
    "/{mexcParamvaluesetsid}",
    response_model=BillmateCustomerIn,
    response_model_exclude_unset=True,
    summary="GET /customers/{mexcParamvaluesetsid}: one customer",
)
def get_customer(mexcParamvaluesetsid: Key, ctx: HeaderReadCtx) -> dict[str, Any]:
    return billmate(_get(ctx, mexcParamvaluesetsid))


@router.delete("/{mexcParamvaluesetsid}", summary="DELETE /customers/{mexcParamvaluesetsid}")
def delete_customer(mexcParamvaluesetsid: Key, ctx: HeaderDeleteCtx) -> dict[str, Any]:
    service.delete(ctx.session, _get(ctx, mexcParamvaluesetsid, lock=True))
    return {"result": "Removed", "mexcParamvaluesetsid": mexcParamvaluesetsid}


@router.patch(
    "/{mexcParamvaluesetsid}",
    response_model=BillmateCustomerIn,
    response_model_exclude_unset=True,
    summary="PATCH /customers/{mexcParamvaluesetsid}: the fields sent change; null clears",
)
def patch_customer(mexcParamvaluesetsid: Key, body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:
    c = write(ctx, _get(ctx, mexcParamvaluesetsid, lock=True), body.model_dump(exclude_unset=True))
    customer_writer.flush(ctx.session)
    return billmate(_get(ctx, c.customer_number))
