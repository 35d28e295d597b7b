"""Seed 001 (Tehden customer interface) over the native services.

Paths carry no company: the credentials' one company, else `X-Company`. Bodies take the
native customer fields plus Tehden's `externalsystem_id` (string enum "1".."7", "22", or a
code the company configured) and `externalsystemidentifier` (both or neither), and
`marketing_authorizations` (`{"EMAIL": true, "SMS": false, ...}` → consents). A customer
is answered with `id` (its GUID) and `identifier` (its customer number, the one on invoices).
"""

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from custreg.compat.common import HeaderReadCtx, HeaderWriteCtx, loose, native_descriptions, seed_names, validate
from custreg.consents.schemas import ConsentFields
from custreg.consents.service import CONSENTS
from custreg.contacts.schemas import ContactFields, ContactRead
from custreg.contacts.service import CONTACTS
from custreg.customers import queries as customer_queries
from custreg.customers import read, service
from custreg.customers import routes as customer_routes
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.db.routing import TransactionalRoute
from custreg.errors import BadRequest, Conflict, NotFound
from custreg.lookups import service as lookups
from custreg.paging import ListParams, list_params
from custreg.records import create as create_record
from custreg.records import find as find_record
from custreg.records import read as read_record
from custreg.records import replace as replace_record

router = APIRouter(
    prefix="/compat/tehden/company_customer", tags=["compat: Tehden (seed 001)"], route_class=TransactionalRoute
)

NAMES = {"externalSystemId": "externalsystem_id", "externalSystemIdentifier": "externalsystemidentifier"}
TEHDEN_FIELDS = {
    "externalsystem_id": 'External system: "1" Maestro, "2" Posti, "3" Matkahuolto, "4" Checkout Finland, '
    '"5" MyCashFlow, "6" WooCommerce, "7" Generic webstore, "22" Generic reservation '
    "system (or a code the company configured); required with externalsystemidentifier",
    "externalsystemidentifier": "The customer's identifier in that system; required with externalsystem_id",
    "marketing_authorizations": 'Marketing authorizations per channel, e.g. {"EMAIL": true, "SMS": false}',
}
KEY_FIELDS = {"id": "Customer GUID (update: which customer)", "identifier": "Customer number (update: which customer)"}
_NATIVE = native_descriptions(CustomerCreate, frozenset({"externalSystemId", "externalSystemIdentifier"}))
if TYPE_CHECKING:  # built at run time from the field lists; FastAPI reads them from the annotations
    TehdenCustomerIn: TypeAlias = BaseModel
    TehdenCustomerUpdate: TypeAlias = BaseModel
    TehdenContactIn: TypeAlias = BaseModel
else:
    TehdenCustomerIn = loose(
        "TehdenCustomerIn", _NATIVE | TEHDEN_FIELDS, doc="A Tehden customer: the native customer fields plus Tehden's"
    )
    TehdenCustomerUpdate = loose(
        "TehdenCustomerUpdate",
        KEY_FIELDS
        | native_descriptions(
            CustomerPatch, frozenset({"externalSystemId", "externalSystemIdentifier", "customerGuid"})
        )
        | TEHDEN_FIELDS,
        doc="Which customer (id, identifier, or else the externalsystem pair) and the fields to change: "
        "only the fields sent change; null clears",
    )
    TehdenContactIn = loose(
        "TehdenContactIn",
        KEY_FIELDS | native_descriptions(ContactFields),
        doc="Which customer (id or identifier) and the contact info",
    )


class CustomerId(BaseModel):
    id: str
    identifier: int


