from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from custreg.access.context import Ctx, CustomerPath, DeleteCtx, ReadCtx, WriteCtx
from custreg.customers import hooks, queries, read, service, shape, writer
from custreg.customers.models import Customer
from custreg.customers.schemas import (
    CustomerCreate,
    CustomerDetail,
    CustomerNumberList,
    CustomerPatch,
    CustomerRead,
    CustomerReplace,
    CustomerSummary,
    Removed,
)
from custreg.db.routing import TransactionalRoute
from custreg.errors import FieldErrors, Unprocessable
from custreg.etags import IfMatch
from custreg.paging import ListParams, Page, list_params

router = APIRouter(prefix="/v1/companies/{cuid}/customers", tags=["customers"], route_class=TransactionalRoute)

SearchWord = Annotated[
    str | None,
    Query(
        max_length=200,
        description=(
            "Free text over names, number, idNumber, vatNumber, email, phones and city; case- and accent-insensitive"
        ),
    ),
]
FromDate = Annotated[str | None, Query(description="Only customers changed at or after this date or date-time")]
IncludeExcluded = Annotated[bool, Query(description="Include customers marked excluded")]
Select = Annotated[
    str | None,
    Query(
        alias="$select",
        max_length=2000,
        description="Fields to show, e.g. `lastName,email`; customerGuid, customerNumber, version and links always",
    ),
]
SUMMARY_FIELDS = tuple(CustomerRead.model_fields)  # what `$select` may name on a list
LIST_FIELDS = tuple(CustomerSummary.model_fields)  # a list item without `$select`
_LIGHT = frozenset(LIST_FIELDS)
DETAIL_FIELDS = tuple(CustomerDetail.model_fields)


def _query(search_word, from_date, include_excluded) -> dict:
    return {
        "search_word": search_word,
        "from_date": queries.parse_from_date(from_date),
        "include_excluded": include_excluded,
    }


@router.get("", response_model=Page[CustomerSummary])
def list_customers(
    cuid: str,
    ctx: ReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
    includeExcluded: IncludeExcluded = False,
    select: Select = None,
) -> Response:
    """List customers: `$filter`, `$orderby`, `$top`, `$skip`, `$select`, `searchWord`, `fromDate`.
    An item is the customer's summary; `$select` names other fields (GET of one: the whole)."""
    fields = read.selection(select, SUMMARY_FIELDS)
    # The summary's columns only, unless `$select` names another field: then every field's.
    light = fields is None or _LIGHT.issuperset(fields)
    view = shape.LIST_FIELDS if light else shape.SUMMARY_FIELDS
    total, rows = queries.list_page(
        ctx.session, ctx.company, params, fields=view, **_query(searchWord, fromDate, includeExcluded)
    )
    body = read.page_json(
        rows, view, cuid, skip=params.skip, total=total, next_link=params.next_link(len(rows), total), select=fields
    )
    return Response(body, media_type="application/json")


@router.get("/count", response_model=CustomerNumberList)
def count_customers(
    ctx: ReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: SearchWord = None,
    fromDate: FromDate = None,
    includeExcluded: IncludeExcluded = False,
) -> CustomerNumberList:
    """How many customers match the same query parameters as the list."""
    n = queries.count(ctx.session, ctx.company, params, **_query(searchWord, fromDate, includeExcluded))
    return CustomerNumberList(count=n)


@router.post("", status_code=201, response_model=CustomerDetail)
def create_customer(cuid: str, body: CustomerCreate, ctx: WriteCtx) -> Response:
    """Create a customer; its number is the company's next. 201 with `Location`."""
    created, customer = create(ctx, body)
    headers = {"Location": f"/v1/companies/{cuid}/customers/{created.customer_guid}", "ETag": '"1"'}
    if customer is None and created.document is not None:  # the document as stored: GET's bytes
        return Response(created.document, status_code=201, media_type="application/json", headers=headers)
    customer = customer or service.get(ctx.session, ctx.company, str(created.customer_guid))
    return Response(
        read.detail(customer, cuid).model_dump_json(), status_code=201, media_type="application/json", headers=headers
    )


