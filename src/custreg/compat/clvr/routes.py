"""The CLVR (seed 002) endpoints under /compat/clvr/customers: the customer, its details and
its records."""

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from fastapi import APIRouter, Body, Depends, Path, Response
from pydantic import BaseModel, Field

from custreg.actions.schemas import ActionResponse
from custreg.actions.service import ACTIONS
from custreg.actions.service import respond as respond_action
from custreg.compat.clvr.mapping import (
    NATIVE_TO_SEED,
    PREFIX,
    ClvrCustomer,
    ClvrCustomerIn,
    ClvrCustomerSummary,
    ClvrCustomerUpdate,
    as_datetime,
    clvr_customer,
    clvr_summary,
    customer_query,
    native_customer,
)
from custreg.compat.clvr.records import (
    ACTION,
    ADDRESS,
    EXTRA_FIELD,
    INSURANCE,
    LOAN,
    MANDATE,
    PARAMETER,
    Mapping,
    clvr_account,
    clvr_loan,
)
from custreg.compat.common import (
    HeaderDeleteCtx,
    HeaderReadCtx,
    HeaderWriteCtx,
    loose,
    seed_names,
    translate_query,
    validate,
)
from custreg.customers import queries as customer_queries
from custreg.customers import read, service
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.db.routing import TransactionalRoute
from custreg.errors import Unprocessable
from custreg.limits import MAX_BODY_ITEMS
from custreg.loans.service import balances
from custreg.paging import ListParams, Page, list_params
from custreg.records import create as create_record
from custreg.records import delete as delete_record
from custreg.records import find as find_record
from custreg.records import get as get_record
from custreg.records import list_page as list_records
from custreg.records import replace as replace_record
from custreg.records import set_signature, to_dict

router = APIRouter(prefix=PREFIX, tags=["compat: Aptic CLVR (seed 002)"], route_class=TransactionalRoute)


def _params(params: ListParams, names: dict[str, str]) -> ListParams:
    return params.model_copy(
        update={"filter": translate_query(params.filter, names), "orderby": translate_query(params.orderby, names)}
    )


def _customer(ctx, guid: str, *, lock: bool = False, full: bool = True) -> Customer:
    return service.get(ctx.session, ctx.company, guid, for_update=lock, full=full)


Guid = Annotated[str, Path(description="The customer's GUID (its number works too)")]


# ----------------------------------------------------------------- customers


@router.get("", response_model=Page[ClvrCustomerSummary], summary="List customers ({count, skip, total, value})")
def list_customers(ctx: HeaderReadCtx, params: Annotated[ListParams, Depends(list_params)]) -> dict[str, Any]:
    params = params.model_copy(
        update={"filter": customer_query(params.filter), "orderby": customer_query(params.orderby)}
    )
    total, rows = customer_queries.list_page(
        ctx.session, ctx.company, params, search_word=None, from_date=None, include_excluded=False
    )
    value = [clvr_summary(c) for c, _a in rows]
    return {"count": len(value), "skip": params.skip, "total": total, "value": value}


@router.post("", status_code=201, response_model=ClvrCustomer, summary="Create a customer")
def create_customer(body: ClvrCustomerIn, ctx: HeaderWriteCtx, response: Response) -> dict[str, Any]:
    with seed_names({"juridicalType": "juridicalType", "gender": "gender"}):
        data = native_customer(body.model_dump(exclude_unset=True))
    native = validate(CustomerCreate, data, NATIVE_TO_SEED)
    with seed_names(NATIVE_TO_SEED):
        c = service.create(
            ctx.session, ctx.company, native.model_dump(exclude={"customerGuid"}), customer_guid=native.customerGuid
        )
    response.headers["Location"] = f"{PREFIX}/{c.customer_guid}"
    return clvr_customer(_customer(ctx, str(c.customer_guid)), ctx.cuid)


@router.get("/{guid}", response_model=ClvrCustomer, summary="The customer")
def get_customer(guid: Guid, ctx: HeaderReadCtx) -> dict[str, Any]:
    return clvr_customer(_customer(ctx, guid), ctx.cuid)


def _update(guid: str, body, ctx) -> dict[str, Any]:
    c = _customer(ctx, guid, lock=True)
    with seed_names({"juridicalType": "juridicalType", "gender": "gender"}):
        data = native_customer(body.model_dump(exclude_unset=True, exclude={"customerGuid"}))
    changes = validate(CustomerPatch, data, NATIVE_TO_SEED).model_dump(exclude_unset=True, exclude={"customerGuid"})
    with seed_names(NATIVE_TO_SEED):
        service.patch(ctx.session, ctx.company, c, changes)
    return clvr_customer(c, ctx.cuid)


@router.put("/{guid}", response_model=ClvrCustomer, summary="Update the customer: the fields sent change; null clears")
def update_customer(guid: Guid, body: ClvrCustomerUpdate, ctx: HeaderWriteCtx) -> dict[str, Any]:
    return _update(guid, body, ctx)


