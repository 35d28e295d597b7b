"""Seed 003 (Billmate customers) over the native services.

`mexcParamvaluesetsid` is the customer number, `date` the registration time. A `companyno`
that is an organisation number (of the customer's country, else the company's) makes a
COMPANY whose `name` is its company name; otherwise the customer is a PERSON and `name` its
full name. `delivery*` fields are the default DELIVERY address, `address2` the c/o line of
the main (LEGAL) address. Fields the register has no column for (`export`, `statuslog`,
`crediflowPartyId`, `mexcModulesid`, `mm3servicesid`) are kept as party parameters named
`billmate.<field>`. Every value is validated by the native rules; errors name the seed's
fields. docs/compat.md has the whole mapping.
"""

from decimal import Decimal
from typing import Annotated, Any

import pycountry
from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy import select

from custreg.addresses.schemas import AddressFields
from custreg.addresses.service import ADDRESSES
from custreg.compat.common import (
    HeaderDeleteCtx,
    HeaderReadCtx,
    HeaderWriteCtx,
    loose,
    seed_names,
    translate_query,
    validate,
)
from custreg.customers import identifiers, read, service
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.db.execution import TransactionalRoute
from custreg.errors import field_error
from custreg.lookups import service as lookups
from custreg.lookups.schemas import OrgNumberResult
from custreg.paging import ListParams, list_params
from custreg.parameters.schemas import ParameterFields
from custreg.parameters.service import PARAMETERS
from custreg.records import create as create_record
from custreg.records import delete as delete_record
from custreg.records import find as find_record
from custreg.records import replace as replace_record
from custreg.records import to_dict
from custreg.sync import routes as transfer

router = APIRouter(prefix="/compat/billmate/customers", tags=["compat: Billmate (seed 003)"],
                   route_class=TransactionalRoute)

# seed field → native customer field
CUSTOMER = {
    "customerid": "customerReference", "address": "street", "postcode": "zipCode", "postoffice": "city",
    "state": "stateCode", "countrycode": "countryCode", "telephone": "workPhone", "fax": "telefax",
    "mobile": "cellularPhone", "email": "email", "reference": "clientReference", "companyno": "idNumber",
    "vatregno": "vatNumber", "paymentterms": "paymentTerms", "rebate": "rebate", "currency": "currencyCode",
    "language": "languageCode", "handlingcharge": "handlingCharge", "reversetax": "reverseTax",
    "creditlimit": "creditLimit", "customertypecode": "customerTypeCode", "deliveryterms": "deliveryTerms",
    "deliverymethod": "deliveryMethod", "profile": "customerGroup", "name2": "name2",
    "propertydesignation": "propertyDesignation", "housingassociationregno": "housingAssociationRegNo",
    "status": "status", "longitude": "longitude", "latitude": "latitude", "glncode": "glnNumber",
    "reference_order": "referenceOrder", "email_order": "emailOrder", "reference_offer": "referenceOffer",
    "email_offer": "emailOffer", "notes": "notes", "origin": "origin", "pricelist": "priceList",
}
# seed field → field of the default DELIVERY address
DELIVERY = {
    "deliveryname": "fullName", "deliveryaddress": "street", "deliveryaddress2": "careOf",
    "deliverypostcode": "zipCode", "deliverypostoffice": "city", "deliverycountrycode": "countryCode",
}
LEGAL = {"address2": "careOf"}
PARAMETER_FIELDS = ("export", "statuslog", "crediflowPartyId", "mexcModulesid", "mm3servicesid")
COUNTRY_NAMES = {"country": "countrycode", "deliverycountry": "deliverycountrycode"}
READ_ONLY = ("mexcParamvaluesetsid", "date")
NAMES = {native: seed for seed, native in CUSTOMER.items()} | {
    "fullName": "name", "companyName": "name", "lastName": "name"}
FIELD_ORDER = ("mexcParamvaluesetsid", "date", "customerid", "name", "address", "postcode", "postoffice",
               "state", "countrycode", "telephone", "fax", "mobile", "deliveryaddress", "deliverypostcode",
               "deliverypostoffice", "email", "reference", "companyno", "vatregno", "paymentterms", "rebate",
               "currency", "language", "export", "handlingcharge", "reversetax", "mexcModulesid",
               "mm3servicesid", "country", "creditlimit", "customertypecode", "deliveryterms",
               "deliverymethod", "deliveryname", "deliveryaddress2", "deliverycountrycode", "deliverycountry",
               "profile", "name2", "address2", "propertydesignation", "housingassociationregno", "status",
               "statuslog", "longitude", "latitude", "glncode", "reference_order", "email_order",
               "reference_offer", "email_offer", "notes", "origin", "pricelist", "crediflowPartyId")
