"""Seed 002 (Aptic CLVR customers API) over the native services.

Paths carry no company: the credentials' one company, else `X-Company`. The seed's names
(`firstname`, `lastname`, `middlename`, `validfrom`, `validuntil`, `typeCode`, ...) are mapped
to the native fields; its integer enums are

- `juridicalType`: 0 = natural person (`customerType` PERSON), 1 = juridical person, an
  organisation (COMPANY);
- `gender`: 0 = unknown (UNSPECIFIED), 1 = male (MALE), 2 = female (FEMALE).

Dates arrive and leave as date-times (`2019-08-24T00:00:00Z`); the register keeps the date.
Lists answer `{count, skip, total, value}` and take `$filter/$orderby/$top/$skip` with the
seed's field names in any letter case. Errors are problem details naming the seed's fields.
"""

import datetime as dt
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from fastapi import APIRouter, Body, Depends, Path, Response
from pydantic import BaseModel

from custreg.actions.schemas import ActionResponse
from custreg.actions.service import ACTIONS
from custreg.actions.service import respond as respond_action
from custreg.addresses.service import ADDRESSES
from custreg.choices import _date as date_part
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
from custreg.db.columns import snake
from custreg.db.routing import TransactionalRoute
from custreg.errors import field_error
from custreg.insurances.service import INSURANCES
from custreg.mandates.service import MANDATES
from custreg.paging import ListParams, Page, list_params
from custreg.parameters.service import EXTRA_FIELDS, PARAMETERS
from custreg.records import RecordKind, set_signature
from custreg.records import create as create_record
from custreg.records import delete as delete_record
from custreg.records import find as find_record
from custreg.records import get as get_record
from custreg.records import list_page as list_records
from custreg.records import read as read_record
from custreg.records import replace as replace_record

PREFIX = "/compat/clvr/customers"
router = APIRouter(prefix=PREFIX, tags=["compat: Aptic CLVR (seed 002)"], route_class=TransactionalRoute)

JURIDICAL = {0: "PERSON", 1: "COMPANY"}
GENDER = {0: "UNSPECIFIED", 1: "MALE", 2: "FEMALE"}
# seed name → native name (customers)
CUSTOMER_NAMES = {
    "firstname": "firstName",
    "middlename": "middleName",
    "lastname": "lastName",
    "juridicalType": "customerType",
}
CREATE_FIELDS = (
    "clientReference",
    "customerReference",
    "parentCustomer",
    "idNumber",
    "juridicalType",
    "placeOfBirth",
    "dateOfBirth",
    "gender",
    "cultureCode",
    "fullName",
    "firstname",
    "middlename",
    "lastname",
    "nameSuffix",
    "street",
    "houseNo",
    "houseNoExtension",
    "city",
    "zipCode",
    "stateCode",
    "countryCode",
    "fullAddress",
    "domicile",
    "municipalCode",
    "vatNumber",
    "companyType",
    "glnNumber",
    "naceCode",
    "homePhone",
    "workPhone",
    "cellularPhone",
    "telefax",
    "email",
    "languageCode",
    "currencyCode",
    "preferredChannel",
    "underAged",
    "invoiceChannel",
    "customerGuid",
)
UPDATE_FIELDS = tuple(
    f
    for f in CREATE_FIELDS
    if f
    not in (
        "clientReference",
        "fullName",
        "street",
        "houseNo",
        "houseNoExtension",
        "city",
        "zipCode",
        "stateCode",
        "countryCode",
        "fullAddress",
        "customerGuid",
    )
)
READ_FIELDS = (
    "customerGuid",
    "customerReference",
    "idNumber",
    "juridicalType",
    "placeOfBirth",
    "dateOfBirth",
    "gender",
    "cultureCode",
    "fullName",
    "firstname",
    "middlename",
    "lastname",
    "nameSuffix",
    "contactPerson",
    "domicile",
    "municipalCode",
    "vatNumber",
    "companyType",
    "glnNumber",
    "naceCode",
    "homePhone",
    "workPhone",
    "cellularPhone",
    "telefax",
    "email",
    "languageCode",
    "currencyCode",
    "preferredChannel",
    "underAged",
    "invoiceChannel",
    "regDate",
)
LIST_FIELDS = (
    "customerGuid",
    "customerReference",
    "idNumber",
    "juridicalType",
    "placeOfBirth",
    "dateOfBirth",
    "fullName",
    "vatNumber",
    "naceCode",
    "homePhone",
    "workPhone",
    "cellularPhone",
    "email",
    "languageCode",
    "currencyCode",
)
NATIVE_TO_SEED = {v: k for k, v in CUSTOMER_NAMES.items()}