@router.patch("/{guid}", response_model=ClvrCustomer, summary="Update the customer (as PUT)")
def patch_customer(guid: Guid, body: ClvrCustomerUpdate, ctx: HeaderWriteCtx) -> dict[str, Any]:
    return _update(guid, body, ctx)


@router.get(
    "/{guid}/details",
    summary="Engagements: the loans as accounts with their balances summed (totalBalance, "
    "accountBalance), guarantees, collaterals and related customers (myGuarantors, guaranteeFor, "
    "allRelatedCustomers), and `loans`; custreg keeps no ledger of invoices or purchases (empty)",
)
def customer_details(guid: Guid, ctx: HeaderReadCtx) -> dict[str, Any]:
    c = _customer(ctx, guid)
    d = read.detail(c, ctx.cuid).model_dump(mode="json")

    def related(items: list[dict], guid_field: str) -> list[dict]:
        out = []
        for r in items:
            r = dict(r, dateOfBirth=as_datetime(r.get("dateOfBirth")))
            r["links"] = [
                {
                    "type": "GET",
                    "name": "self",
                    "href": f"{PREFIX}/{r[guid_field]}",
                    "resource": "customer",
                    "guid": r[guid_field],
                }
            ]
            out.append(r)
        return out

    balance, currency = balances(c)
    return {
        "totalBalance": float(balance) if balance is not None else None,
        "accountBalance": float(balance) if balance is not None else None,
        "currencyCode": currency,
        "unsettledPaymentBalance": None,
        "purchases": [],
        "invoices": [],
        "accounts": [clvr_account(loan) for loan in c.loans],
        "guarantees": [
            dict(g, guaranteeDate=as_datetime(g.get("guaranteeDate")), validUntil=as_datetime(g.get("validUntil")))
            for g in d["guarantees"]
        ],
        "collaterals": [
            dict(
                x,
                pledgeDate=as_datetime(x.get("pledgeDate")),
                insuranceExpiryDate=as_datetime(x.get("insuranceExpiryDate")),
            )
            for x in d["collaterals"]
        ],
        "myGuarantors": related(d["myGuarantors"], "guarantorGuid"),
        "guaranteeFor": related(d["guaranteeFor"], "customerGuid"),
        "allRelatedCustomers": related(d["allRelatedCustomers"], "customerGuid"),
        "loans": [clvr_loan(loan) for loan in c.loans],
    }


# ----------------------------------------------------------------- records


def _page(m: Mapping, c: Customer, ctx, params: ListParams) -> dict[str, Any]:
    with seed_names(m.errors):
        total, rows = list_records(ctx.session, m.kind, c, _params(params, m.query))
    value = [m.out(r, c) for r in rows]
    return {"count": len(value), "skip": params.skip, "total": total, "value": value}