def create(ctx: Ctx, body: CustomerCreate) -> tuple[writer.Created, Customer | None]:
    """Create the customer of `body` with its nested records (every bad one named); the
    customer as loaded when records were written with it, else None."""
    values = body.model_dump(exclude={"customerGuid"})
    created = service.create(ctx.session, ctx.company, values, customer_guid=body.customerGuid)
    if not any(values.get(f) for f in WITH_RECORDS):
        return created, None
    customer = service.get(ctx.session, ctx.company, str(created.customer_guid))
    errors = FieldErrors()
    for hook in hooks.NESTED:
        try:
            hook(ctx, customer, body)
        except Unprocessable as exc:
            for e in exc.errors or [{"field": "body", "message": exc.detail}]:
                errors.add(e["field"], e["message"])
    errors.raise_if_any()
    writer.mark(ctx.session, customer)
    writer.flush(ctx.session)
    return created, customer


def create_detail(cuid: str, body: CustomerCreate, ctx: Ctx) -> CustomerDetail:
    """Create through the one path and give the new customer's model (compat APIs)."""
    created, customer = create(ctx, body)
    return read.detail(customer or service.get(ctx.session, ctx.company, str(created.customer_guid)), cuid)


# Fields of a create that write records beside the customer's own rows.
WITH_RECORDS = ("addresses", "bankAccounts", "contacts", "externalIds", "attachedUsers")


@router.delete("", response_model=Removed, name="delete_many_customers")  # operationId customers_delete_many
def delete_customers(
    ctx: DeleteCtx, keys: Annotated[list[int | str], Body(description="Customer numbers or GUIDs", max_length=1000)]
) -> Removed:
    """Delete several customers, all or nothing."""
    return Removed(count=service.bulk_delete(ctx.session, ctx.company, keys))


@router.get("/{customer}", response_model=CustomerDetail)
def get_customer(cuid: str, customer: CustomerPath, ctx: ReadCtx, select: Select = None) -> Response:
    """The whole customer by number or GUID, its records included (`$select`: some fields). Sends an `ETag`."""
    fields = read.selection(select, DETAIL_FIELDS)
    stored = service.stored_document(ctx.session, ctx.company, customer)
    if stored is not None:  # the common case: one indexed read, no rendering
        body, version = stored
    else:  # no stored document (a related customer changed, another tool wrote): rendered live
        c = service.get(ctx.session, ctx.company, customer)
        body, version = read.detail(c, cuid).model_dump_json(), c.version
        if service.was_merged(c, customer):  # the survivor answers, saying so
            body = read.merged_from(body, customer)
    if fields is not None:
        body = read.selected(body, fields)
    return Response(body, media_type="application/json", headers={"ETag": f'"{version}"'})


@router.put("/{customer}", response_model=CustomerDetail)
def replace_customer(
    cuid: str,
    customer: CustomerPath,
    body: CustomerReplace,
    ctx: WriteCtx,
    response: Response,
    if_match: IfMatch = None,
) -> CustomerDetail:
    """Replace every customer field: a missing or null field is cleared (main address too)."""
    c = service.get(ctx.session, ctx.company, customer, for_update=True)
    service.check_if_match(c, if_match)
    service.replace(ctx.session, ctx.company, c, body.model_dump(exclude={"customerGuid"}))
    response.headers["ETag"] = f'"{c.version}"'
    return read.detail(c, cuid)


@router.patch("/{customer}", response_model=CustomerDetail)
def patch_customer(
    cuid: str, customer: CustomerPath, body: CustomerPatch, ctx: WriteCtx, response: Response, if_match: IfMatch = None
) -> CustomerDetail:
    """JSON merge patch: only the fields sent change; `null` clears a field."""
    c = service.get(ctx.session, ctx.company, customer, for_update=True)
    service.check_if_match(c, if_match)
    service.patch(ctx.session, ctx.company, c, body.model_dump(exclude_unset=True, exclude={"customerGuid"}))
    response.headers["ETag"] = f'"{c.version}"'
    return read.detail(c, cuid)


@router.delete("/{customer}", status_code=204)
def delete_customer(customer: CustomerPath, ctx: DeleteCtx, if_match: IfMatch = None) -> Response:
    """Delete a customer; a tombstone stays in the change feed. A merged customer's old
    number or GUID is a 404 here (it would delete the survivor)."""
    c = service.get(ctx.session, ctx.company, customer, for_update=True, follow_merged=False)
    service.check_if_match(c, if_match)
    service.delete(ctx.session, c)
    return Response(status_code=204)