_DESCRIPTIONS = {f: (f"Native {CUSTOMER[f]}" if f in CUSTOMER else
                     f"DELIVERY address: {DELIVERY[f]}" if f in DELIVERY else f) for f in FIELD_ORDER}
_DESCRIPTIONS |= {"mexcParamvaluesetsid": "The customer number (read-only)", "date": "Registration time (read-only)",
                  "name": "Company name (COMPANY) or full name (PERSON)", "address2": "c/o of the main address",
                  "country": "Country name (read; on input used when countrycode is missing)",
                  "deliverycountry": "Country name of the delivery address"}
_DESCRIPTIONS |= {f: f"Kept as the party parameter billmate.{f}" for f in PARAMETER_FIELDS}
BillmateCustomerIn = loose("BillmateCustomer", _DESCRIPTIONS, doc="A Billmate customer (seed 003)")


def _is_org_number(value: Any, country: str | None) -> bool:
    if not isinstance(value, str) or country is None:
        return False
    business, personal = identifiers.BUSINESS.get(country), identifiers.PERSONAL.get(country)
    return bool(business and business.module.is_valid(value)
                and not (personal and personal.module.is_valid(value)))


def _country_code(data: dict[str, Any], name_field: str, code_field: str) -> None:
    name = data.pop(name_field, None)
    if data.get(code_field) is None and isinstance(name, str) and name.strip():
        try:
            data[code_field] = pycountry.countries.lookup(name.strip()).alpha_2
        except LookupError:
            raise field_error(name_field, "not a known country name") from None


def _split(ctx, data: dict[str, Any], current: Customer | None) -> tuple[dict, dict, dict, dict]:
    """Seed body → (native customer fields, DELIVERY address fields, LEGAL c/o, parameters)."""
    data = {k: v for k, v in data.items() if k not in READ_ONLY}
    for name_field, code_field in COUNTRY_NAMES.items():
        _country_code(data, name_field, code_field)
    customer = {CUSTOMER[k]: v for k, v in data.items() if k in CUSTOMER}
    delivery = {DELIVERY[k]: v for k, v in data.items() if k in DELIVERY}
    legal = {LEGAL[k]: v for k, v in data.items() if k in LEGAL}
    params = {k: data[k] for k in PARAMETER_FIELDS if k in data}
    if "companyno" in data or current is None:
        country = data.get("countrycode") or (service.main_address(current).country_code
                                              if current is not None and service.main_address(current)
                                              else None) or ctx.company.country_code
        company = _is_org_number(data.get("companyno"), country.upper() if isinstance(country, str) else None)
        customer["customerType"] = "COMPANY" if company else "PERSON"
    kind = customer.get("customerType") or current.customer_type
    if "name" in data or (current is not None and kind != current.customer_type):
        name = data["name"] if "name" in data else (current.company_name or current.full_name)
        customer |= ({"companyName": name, "fullName": None} if kind == "COMPANY"
                     else {"fullName": name, "companyName": None})
    return customer, delivery, legal, params


def _address(ctx, c: Customer, kind: str, changes: dict[str, Any], names: dict[str, str]) -> None:
    """Merge `changes` into the customer's default address of `kind` (created when missing)."""
    if not changes:
        return
    ctx.session.flush()
    ctx.session.expire(c, ["addresses"])
    current = next((a for a in c.addresses if a.address_type == kind and a.default_address), None)
    with seed_names(names):
        if current is None:
            if all(v is None for v in changes.values()):
                return
            values = validate(AddressFields, {"addressType": kind, **changes}, names)
            create_record(ctx.session, ctx.company, ADDRESSES, c, values.model_dump(), actor=ctx.actor)
        else:
            merged = {k: v for k, v in to_dict(ADDRESSES, current).items() if k in AddressFields.model_fields}
            values = validate(AddressFields, merged | changes, names)
            replace_record(ctx.session, ctx.company, ADDRESSES, c, current, values.model_dump(), actor=ctx.actor)
    ctx.session.expire(c, ["addresses"])