def _native(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Tehden names → native; the marketing authorizations apart."""
    data = dict(data)
    for native, seed in NAMES.items():
        if seed in data:
            data[native] = data.pop(seed)
    return data, data.pop("marketing_authorizations", None)


def _authorize(ctx, customer: Customer, auths: Any) -> None:
    if auths is None:
        return
    if not isinstance(auths, dict):
        raise BadRequest(
            "marketing_authorizations must be an object: channel → true/false",
            [{"field": "marketing_authorizations", "message": "must be an object"}],
        )
    for channel, granted in auths.items():
        name = f"marketing_authorizations.{channel}"
        values = validate(
            ConsentFields,
            {"channel": channel, "granted": granted, "source": "tehden"},
            {"channel": name, "granted": name, "source": name},
        )
        with seed_names({"channel": name}):
            existing = find_record(ctx.session, CONSENTS, customer, values.channel)
            if existing is None:
                create_record(ctx.session, ctx.company, CONSENTS, customer, values.model_dump(), actor=ctx.actor)
            elif existing.granted != values.granted:
                replace_record(
                    ctx.session,
                    ctx.company,
                    CONSENTS,
                    customer,
                    existing,
                    values.model_dump(exclude={"channel"}),
                    actor=ctx.actor,
                )
    ctx.session.expire(customer, ["consents"])  # reload with the new records


def tehden_customer(c: Customer, cuid: str) -> dict[str, Any]:
    out = read.detail(c, cuid).model_dump(mode="json")
    out["id"], out["identifier"] = str(c.customer_guid), c.customer_number
    system = out.pop("externalSystemId", None)
    out["externalsystem_id"] = str(system) if system is not None else None
    out["externalsystemidentifier"] = out.pop("externalSystemIdentifier", None)
    out["marketing_authorizations"] = {x["channel"]: x["granted"] for x in out.get("consents", [])}
    return out


@router.post(
    "/createTehdenCustomer",
    status_code=201,
    summary="createTehdenCustomer: a customer, optionally linked to an external system",
)
def create_customer(body: TehdenCustomerIn, ctx: HeaderWriteCtx, response: Response) -> dict[str, Any]:
    data, auths = _native(body.model_dump(exclude_unset=True))
    native = validate(CustomerCreate, data, NAMES)
    _refuse_existing_pair(ctx, native)
    with seed_names(NAMES):
        model = customer_routes.create_detail(ctx.cuid, native, ctx)
        response.headers["ETag"] = f'"{model.version}"'
        c = service.get(ctx.session, ctx.company, str(model.customerGuid))
        _authorize(ctx, c, auths)
    response.headers["Location"] = f"/v1/companies/{ctx.cuid}/customers/{c.customer_guid}"
    return tehden_customer(c, ctx.cuid)


def _refuse_existing_pair(ctx, native: CustomerCreate) -> None:
    """A create with the external pair of a customer already there → 409 saying which one
    and whether Tehden may still write it (an excluded one it may not)."""
    if native.externalSystemId is None or native.externalSystemIdentifier is None:
        return
    try:
        found = lookups.lookup(
            ctx.session,
            ctx.company,
            system_id=native.externalSystemId,
            system_identifier=native.externalSystemIdentifier,
            identifier=None,
            id_number=None,
            include_excluded=True,
        )
    except NotFound:
        return
    pair = f"externalsystem_id {native.externalSystemId}, externalsystemidentifier {native.externalSystemIdentifier}"
    if found.excluded:
        detail = (
            f"Customer {found.customer_number} already has {pair} and is excluded from Tehden: "
            "it is not created again, and Tehden cannot update it"
        )
    else:
        detail = f"Customer {found.customer_number} already has {pair}: update it with updateTehdenCustomer"
    raise Conflict(
        detail, [{"field": "externalsystemidentifier", "message": f"already used by customer {found.customer_number}"}]
    )


def _writable(customer: Customer, field: str) -> Customer:
    """Tehden does not write a customer excluded from it (docs/compat.md)."""
    if customer.excluded:
        raise Conflict(
            f"Customer {customer.customer_number} is excluded from Tehden: it cannot be updated or given "
            "contacts through Tehden (the register includes it again with excluded=false)",
            [{"field": field, "message": "names a customer excluded from Tehden"}],
        )
    return customer


def _which(ctx, data: dict[str, Any], *, lock: bool, by_pair: bool = False) -> Customer:
    key_id, number = data.pop("id", None), data.pop("identifier", None)
    if key_id is not None or number is not None:
        found = service.get(ctx.session, ctx.company, str(key_id if key_id is not None else number), for_update=lock)
        return _writable(found, "id" if key_id is not None else "identifier")
    if by_pair and data.get("externalSystemId") is not None:
        system = validate(CustomerPatch, {k: data.get(k) for k in NAMES}, NAMES)
        with seed_names(NAMES):
            found = lookups.lookup(
                ctx.session,
                ctx.company,
                system_id=system.externalSystemId,
                system_identifier=system.externalSystemIdentifier,
                identifier=None,
                id_number=None,
                include_excluded=True,
            )
        return _writable(
            service.get(ctx.session, ctx.company, str(found.customer_guid), for_update=lock), "externalsystemidentifier"
        )
    raise BadRequest(
        "Name the customer: id or identifier" + (" (or the externalsystem pair)" if by_pair else ""),
        [{"field": "identifier", "message": "required"}],
    )


@router.post("/updateTehdenCustomer", summary="updateTehdenCustomer: only the fields sent change")
def update_customer(body: TehdenCustomerUpdate, ctx: HeaderWriteCtx) -> dict[str, Any]:
    data, auths = _native(body.model_dump(exclude_unset=True))
    c = _which(ctx, data, lock=True, by_pair=True)
    changes = validate(CustomerPatch, data, NAMES).model_dump(exclude_unset=True, exclude={"customerGuid"})
    with seed_names(NAMES):
        service.patch(ctx.session, ctx.company, c, changes)
        _authorize(ctx, c, auths)
    return tehden_customer(c, ctx.cuid)


@router.post(
    "/createTehdenCustomerContactInfo",
    status_code=201,
    response_model=ContactRead,
    summary="createTehdenCustomerContactInfo: contact info of a customer",
)
def create_contact(body: TehdenContactIn, ctx: HeaderWriteCtx):
    data = body.model_dump(exclude_unset=True)
    c = _which(ctx, data, lock=True)
    contact = validate(ContactFields, data)
    return read_record(
        CONTACTS, create_record(ctx.session, ctx.company, CONTACTS, c, contact.model_dump(), actor=ctx.actor)
    )


IncludeExcluded = Annotated[bool, Query(description="Also find excluded customers")]


@router.get(
    "/getCustomerIdByExternalSystemIdentifier",
    response_model=CustomerId,
    summary="getCustomerIdByExternalSystemIdentifier: by the externalsystem pair",
)
def by_external_id(
    ctx: HeaderReadCtx,
    externalsystem_id: Annotated[str | None, Query(max_length=10)] = None,
    externalsystemidentifier: Annotated[str | None, Query(max_length=200)] = None,
    includeExcluded: IncludeExcluded = False,
):
    if externalsystem_id is None and externalsystemidentifier is None:
        raise BadRequest(
            "externalsystem_id and externalsystemidentifier are required",
            [
                {"field": "externalsystem_id", "message": "required"},
                {"field": "externalsystemidentifier", "message": "required"},
            ],
        )
    pair = validate(
        CustomerPatch,
        {"externalSystemId": externalsystem_id, "externalSystemIdentifier": externalsystemidentifier},
        NAMES,
    )
    with seed_names(NAMES):
        c = lookups.lookup(
            ctx.session,
            ctx.company,
            system_id=pair.externalSystemId,
            system_identifier=pair.externalSystemIdentifier,
            identifier=None,
            id_number=None,
            include_excluded=includeExcluded,
        )
    return CustomerId(id=str(c.customer_guid), identifier=c.customer_number)


@router.get(
    "/getCustomerIdByIdentifier",
    response_model=CustomerId,
    summary="getCustomerIdByIdentifier: by the customer number (the identifier on invoices)",
)
def by_identifier(
    ctx: HeaderReadCtx, identifier: Annotated[int, Query(ge=1, le=2**62)], includeExcluded: IncludeExcluded = False
):
    c = lookups.lookup(
        ctx.session,
        ctx.company,
        system_id=None,
        system_identifier=None,
        identifier=identifier,
        id_number=None,
        include_excluded=includeExcluded,
    )
    return CustomerId(id=str(c.customer_guid), identifier=c.customer_number)


@router.get("/findCustomer", summary="findCustomer: every customer matching the criteria (a list page)")
def find_customers(
    ctx: HeaderReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
    searchWord: Annotated[str | None, Query(max_length=200)] = None,
    fromDate: Annotated[str | None, Query()] = None,
    includeExcluded: IncludeExcluded = False,
) -> dict[str, Any]:
    total, rows = customer_queries.list_page(
        ctx.session,
        ctx.company,
        params,
        search_word=searchWord,
        from_date=customer_queries.parse_from_date(fromDate),
        include_excluded=includeExcluded,
    )
    value = [
        read.summary(c, a, ctx.cuid).model_dump(mode="json")
        | {"id": str(c.customer_guid), "identifier": c.customer_number}
        for c, a in rows
    ]
    return {"count": len(value), "skip": params.skip, "total": total, "value": value}
