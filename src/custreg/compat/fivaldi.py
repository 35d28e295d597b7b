"""Seed 000 (Fivaldi customer register) over the native services.

Native field names; `id` is the customer number; `address-id`/`account-id` are the
records' GUIDs. Reads need `customers:read` ("käyttö"), writes `customers:write` ("lisäys").
The customer update methods leave addresses and bank accounts alone: main-address fields
(the LEGAL address) in their bodies are ignored; the address methods change them.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from custreg.access.context import ReadCtx, WriteCtx
from custreg.addresses.schemas import AddressFields, AddressRead
from custreg.addresses.service import ADDRESSES
from custreg.bank_accounts.schemas import BankAccountFields, BankAccountRead
from custreg.bank_accounts.service import BANK_ACCOUNTS
from custreg.compat.common import validate
from custreg.customers import queries as customer_queries
from custreg.customers import read, service
from custreg.customers import routes as customer_routes
from custreg.customers import shape as customer_shape
from custreg.customers.schemas import (
    MAIN_ADDRESS_FIELDS,
    CustomerCreate,
    CustomerDetail,
    CustomerPatch,
    CustomerRead,
    CustomerReplace,
)
from custreg.db.routing import TransactionalRoute
from custreg.paging import ListParams, list_params
from custreg.records import create as create_record
from custreg.records import get as get_record
from custreg.records import read as read_record
from custreg.records import replace as replace_record
from custreg.register import service as register
from custreg.register.schemas import BasicDetails

router = APIRouter(
    prefix="/compat/fivaldi/companies/{cuid}/customers",
    tags=["compat: Fivaldi (seed 000)"],
    route_class=TransactionalRoute,
)

CustomerId = Annotated[str, Path(description="Customer id: the customer number (a GUID works too)")]


class FivaldiCustomer(CustomerRead):
    id: int


class FivaldiCustomerDetail(CustomerDetail):
    id: int


class FivaldiPage(BaseModel):
    count: int
    skip: int
    total: int
    value: list[FivaldiCustomer]


def _detail(c, cuid: str) -> dict[str, Any]:
    return read.detail(c, cuid).model_dump(mode="json") | {"id": c.customer_number}


@router.get("", response_model=FivaldiPage, summary="GET /customers: list (searchWord, fromDate)")
def list_customers(
    cuid: str,
    ctx: ReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: Annotated[str | None, Query(max_length=200)] = None,
    fromDate: Annotated[str | None, Query(description="Changed at or after")] = None,
):
    total, rows = customer_queries.list_page(
        ctx.session,
        ctx.company,
        params,
        search_word=searchWord,
        from_date=customer_queries.parse_from_date(fromDate),
        include_excluded=False,
    )
    value = [read.summary(c, a, cuid).model_dump(mode="json") | {"id": c.customer_number} for c, a in rows]
    return {"count": len(value), "skip": params.skip, "total": total, "value": value}


@router.get(
    "/getCustomerRegisterBasicDetails",
    response_model=BasicDetails,
    summary="GET /customers/getCustomerRegisterBasicDetails: the company's configuration",
)
def basic_details(ctx: ReadCtx):
    return BasicDetails.model_validate(register.basic_details(ctx.session, ctx.company))


@router.get("/{id}", response_model=FivaldiCustomerDetail, summary="GET /customers/{id}: the whole customer")
def get_customer(cuid: str, id: CustomerId, ctx: ReadCtx, response: Response):
    c = service.get(ctx.session, ctx.company, id)
    response.headers["ETag"] = f'"{c.version}"'
    return read.detail(c, cuid).model_dump(mode="json") | {"id": c.customer_number}


@router.post(
    "/createCustomer",
    status_code=201,
    response_model=FivaldiCustomerDetail,
    summary="POST /customers/createCustomer: with addresses and bank accounts; id = next number",
)
def create_customer(cuid: str, body: CustomerCreate, ctx: WriteCtx, response: Response):
    # The native create, nested addresses/bank accounts/contacts/external ids included.
    model = customer_routes.create_detail(cuid, body, ctx)
    response.headers["ETag"] = f'"{model.version}"'
    response.headers["Location"] = f"{router.prefix.replace('{cuid}', cuid)}/{model.customerNumber}"
    return model.model_dump(mode="json") | {"id": model.customerNumber}


def _keep_addresses(c, values: dict[str, Any]) -> dict[str, Any]:
    """The main-address fields stay as stored: these methods do not touch addresses."""
    current = customer_shape.values_of(c, customer_shape.main_address(c))
    return values | {f: current[f] for f in MAIN_ADDRESS_FIELDS}


class FivaldiReplace(CustomerReplace):
    id: int | str | None = Field(None, description="Ignored: the path's id wins")


@router.post(
    "/{id}/updateCustomerAllFields",
    response_model=FivaldiCustomerDetail,
    summary="POST /customers/{id}/updateCustomerAllFields: missing or null deletes",
)
def update_all_fields(cuid: str, id: CustomerId, body: FivaldiReplace, ctx: WriteCtx):
    c = service.get(ctx.session, ctx.company, id, for_update=True)
    values = body.model_dump(exclude={"customerGuid", "id"})
    service.replace(ctx.session, ctx.company, c, _keep_addresses(c, values))
    return _detail(c, cuid)


@router.post(
    "/{id}/updateCustomer",
    response_model=FivaldiCustomerDetail,
    summary="POST /customers/{id}/updateCustomer: missing or null ignored",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerPatch"}}},
        }
    },
)
def update_customer(
    cuid: str,
    id: CustomerId,
    ctx: WriteCtx,
    body: Annotated[dict[str, Any], Body(description="Customer fields; null ones are ignored")],
):
    # A null is ignored whatever the field (even one the register does not have).
    sent = {k: v for k, v in body.items() if v is not None and k not in ("id", "customerGuid")}
    changes = validate(CustomerPatch, sent).model_dump(exclude_unset=True, exclude={"customerGuid"})
    changes = {k: v for k, v in changes.items() if v is not None and k not in MAIN_ADDRESS_FIELDS}
    c = service.get(ctx.session, ctx.company, id, for_update=True)
    service.patch(ctx.session, ctx.company, c, changes)
    return _detail(c, cuid)


@router.post(
    "/{id}/createAddress",
    status_code=201,
    response_model=AddressRead,
    summary="POST /customers/{id}/createAddress: address-id set by the register",
)
def create_address(id: CustomerId, body: AddressFields, ctx: WriteCtx):
    c = service.get(ctx.session, ctx.company, id, for_update=True, full=False)
    return read_record(
        ADDRESSES, create_record(ctx.session, ctx.company, ADDRESSES, c, body.model_dump(), actor=ctx.actor)
    )


@router.post(
    "/{id}/address/{address_id}/updateAddressAllFields",
    response_model=AddressRead,
    summary="POST .../address/{address-id}/updateAddressAllFields: missing or null deletes",
)
def update_address(
    id: CustomerId,
    body: AddressFields,
    ctx: WriteCtx,
    address_id: Annotated[str, Path(description="address-id: the address GUID")],
):
    c = service.get(ctx.session, ctx.company, id, for_update=True, full=False)
    record = get_record(ctx.session, ADDRESSES, c, address_id)  # the path's id wins
    replace_record(ctx.session, ctx.company, ADDRESSES, c, record, body.model_dump(exclude_unset=True), actor=ctx.actor)
    return read_record(ADDRESSES, record)


@router.post(
    "/{id}/createBankAccount",
    status_code=201,
    response_model=BankAccountRead,
    summary="POST /customers/{id}/createBankAccount: IBAN/BBAN/SWIFT derived",
)
def create_bank_account(id: CustomerId, body: BankAccountFields, ctx: WriteCtx):
    c = service.get(ctx.session, ctx.company, id, for_update=True, full=False)
    return read_record(
        BANK_ACCOUNTS, create_record(ctx.session, ctx.company, BANK_ACCOUNTS, c, body.model_dump(), actor=ctx.actor)
    )


@router.post(
    "/{id}/bank-account/{account_id}/updateBankAccountAllFields",
    response_model=BankAccountRead,
    summary="POST .../bank-account/{account-id}/updateBankAccountAllFields: missing or null deletes",
)
def update_bank_account(
    id: CustomerId,
    body: BankAccountFields,
    ctx: WriteCtx,
    account_id: Annotated[str, Path(description="account-id: the bank account GUID")],
):
    c = service.get(ctx.session, ctx.company, id, for_update=True, full=False)
    record = get_record(ctx.session, BANK_ACCOUNTS, c, account_id)
    replace_record(
        ctx.session, ctx.company, BANK_ACCOUNTS, c, record, body.model_dump(exclude_unset=True), actor=ctx.actor
    )
    return read_record(BANK_ACCOUNTS, record)
