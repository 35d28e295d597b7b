"""Visma Fivaldi Customer API (2.12.0), the customer register, as the vendor serves it:
`/compat/fivaldi` + the vendor's paths (`/customer/api/companies/{cuid}/customers...`),
its DTOs, bare-array lists, 200 on every success, errors `{status, message, errors}`, and
its HMAC request signature (compat/fivaldi/auth.py). docs/compat.md, "Fivaldi"."""

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from custreg.access import scopes
from custreg.access.auth import Principal
from custreg.compat.fivaldi import basic, service
from custreg.compat.fivaldi import mapping as m
from custreg.compat.fivaldi.auth import FivaldiCtx, requires, signed_with
from custreg.customers import queries as customer_queries
from custreg.db.routing import TransactionalRoute
from custreg.errors import BadRequest, DomainError
from custreg.paging import ListParams
from custreg.register import service as register

PREFIX = "/compat/fivaldi/customer/api/companies/{cuid}/customers"
LIST_MAX = 10_000  # the most customers one list answers (the vendor's lists have no paging)
HELSINKI = ZoneInfo("Europe/Helsinki")


class FivaldiRoute(TransactionalRoute):
    """Errors in Fivaldi's shape: ApiErrorList `{status, message, errors}` (400 for every
    invalid request, the native 422s included), ApiError `{status, message}` otherwise."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except DomainError as exc:
                return _error(exc)
            except RequestValidationError as exc:
                errors = [".".join(str(p) for p in e["loc"][1:]) + ": " + e["msg"] for e in exc.errors()]
                return JSONResponse({"status": 400, "message": "Validation failed", "errors": errors}, 400)

        return route


def _error(exc: DomainError) -> JSONResponse:
    status = 400 if exc.status == 422 else exc.status
    body: dict[str, Any] = {"status": status, "message": exc.detail}
    if status == 400:
        lines = [f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in exc.errors]
        body["errors"] = list(dict.fromkeys(lines)) or [exc.detail]
    return JSONResponse(body, status, headers=exc.headers)


router = APIRouter(prefix=PREFIX, tags=["compat: Fivaldi (seed 000)"], route_class=FivaldiRoute)

# `GET /customer/api/ping`: the smoke test of the vendor's examples (not in the OpenAPI).
ping_router = APIRouter(
    prefix="/compat/fivaldi/customer/api", tags=["compat: Fivaldi (seed 000)"], route_class=FivaldiRoute
)


@ping_router.get("/ping", summary="ping: a signed request's smoke test")
async def ping(principal: Annotated[Principal, signed_with(scopes.READ)]) -> JSONResponse:
    """200 when the signature verifies (a client holding customers:read)."""
    return JSONResponse({"status": "OK"})


ReadCtx = Annotated[FivaldiCtx, requires(scopes.READ)]
WriteCtx = Annotated[FivaldiCtx, requires(scopes.WRITE)]
Id = Annotated[str, Path(description="customerId: the customer number")]
Fields = Annotated[str | None, Query(max_length=4000, description="Comma-separated property names to return")]


def _body(ctx: FivaldiCtx) -> Any:
    """The JSON body exactly as signed (never re-serialised)."""
    try:
        return json.loads(ctx.body or b"{}")
    except ValueError:
        raise BadRequest("Malformed JSON body", [{"field": "body", "message": "not valid JSON"}]) from None


def parse_from_date(value: str | None) -> dt.datetime | None:
    """`fromDate=dd.mm.yyyy`: changed on that day (Finnish time) or later."""
    if value is None or not value.strip():
        return None
    try:
        day = dt.datetime.strptime(value.strip(), "%d.%m.%Y")
    except ValueError:
        raise BadRequest(
            "fromDate must be dd.mm.yyyy", [{"field": "fromDate", "message": "must be dd.mm.yyyy"}]
        ) from None
    return day.replace(tzinfo=HELSINKI).astimezone(dt.UTC)


@router.get("/getCustomerRegisterBasicDetails", summary="getCustomerRegisterBasicDetails")
def basic_details(ctx: ReadCtx, fields: Fields = None) -> JSONResponse:
    """The company's register configuration in Fivaldi's `*DTOList` shape."""
    out = basic.details(register.basic_details(ctx.session, ctx.company))
    return JSONResponse(m.select(out, m.parse_fields(fields)))


@router.get("", summary="customers: list (searchWord, fromDate, fields)")
def list_customers(
    ctx: ReadCtx,
    searchWord: Annotated[str | None, Query(max_length=200)] = None,
    fromDate: Annotated[str | None, Query(description="dd.mm.yyyy: changed on that day or later")] = None,
    fields: Fields = None,
) -> JSONResponse:
    """CustomerEntityDTO[]: a bare array, in customer-number order (at most 10,000)."""
    _, rows = customer_queries.list_page(
        ctx.session,
        ctx.company,
        ListParams(top=LIST_MAX),
        search_word=searchWord or None,
        from_date=parse_from_date(fromDate),
        include_excluded=False,
    )
    kept = service.extras_of_many(ctx.session, [c.id for c, _ in rows])
    names = m.parse_fields(fields)
    return JSONResponse([m.select(service.list_item(c, a, ctx.cuid, kept.get(c.id, {})), names) for c, a in rows])


@router.get("/{id}", summary="customers/{id}: one customer")
def get_customer(ctx: ReadCtx, id: Id, fields: Fields = None) -> JSONResponse:
    """CustomerEntityDetailsDTO with its addresses and bank accounts."""
    c = service.get(ctx, id)
    return JSONResponse(m.select(service.customer_dto(ctx.session, c, ctx.cuid), m.parse_fields(fields)))


@router.post("/createCustomer", summary="createCustomer")
def create_customer(ctx: WriteCtx) -> JSONResponse:
    """A new customer (customerId: the company's next customer number) with its addresses
    and bank accounts. 200 with the CustomerEntityDetailsDTO."""
    return JSONResponse(service.create(ctx, _body(ctx)))


@router.post("/{id}/updateCustomerAllFields", summary="updateCustomerAllFields")
def update_all_fields(ctx: WriteCtx, id: Id) -> JSONResponse:
    """Every field of Fivaldi's DTO set from the body (a missing one cleared); addresses
    and bank accounts untouched."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.update(ctx, c, _body(ctx), all_fields=True))


@router.post("/{id}/updateCustomer", summary="updateCustomer")
def update_customer(ctx: WriteCtx, id: Id) -> JSONResponse:
    """The fields given (null ones ignored); addresses and bank accounts untouched."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.update(ctx, c, _body(ctx), all_fields=False))


@router.post("/{id}/createAddress", summary="createAddress")
def create_address(ctx: WriteCtx, id: Id) -> JSONResponse:
    """A new address (addressId set by the register)."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.add_address(ctx, c, _body(ctx)))


@router.post("/{id}/address/{address_id}/updateAddressAllFields", summary="updateAddressAllFields")
def update_address(
    ctx: WriteCtx, id: Id, address_id: Annotated[str, Path(description="address-id: the addressId")]
) -> JSONResponse:
    """Every field of the address from the body; the path's addressId wins."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.replace_address(ctx, c, address_id, _body(ctx)))


@router.post("/{id}/createBankAccount", summary="createBankAccount")
def create_bank_account(ctx: WriteCtx, id: Id) -> JSONResponse:
    """A new bank account: BBAN and SWIFT derived from an IBAN, else IBAN and SWIFT from the BBAN."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.add_bank_account(ctx, c, _body(ctx)))


@router.post("/{id}/bank-account/{account_id}/updateBankAccountAllFields", summary="updateBankAccountAllFields")
def update_bank_account(
    ctx: WriteCtx, id: Id, account_id: Annotated[str, Path(description="account-id: the bankAccountId")]
) -> JSONResponse:
    """Every field of the bank account from the body; the path's bankAccountId wins."""
    c = service.get(ctx, id, for_update=True)
    return JSONResponse(service.replace_bank_account(ctx, c, account_id, _body(ctx)))
