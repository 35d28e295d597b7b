"""The Billmate (seed 003) endpoints under /compat/billmate/customers."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import Field
from sqlalchemy import select

from custreg.compat.billmate.export import stream
from custreg.compat.billmate.mapping import QUERY_NAMES, BillmateCustomerIn, billmate
from custreg.compat.billmate.write import write
from custreg.compat.common import HeaderDeleteCtx, HeaderReadCtx, HeaderWriteCtx, seed_names, translate_query
from custreg.customers import queries as customer_queries
from custreg.customers import service
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.db.routing import TransactionalRoute
from custreg.errors import NotFound, listed
from custreg.limits import MAX_BULK_KEYS
from custreg.lookups import service as lookups
from custreg.lookups.schemas import OrgNumberResult
from custreg.paging import ListParams, list_params

router = APIRouter(
    prefix="/compat/billmate/customers", tags=["compat: Billmate (seed 003)"], route_class=TransactionalRoute
)


def _get(ctx, key: int, *, lock: bool = False) -> Customer:
    return service.get(ctx.session, ctx.company, str(key), for_update=lock)


Key = Annotated[int, Path(ge=1, le=2**62, description="mexcParamvaluesetsid: the customer number")]
Number = Annotated[int, Field(ge=1, le=2**62, description="mexcParamvaluesetsid: the customer number")]
SearchWord = Annotated[str | None, Query(max_length=200, description="Free text, as on the native list")]
FromDate = Annotated[str | None, Query(description="Changed at or after")]


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


@router.get(
    "",
    response_model=list[BillmateCustomerIn],
    summary="GET /customers: the customers (a page: $top, $skip; searchWord, fromDate)",
)
def list_customers(
    ctx: HeaderReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
) -> list[dict[str, Any]]:
    _total, rows = customer_queries.list_page(ctx.session, ctx.company, _params(params), **_query(searchWord, fromDate))
    ids = [c.id for c, _a in rows]
    full = {
        c.id: c
        for c in ctx.session.scalars(select(Customer).where(Customer.id.in_(ids)).options(*service.load_options()))
    }
    return [billmate(full[i]) for i in ids]


@router.post("", status_code=201, response_model=BillmateCustomerIn, summary="POST /customers: place a new customer")
def create_customer(body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:
    c = write(ctx, None, body.model_dump(exclude_unset=True))
    customer_writer.flush(ctx.session)
    return billmate(_get(ctx, c.customer_number))


@router.delete("", summary="DELETE /customers: remove several, all or nothing")
def delete_customers(ctx: HeaderDeleteCtx, keys: Annotated[list[int | str], Body(max_length=1000)]) -> dict[str, Any]:
    return {"result": "Removed", "count": service.bulk_delete(ctx.session, ctx.company, keys)}


@router.get("/count", summary="GET /customers/count: how many match")
def count_customers(
    ctx: HeaderReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
) -> dict[str, int]:
    return {"count": customer_queries.count(ctx.session, ctx.company, _params(params), **_query(searchWord, fromDate))}


@router.get(
    "/searchByOrgNumber/{orgNum}",
    response_model=OrgNumberResult,
    summary="GET /customers/searchByOrgNumber/{orgNum}: the person/company details",
)
def search_by_org_number(ctx: HeaderReadCtx, orgNum: Annotated[str, Path(max_length=40)]):
    with seed_names({"orgNumber": "orgNum"}):
        c, a = lookups.by_org_number(ctx.session, ctx.company, orgNum)
    return OrgNumberResult(**lookups.org_number_result(c, a))


def _export_routes(fmt: str) -> None:
    @router.get(
        f"/export/{fmt}",
        response_class=StreamingResponse,
        summary=f"GET /customers/export/{fmt}: every customer, the seed's fields (streamed)",
        name=f"export_{fmt}",
    )
    def export_all(ctx: HeaderReadCtx, searchWord: SearchWord = None, fromDate: FromDate = None):
        where = customer_queries.conditions(ctx.company, ListParams(), **_query(searchWord, fromDate))
        return stream(ctx, fmt, where, [])

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
    summary="PATCH /customers/{mexcParamvaluesetsid}: the fields sent change; null clears",
)
def patch_customer(mexcParamvaluesetsid: Key, body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:
    c = write(ctx, _get(ctx, mexcParamvaluesetsid, lock=True), body.model_dump(exclude_unset=True))
    customer_writer.flush(ctx.session)
    return billmate(_get(ctx, c.customer_number))