def _parameters(ctx, c: Customer, params: dict[str, Any]) -> None:
    for field, value in params.items():
        name = f"billmate.{field}"
        with seed_names({"value": field, "name": field, "type": field}):
            existing = find_record(ctx.session, PARAMETERS, c, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if existing is not None:
                    delete_record(ctx.session, PARAMETERS, c, existing, actor=ctx.actor)
                continue
            values = validate(ParameterFields, {"name": name, "type": "STRING", "value": str(value)},
                              {"value": field, "name": field, "type": field}).model_dump()
            if existing is None:
                create_record(ctx.session, ctx.company, PARAMETERS, c, values, actor=ctx.actor)
            else:
                replace_record(ctx.session, ctx.company, PARAMETERS, c, existing, values, actor=ctx.actor)
    if params:
        ctx.session.expire(c, ["parameters"])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _country_name(code: str | None) -> str | None:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else None


def billmate(c: Customer) -> dict[str, Any]:
    """A stored customer in the seed's shape (the sample response's fields, in its order)."""
    main = service.main_address(c)
    delivery = next((a for a in c.addresses if a.address_type == "DELIVERY" and a.default_address), None)
    values = service.values_of(c, main)
    out: dict[str, Any] = {seed: values.get(native) for seed, native in CUSTOMER.items()}
    for seed in ("rebate", "creditlimit", "handlingcharge", "reversetax", "longitude", "latitude"):
        out[seed] = _text(out[seed])
    out["countrycode"] = (out["countrycode"] or "").lower() or None
    params = {p.name.removeprefix("billmate."): p.value for p in c.parameters if p.name.startswith("billmate.")}
    out |= {
        "mexcParamvaluesetsid": c.customer_number,
        "date": c.reg_date.isoformat().replace("+00:00", "Z") if c.reg_date else None,
        "name": c.company_name if c.customer_type == "COMPANY" else c.full_name,
        "country": _country_name(main.country_code if main else None),
        "address2": main.care_of if main else None,
        **{seed: getattr(delivery, native_attr(native)) if delivery else None for seed, native in DELIVERY.items()},
        "deliverycountry": _country_name(delivery.country_code if delivery else None),
        **{f: params.get(f) for f in PARAMETER_FIELDS},
    }
    for f in ("mexcModulesid", "mm3servicesid"):
        if isinstance(out[f], str) and out[f].isdigit():
            out[f] = int(out[f])
    if out["deliverycountrycode"]:
        out["deliverycountrycode"] = out["deliverycountrycode"].lower()
    return {f: out.get(f) for f in FIELD_ORDER}


def native_attr(name: str) -> str:
    from custreg.db.columns import snake

    return snake(name)


def _write(ctx, c: Customer | None, body: dict[str, Any]) -> Customer:
    customer, delivery, legal, params = _split(ctx, body, c)
    with seed_names(NAMES):
        if c is None:
            native = validate(CustomerCreate, customer, NAMES)
            c = service.create(ctx.session, ctx.company, native.model_dump(exclude={"customerGuid"}))
        else:
            changes = validate(CustomerPatch, customer, NAMES).model_dump(exclude_unset=True,
                                                                         exclude={"customerGuid"})
            service.patch(ctx.session, ctx.company, c, changes)
    _address(ctx, c, "LEGAL", legal, {v: k for k, v in LEGAL.items()})
    _address(ctx, c, "DELIVERY", delivery, {v: k for k, v in DELIVERY.items()})
    _parameters(ctx, c, params)
    return c


def _get(ctx, key: int, *, lock: bool = False) -> Customer:
    return service.get(ctx.session, ctx.company, str(key), for_update=lock)


Key = Annotated[int, Path(ge=1, le=2**62, description="mexcParamvaluesetsid: the customer number")]
SearchWord = Annotated[str | None, Query(max_length=200, description="Free text, as on the native list")]
FromDate = Annotated[str | None, Query(description="Changed at or after")]


def _query(search_word, from_date) -> dict[str, Any]:
    return {"search_word": search_word, "from_date": service.parse_from_date(from_date), "include_excluded": False}


# `$filter`/`$orderby` may name the seed's fields (`postoffice eq 'Stockholm'`) or native ones.
QUERY_NAMES = {f.lower(): f for f in service.FILTER_FIELDS} | {
    k.lower(): v for k, v in CUSTOMER.items() if v in service.FILTER_FIELDS} | {
    "mexcparamvaluesetsid": "customerNumber", "date": "regDate"}


def _params(params: ListParams) -> ListParams:
    return params.model_copy(update={"filter": translate_query(params.filter, QUERY_NAMES),
                                     "orderby": translate_query(params.orderby, QUERY_NAMES)})


@router.get("", summary="GET /customers: the customers (a page: $top, $skip; searchWord, fromDate)")
def list_customers(ctx: HeaderReadCtx, params: Annotated[ListParams, Depends(list_params)],
                   searchWord: SearchWord = None, fromDate: FromDate = None) -> list[dict[str, Any]]:  # noqa: N803
    _total, rows = service.list_page(ctx.session, ctx.company, _params(params), **_query(searchWord, fromDate))
    ids = [c.id for c, _a in rows]
    full = {c.id: c for c in ctx.session.scalars(
        select(Customer).where(Customer.id.in_(ids)).options(*service.load_options()))}
    return [billmate(full[i]) for i in ids]


@router.post("", status_code=201, summary="POST /customers: place a new customer")
def create_customer(body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:
    c = _write(ctx, None, body.model_dump(exclude_unset=True))
    ctx.session.flush()
    return billmate(_get(ctx, c.customer_number))


@router.delete("", summary="DELETE /customers: remove several, all or nothing")
def delete_customers(ctx: HeaderDeleteCtx, keys: Annotated[list[int | str], Body(max_length=1000)]) -> dict[str, Any]:
    return {"result": "Removed", "count": service.bulk_delete(ctx.session, ctx.company, keys)}


@router.get("/count", summary="GET /customers/count: how many match")
def count_customers(ctx: HeaderReadCtx, params: Annotated[ListParams, Depends(list_params)],
                    searchWord: SearchWord = None, fromDate: FromDate = None) -> dict[str, int]:  # noqa: N803
    return {"count": service.count(ctx.session, ctx.company, _params(params), **_query(searchWord, fromDate))}


@router.get("/searchByOrgNumber/{orgNum}", response_model=OrgNumberResult,
            summary="GET /customers/searchByOrgNumber/{orgNum}: the person/company details")
def search_by_org_number(ctx: HeaderReadCtx, orgNum: Annotated[str, Path(max_length=40)]):  # noqa: N803
    with seed_names({"orgNumber": "orgNum"}):
        c, a = lookups.by_org_number(ctx.session, ctx.company, orgNum)
    return OrgNumberResult(**lookups.org_number_result(c, a))


def _export_routes(fmt: str) -> None:
    @router.get(f"/export/{fmt}", summary=f"GET /customers/export/{fmt}: every customer (the native export)")
    def export_all(ctx: HeaderReadCtx, searchWord: SearchWord = None, fromDate: FromDate = None):  # noqa: N803
        return transfer._query_export(ctx, fmt, None, None, searchWord, fromDate, False)

    @router.post(f"/export/{fmt}", summary=f"POST /customers/export/{fmt}: the customers named")
    def export_selected(ctx: HeaderReadCtx, keys: Annotated[list[int | str], Body(max_length=100_000)]):
        return transfer._selected_export(ctx, fmt, keys)

    export_all.__name__, export_selected.__name__ = f"billmate_export_{fmt}", f"billmate_export_selected_{fmt}"


_export_routes("xml")
_export_routes("csv")


@router.get("/{mexcParamvaluesetsid}", summary="GET /customers/{mexcParamvaluesetsid}: one customer")
def get_customer(mexcParamvaluesetsid: Key, ctx: HeaderReadCtx) -> dict[str, Any]:  # noqa: N803
    return billmate(_get(ctx, mexcParamvaluesetsid))


@router.delete("/{mexcParamvaluesetsid}", summary="DELETE /customers/{mexcParamvaluesetsid}")
def delete_customer(mexcParamvaluesetsid: Key, ctx: HeaderDeleteCtx) -> dict[str, Any]:  # noqa: N803
    service.delete(ctx.session, _get(ctx, mexcParamvaluesetsid, lock=True))
    return {"result": "Removed", "mexcParamvaluesetsid": mexcParamvaluesetsid}


@router.patch("/{mexcParamvaluesetsid}", summary="PATCH /customers/{mexcParamvaluesetsid}: the fields sent change; null clears")
def patch_customer(mexcParamvaluesetsid: Key, body: BillmateCustomerIn, ctx: HeaderWriteCtx) -> dict[str, Any]:  # noqa: N803
    c = _write(ctx, _get(ctx, mexcParamvaluesetsid, lock=True), body.model_dump(exclude_unset=True))
    ctx.session.flush()
    return billmate(_get(ctx, c.customer_number))