def _routes(
    m: Mapping,
    *,
    create: bool = True,
    put: bool = True,
    delete: bool = True,
    put_creates: bool = False,
    post_many: bool = False,
) -> None:
    item = f"/{{guid}}/{m.path}/{{{m.id_param}}}"
    if TYPE_CHECKING:  # built at run time; FastAPI reads it from the annotations
        Body_: TypeAlias = BaseModel
    else:
        Body_ = loose(
            f"Clvr{m.kind.title.title().replace(' ', '')}",
            {m.errors.get(f, f): f for f in m.kind.write_schema.model_fields if f not in m.kind.write_schema.read_only}
            # What a GET gave may be sent back (the seed's `href`, the times): accepted, ignored.
            | dict.fromkeys(sorted(m.kind.write_schema.read_only), "Read-only; ignored"),
        )

    def list_(guid: Guid, ctx: HeaderReadCtx, params: Annotated[ListParams, Depends(list_params)]):
        return _page(m, _customer(ctx, guid, full=False), ctx, params)

    def one(guid: Guid, ctx: HeaderReadCtx, key: str):
        c = _customer(ctx, guid, full=False)
        return m.out(get_record(ctx.session, m.kind, c, key), c)

    def make(ctx, c: Customer, body: dict[str, Any]):
        values = m.validate(body)
        with seed_names(m.errors):
            return create_record(ctx.session, ctx.company, m.kind, c, values, actor=ctx.actor)

    def post(guid: Guid, ctx: HeaderWriteCtx, body: Any):
        c = _customer(ctx, guid, lock=True, full=False)
        if post_many and isinstance(body, list):
            return [m.out(make(ctx, c, b if isinstance(b, dict) else {}), c) for b in body]
        return m.out(make(ctx, c, body if isinstance(body, dict) else {}), c)

    def put_(guid: Guid, ctx: HeaderWriteCtx, key: str, body: dict[str, Any], response: Response):
        c = _customer(ctx, guid, lock=True, full=False)
        if put_creates and m.kind.key is not None:  # put_creates: a kind with named records
            with seed_names(m.errors):
                name = m.kind.key(key)
                record = find_record(ctx.session, m.kind, c, name)
            if record is None:
                response.status_code = 201
                return m.out(make(ctx, c, body | {m.kind.id_field: name}), c)
        else:
            record = get_record(ctx.session, m.kind, c, key)
        values = m.validate(body | ({m.kind.id_field: key} if put_creates else {}))
        if m.update_lacks:  # what the seed's update cannot send stays as it is
            current = to_dict(m.kind, record)
            values |= {f: current[f] for f in m.update_lacks if f not in body}
        with seed_names(m.errors):
            replace_record(ctx.session, ctx.company, m.kind, c, record, values, actor=ctx.actor)
        return m.out(record, c)

    def del_(guid: Guid, ctx: HeaderDeleteCtx, key: str):
        c = _customer(ctx, guid, lock=True, full=False)
        delete_record(ctx.session, m.kind, c, get_record(ctx.session, m.kind, c, key), actor=ctx.actor)
        return Response(status_code=204)

    def keyed(fn: Callable, name: str) -> Callable:
        sig = inspect.signature(fn)
        params = [
            p.replace(name=m.id_param, annotation=Annotated[str, Path()]) if p.name == "key" else p
            for p in sig.parameters.values()
        ]

        def wrapper(**kwargs):
            kwargs["key"] = kwargs.pop(m.id_param)
            return fn(**kwargs)

        set_signature(wrapper, sig.replace(parameters=params))
        wrapper.__name__ = f"clvr_{name}_{m.path}"
        return wrapper

    def named(fn: Callable, name: str) -> Callable:
        fn.__name__ = f"clvr_{name}_{m.path}"
        return fn

    if TYPE_CHECKING:
        body_type: TypeAlias = list[Body_] | Body_
    else:
        body_type = Annotated[list[Body_], Field(max_length=MAX_BODY_ITEMS)] | Body_ if post_many else Body_

    def post_doc(guid: Guid, ctx: HeaderWriteCtx, body: Annotated[body_type, Body()]):
        data = (
            [b.model_dump(exclude_unset=True) for b in body]
            if isinstance(body, list)
            else body.model_dump(exclude_unset=True)
        )
        return post(guid, ctx, data)

    def put_doc(guid: Guid, ctx: HeaderWriteCtx, key: str, body: Annotated[body_type, Body()], response: Response):
        if isinstance(body, list):  # the seed's update of a parameter sends the list shape: one item
            if len(body) != 1:
                raise Unprocessable(
                    f"Send one {m.kind.title} to replace", [{"field": "body", "message": "a list of exactly one item"}]
                )
            body = body[0]
        return put_(guid, ctx, key, body.model_dump(exclude_unset=True), response)

    router.get(f"/{{guid}}/{m.path}", summary=f"List {m.path}")(named(list_, "list"))
    if create:
        router.post(f"/{{guid}}/{m.path}", status_code=201, summary=f"Create {m.kind.title}")(named(post_doc, "create"))
    router.get(item, summary=f"One {m.kind.title}")(keyed(one, "get"))
    if put:
        # put_creates: PUT of a name the customer lacks creates it (201), as the seed's PUT does.
        created: dict[int | str, dict[str, Any]] | None = (
            {201: {"description": f"The {m.kind.title} was created", "content": {"application/json": {"schema": {}}}}}
            if put_creates
            else None
        )
        router.put(item, summary=f"Replace {m.kind.a_title}: missing or null clears", responses=created)(
            keyed(put_doc, "put")
        )
    if delete:
        router.delete(item, status_code=204, summary=f"Delete {m.kind.a_title}")(keyed(del_, "delete"))


_routes(ADDRESS)
_routes(PARAMETER, put_creates=True, post_many=True)
_routes(EXTRA_FIELD, put_creates=True)
_routes(MANDATE, put=False, delete=False)
_routes(INSURANCE)
_routes(ACTION, create=False, put=False, delete=False)


@router.post("/{guid}/actions/{actionGuid}/response", summary="Answer a question/action")
def action_response(
    guid: Guid, actionGuid: Annotated[str, Path()], body: ActionResponse, ctx: HeaderWriteCtx
) -> dict[str, Any]:
    c = _customer(ctx, guid, lock=True, full=False)
    action = get_record(ctx.session, ACTIONS, c, actionGuid)
    respond_action(ctx.session, c, action, body.model_dump(), ctx.actor)
    return ACTION.out(action, c)


@router.get("/{guid}/loans", summary="The customer's loans with their periods (a bare array, as the seed)")
def clvr_list_loans(
    guid: Guid, ctx: HeaderReadCtx, params: Annotated[ListParams, Depends(list_params)]
) -> list[dict[str, Any]]:
    c = _customer(ctx, guid, full=False)
    with seed_names(LOAN.errors):
        _total, rows = list_records(ctx.session, LOAN.kind, c, _params(params, LOAN.query))
    return [clvr_loan(r) for r in rows]