# What a GET answers may be sent back: its read-only fields are accepted and ignored.
READ_ONLY = ("customerNumber", "regDate", "contactPerson", "addresses", "links")
_IGNORED = dict.fromkeys(READ_ONLY, "Read-only; ignored")
if TYPE_CHECKING:  # built at run time from the field lists; FastAPI reads them from the annotations
    ClvrCustomerIn: TypeAlias = BaseModel
    ClvrCustomerUpdate: TypeAlias = BaseModel
    ClvrCustomer: TypeAlias = BaseModel
    ClvrCustomerSummary: TypeAlias = BaseModel
else:
    ClvrCustomerIn = loose(
        "ClvrCustomerCreate",
        {f: f for f in CREATE_FIELDS} | _IGNORED,
        doc="New customer (seed 002). juridicalType: 0 person, 1 organisation; "
        "gender: 0 unknown, 1 male, 2 female; dateOfBirth a date-time",
    )
    ClvrCustomerUpdate = loose(
        "ClvrCustomerUpdate",
        {f: f for f in UPDATE_FIELDS} | {"customerGuid": "Ignored"} | _IGNORED,
        doc="Customer update (seed 002): the fields sent change; null clears",
    )

    ClvrCustomer = loose(
        "ClvrCustomer",
        {f: f for f in (*READ_FIELDS, "customerNumber")}
        | {
            "addresses": "typeCode, fullName, careOf, street, houseNo, houseNoExtension, city, stateCode, zipCode, "
            "fullAddress, countryCode, defaultAddress, updateExisting, validFrom, validTo, "
            "addressNotValid, addressNotValidOverride (and addressGuid)",
            "links": "{type, name, href, resource, guid}",
        },
        doc="A customer (seed 002)",
    )
    ClvrCustomerSummary = loose("ClvrCustomerSummary", {f: f for f in (*LIST_FIELDS, "customerNumber")})


# ----------------------------------------------------------------- values


def as_datetime(value: Any) -> Any:
    """A stored date as the seed's date-time."""
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return f"{value}T00:00:00Z"
    return value


def _enum_in(value: Any, choices: dict[int, str], field: str) -> Any:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or str(value).strip() not in {str(k) for k in choices}
    ):
        raise field_error(field, "must be one of " + ", ".join(f"{k} ({v})" for k, v in choices.items()))
    return choices[int(str(value).strip())]


def _enum_out(value: str | None, choices: dict[int, str]) -> int | None:
    return next((k for k, v in choices.items() if v == value), None)


def native_customer(body: dict[str, Any]) -> dict[str, Any]:
    out = {CUSTOMER_NAMES.get(k, k): v for k, v in body.items() if k not in READ_ONLY}
    if "customerType" in out:
        out["customerType"] = _enum_in(out["customerType"], JURIDICAL, "juridicalType")
    if "gender" in out:
        out["gender"] = _enum_in(out["gender"], GENDER, "gender")
    if "dateOfBirth" in out:
        out["dateOfBirth"] = date_part(out["dateOfBirth"])
    return out


def _links(c: Customer, names: tuple[str, ...]) -> list[dict[str, Any]]:
    base = f"{PREFIX}/{c.customer_guid}"
    return [
        {
            "type": "GET",
            "name": "self" if n == "" else n,
            "href": f"{base}{'/' + n if n else ''}",
            "resource": "customer" if n == "" else n,
            "guid": str(c.customer_guid),
        }
        for n in names
    ]


def clvr_address(a: dict[str, Any]) -> dict[str, Any]:
    """An address as embedded in the seed's customer."""
    return {
        "addressGuid": a["addressGuid"],
        "typeCode": a["addressType"],
        "fullName": a["fullName"],
        "careOf": a["careOf"],
        "street": a["street"],
        "houseNo": a["houseNo"],
        "houseNoExtension": a["houseNoExtension"],
        "city": a["city"],
        "stateCode": a["stateCode"],
        "zipCode": a["zipCode"],
        "fullAddress": a["fullAddress"],
        "countryCode": a["countryCode"],
        "defaultAddress": a["defaultAddress"],
        "updateExisting": False,
        "validFrom": as_datetime(a["validFrom"]),
        "validTo": as_datetime(a["validTo"]),
        "addressNotValid": as_datetime(a["addressNotValidDate"]),
        "addressNotValidOverride": a["validOverride"],
    }


def clvr_customer(c: Customer, cuid: str) -> dict[str, Any]:
    d = read.detail(c, cuid).model_dump(mode="json")
    d |= {
        "firstname": d["firstName"],
        "middlename": d["middleName"],
        "lastname": d["lastName"],
        "juridicalType": _enum_out(d["customerType"], JURIDICAL),
        "gender": _enum_out(d["gender"], GENDER),
        "dateOfBirth": as_datetime(d["dateOfBirth"]),
        "contactPerson": next(
            (x["name"] for x in sorted(d.get("contacts", []), key=lambda x: not x["isDefault"])), None
        ),
    }
    out = {f: d.get(f) for f in READ_FIELDS}
    out["customerNumber"] = c.customer_number
    out["addresses"] = [clvr_address(a) for a in d["addresses"]]
    out["links"] = _links(
        c,
        ("", "addresses", "parameters", "extrafields", "directdebitmandates", "creditinsurances", "actions", "details"),
    )
    return out


def clvr_summary(c: Customer) -> dict[str, Any]:
    out = {f: getattr(c, snake(f), None) for f in LIST_FIELDS if f not in ("juridicalType",)}
    out["customerGuid"] = str(c.customer_guid)
    out["juridicalType"] = _enum_out(c.customer_type, JURIDICAL)
    out["dateOfBirth"] = as_datetime(c.date_of_birth)
    out["customerNumber"] = c.customer_number
    return {f: out.get(f) for f in (*LIST_FIELDS, "customerNumber")}


# Query names: the seed's lower-case names and every native filter field, any case.
QUERY_NAMES = {f.lower(): f for f in customer_queries.FILTER_FIELDS} | {k.lower(): v for k, v in CUSTOMER_NAMES.items()}
_ENUM_TERM = re.compile(r"\b(juridicalType|gender)\s+(eq|ne)\s+(\d+)\b", re.IGNORECASE)


def customer_query(text: str | None) -> str | None:
    """`$filter`/`$orderby` of the seed: its names, `juridicalType eq 1`, `gender eq 2`."""
    if not text:
        return text

    def enum(m: re.Match) -> str:
        field, op, number = m.group(1).lower(), m.group(2), int(m.group(3))
        choices = JURIDICAL if field == "juridicaltype" else GENDER
        native = "customerType" if field == "juridicaltype" else "gender"
        return f"{native} {op} '{choices.get(number, str(number))}'"

    parts = re.split(r"('(?:[^']|'')*')", text)  # literals untouched
    text = "".join(p if i % 2 else _ENUM_TERM.sub(enum, p) for i, p in enumerate(parts))
    return translate_query(text, QUERY_NAMES)


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
    summary="Engagements: guarantees, collaterals and related customers (myGuarantors, "
    "guaranteeFor, allRelatedCustomers); custreg keeps no ledger: balances are null, "
    "purchases/invoices/accounts empty",
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

    return {
        "totalBalance": None,
        "accountBalance": None,
        "currencyCode": c.currency_code,
        "unsettledPaymentBalance": None,
        "purchases": [],
        "invoices": [],
        "accounts": [],
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
    }


# ----------------------------------------------------------------- records


class Mapping:
    """A record kind in the seed's names: seed → native names, date fields, links."""

    def __init__(
        self,
        kind: RecordKind,
        path: str,
        id_param: str,
        names: dict[str, str] | None = None,
        dates: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
        out_names: dict[str, str] | None = None,
        links: bool = True,
        href: bool = False,
    ) -> None:
        self.kind, self.path, self.id_param = kind, path, id_param
        self.names = names or {}  # seed → native (input)
        self.out_names = out_names if out_names is not None else {v: k for k, v in self.names.items()}
        self.errors = {v: k for k, v in self.names.items()}  # native → seed (errors)
        self.dates, self.datetimes, self.links, self.href = dates, datetimes, links, href
        self.query = {f.lower(): f for f in kind.filters} | {k.lower(): v for k, v in self.names.items()}

    def native(self, body: dict[str, Any]) -> dict[str, Any]:
        out = {self.names.get(k, k): v for k, v in body.items()}
        for f in self.dates:
            if f in out:
                out[f] = date_part(out[f])
        return out

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        return validate(self.kind.write_schema, self.native(body), self.errors).model_dump()

    def out(self, record, c: Customer) -> dict[str, Any]:
        d = read_record(self.kind, record).model_dump(mode="json")
        for f in (*self.dates, *self.datetimes):
            if f in d:
                d[f] = as_datetime(d[f])
        d = {self.out_names.get(k, k): v for k, v in d.items()}
        key = d.get(self.kind.id_field) or d.get(self.out_names.get(self.kind.id_field, ""))
        if self.href:
            d["href"] = f"{PREFIX}/{c.customer_guid}/{self.path}/{key}"
        if self.links:
            d["links"] = [
                {
                    "type": "GET",
                    "name": "self",
                    "href": f"{PREFIX}/{c.customer_guid}/{self.path}/{key}",
                    "resource": self.path,
                    "guid": str(key),
                }
            ]
        return d


ADDRESS = Mapping(
    ADDRESSES, "addresses", "addressGuid", dates=("validFrom", "validTo", "addressNotValidDate"), links=False
)
PARAMETER = Mapping(PARAMETERS, "parameters", "name", links=False, href=True)
EXTRA_FIELD = Mapping(EXTRA_FIELDS, "extrafields", "name", links=False)
MANDATE = Mapping(
    MANDATES,
    "directdebitmandates",
    "directDebitGuid",
    {"validfrom": "validFrom", "validuntil": "validUntil"},
    dates=("signedDate", "validFrom", "validUntil"),
)
MANDATE.out_names["receivingBankAccountNo"] = "bankAccountNo"
INSURANCE = Mapping(
    INSURANCES, "creditinsurances", "insuranceGuid", dates=("insuranceDate", "endDate", "extraLimitEndDate")
)
ACTION = Mapping(ACTIONS, "actions", "actionGuid")


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
            {m.errors.get(f, f): f for f in m.kind.write_schema.model_fields if f not in m.kind.write_schema.read_only},
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
        body_type = list[Body_] | Body_ if post_many else Body_

    def post_doc(guid: Guid, ctx: HeaderWriteCtx, body: Annotated[body_type, Body()]):
        data = (
            [b.model_dump(exclude_unset=True) for b in body]
            if isinstance(body, list)
            else body.model_dump(exclude_unset=True)
        )
        return post(guid, ctx, data)

    def put_doc(guid: Guid, ctx: HeaderWriteCtx, key: str, body: Annotated[Body_, Body()], response: Response):
        return put_(guid, ctx, key, body.model_dump(exclude_unset=True), response)

    router.get(f"/{{guid}}/{m.path}", summary=f"List {m.path}")(named(list_, "list"))
    if create:
        router.post(f"/{{guid}}/{m.path}", status_code=201, summary=f"Create {m.kind.title}")(named(post_doc, "create"))
    router.get(item, summary=f"One {m.kind.title}")(keyed(one, "get"))
    if put:
        router.put(item, summary=f"Replace a {m.kind.title}: missing or null clears")(keyed(put_doc, "put"))
    if delete:
        router.delete(item, status_code=204, summary=f"Delete a {m.kind.title}")(keyed(del_, "delete"))


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
