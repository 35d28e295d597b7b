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

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import pycountry
from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from custreg.addresses.models import Address
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
from custreg.customers import identifiers, service
from custreg.customers import queries as customer_queries
from custreg.customers import shape as customer_shape
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.db.routing import TransactionalRoute
from custreg.errors import NotFound, field_error
from custreg.lookups import service as lookups
from custreg.lookups.schemas import OrgNumberResult
from custreg.paging import ListParams, list_params
from custreg.parameters.models import PartyParameter
from custreg.parameters.schemas import ParameterFields
from custreg.parameters.service import PARAMETERS
from custreg.records import create as create_record
from custreg.records import delete as delete_record
from custreg.records import find as find_record
from custreg.records import replace as replace_record
from custreg.records import to_dict
from custreg.sync import export

router = APIRouter(
    prefix="/compat/billmate/customers", tags=["compat: Billmate (seed 003)"], route_class=TransactionalRoute
)

# seed field → native customer field
CUSTOMER = {
    "customerid": "customerReference",
    "address": "street",
    "postcode": "zipCode",
    "postoffice": "city",
    "state": "stateCode",
    "countrycode": "countryCode",
    "telephone": "workPhone",
    "fax": "telefax",
    "mobile": "cellularPhone",
    "email": "email",
    "reference": "clientReference",
    "companyno": "idNumber",
    "vatregno": "vatNumber",
    "paymentterms": "paymentTerms",
    "rebate": "rebate",
    "currency": "currencyCode",
    "language": "languageCode",
    "handlingcharge": "handlingCharge",
    "reversetax": "reverseTax",
    "creditlimit": "creditLimit",
    "customertypecode": "customerTypeCode",
    "deliveryterms": "deliveryTerms",
    "deliverymethod": "deliveryMethod",
    "profile": "customerGroup",
    "name2": "name2",
    "propertydesignation": "propertyDesignation",
    "housingassociationregno": "housingAssociationRegNo",
    "status": "status",
    "longitude": "longitude",
    "latitude": "latitude",
    "glncode": "glnNumber",
    "reference_order": "referenceOrder",
    "email_order": "emailOrder",
    "reference_offer": "referenceOffer",
    "email_offer": "emailOffer",
    "notes": "notes",
    "origin": "origin",
    "pricelist": "priceList",
}
# seed field → field of the default DELIVERY address
DELIVERY = {
    "deliveryname": "fullName",
    "deliveryaddress": "street",
    "deliveryaddress2": "careOf",
    "deliverypostcode": "zipCode",
    "deliverypostoffice": "city",
    "deliverycountrycode": "countryCode",
}
LEGAL = {"address2": "careOf"}
PARAMETER_FIELDS = ("export", "statuslog", "crediflowPartyId", "mexcModulesid", "mm3servicesid")
COUNTRY_NAMES = {"country": "countrycode", "deliverycountry": "deliverycountrycode"}
READ_ONLY = ("mexcParamvaluesetsid", "date")
NAMES = {native: seed for seed, native in CUSTOMER.items()} | {
    "fullName": "name",
    "companyName": "name",
    "lastName": "name",
}
FIELD_ORDER = (
    "mexcParamvaluesetsid",
    "date",
    "customerid",
    "name",
    "address",
    "postcode",
    "postoffice",
    "state",
    "countrycode",
    "telephone",
    "fax",
    "mobile",
    "deliveryaddress",
    "deliverypostcode",
    "deliverypostoffice",
    "email",
    "reference",
    "companyno",
    "vatregno",
    "paymentterms",
    "rebate",
    "currency",
    "language",
    "export",
    "handlingcharge",
    "reversetax",
    "mexcModulesid",
    "mm3servicesid",
    "country",
    "creditlimit",
    "customertypecode",
    "deliveryterms",
    "deliverymethod",
    "deliveryname",
    "deliveryaddress2",
    "deliverycountrycode",
    "deliverycountry",
    "profile",
    "name2",
    "address2",
    "propertydesignation",
    "housingassociationregno",
    "status",
    "statuslog",
    "longitude",
    "latitude",
    "glncode",
    "reference_order",
    "email_order",
    "reference_offer",
    "email_offer",
    "notes",
    "origin",
    "pricelist",
    "crediflowPartyId",
)
_DESCRIPTIONS = {
    f: (f"Native {CUSTOMER[f]}" if f in CUSTOMER else f"DELIVERY address: {DELIVERY[f]}" if f in DELIVERY else f)
    for f in FIELD_ORDER
}
_DESCRIPTIONS |= {
    "mexcParamvaluesetsid": "The customer number (read-only)",
    "date": "Registration time (read-only)",
    "name": "Company name (COMPANY) or full name (PERSON)",
    "address2": "c/o of the main address",
    "country": "Country name (read; on input used when countrycode is missing)",
    "deliverycountry": "Country name of the delivery address",
}
_DESCRIPTIONS |= {f: f"Kept as the party parameter billmate.{f}" for f in PARAMETER_FIELDS}
if TYPE_CHECKING:  # built at run time from the field lists; FastAPI reads them from the annotations
    BillmateCustomerIn: TypeAlias = BaseModel
else:
    BillmateCustomerIn = loose("BillmateCustomer", _DESCRIPTIONS, doc="A Billmate customer (seed 003)")


def _is_org_number(value: Any, country: str | None) -> bool:
    if not isinstance(value, str) or country is None:
        return False
    business, personal = identifiers.BUSINESS.get(country), identifiers.PERSONAL.get(country)
    return bool(business and business.module.is_valid(value) and not (personal and personal.module.is_valid(value)))


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
        address = customer_shape.main_address(current) if current is not None else None
        country = (
            data.get("countrycode")
            or (address.country_code if address is not None else None)
            or ctx.company.country_code
        )
        company = _is_org_number(data.get("companyno"), country.upper() if isinstance(country, str) else None)
        customer["customerType"] = "COMPANY" if company else "PERSON"
    kind = customer.get("customerType") or (current.customer_type if current is not None else None)
    if "name" in data or (current is not None and kind != current.customer_type):
        kept = (current.company_name or current.full_name) if current is not None else None
        name = data.get("name", kept)
        customer |= (
            {"companyName": name, "fullName": None} if kind == "COMPANY" else {"fullName": name, "companyName": None}
        )
    return customer, delivery, legal, params


def _address(ctx, c: Customer, kind: str, changes: dict[str, Any], names: dict[str, str]) -> None:
    """Merge `changes` into the customer's default address of `kind` (created when missing)."""
    if not changes:
        return
    customer_writer.flush(ctx.session)
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
            if not isinstance(value, str | int | float | bool):
                raise field_error(field, "must be a string or a number")
            values = validate(
                ParameterFields,
                {"name": name, "type": "STRING", "value": str(value)},
                {"value": field, "name": field, "type": field},
            ).model_dump()
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


def shape(
    native: dict[str, Any], delivery: dict[str, Any] | None, care_of: str | None, params: dict[str, str]
) -> dict[str, Any]:
    """The seed's shape (the sample response's fields, in its order) from the native values
    (customer fields, main address, customerType, customerNumber, regDate), the DELIVERY
    address (native names), the LEGAL address's c/o and the `billmate.*` parameters."""
    out: dict[str, Any] = {seed: native.get(field) for seed, field in CUSTOMER.items()}
    for seed in ("rebate", "creditlimit", "handlingcharge", "reversetax", "longitude", "latitude"):
        out[seed] = _text(out[seed])
    reg = native.get("regDate")
    out |= {
        "mexcParamvaluesetsid": native["customerNumber"],
        "date": reg.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if reg else None,
        "name": native.get("companyName") if native.get("customerType") == "COMPANY" else native.get("fullName"),
        "country": _country_name(native.get("countryCode")),
        "address2": care_of,
        **{seed: (delivery or {}).get(field) for seed, field in DELIVERY.items()},
        "deliverycountry": _country_name((delivery or {}).get("countryCode")),
        **{f: params.get(f) for f in PARAMETER_FIELDS},
    }
    for f in ("countrycode", "deliverycountrycode"):
        out[f] = out[f].lower() if out[f] else None
    for f in ("mexcModulesid", "mm3servicesid"):
        if isinstance(out[f], str) and out[f].isdigit():
            out[f] = int(out[f])
    return {f: out.get(f) for f in FIELD_ORDER}


def billmate(c: Customer) -> dict[str, Any]:
    """A stored customer in the seed's shape."""
    main = customer_shape.main_address(c)
    delivery = next((a for a in c.addresses if a.address_type == "DELIVERY" and a.default_address), None)
    native = customer_shape.values_of(c, main) | {
        "fullName": c.full_name,
        "customerType": c.customer_type,
        "customerNumber": c.customer_number,
        "regDate": c.reg_date,
    }
    params = {p.name.removeprefix("billmate."): p.value for p in c.parameters if p.name.startswith("billmate.")}
    return shape(native, to_dict(ADDRESSES, delivery) if delivery else None, main.care_of if main else None, params)


def _write(ctx, c: Customer | None, body: dict[str, Any]) -> Customer:
    customer, delivery, legal, params = _split(ctx, body, c)
    with seed_names(NAMES):
        if c is None:
            native = validate(CustomerCreate, customer, NAMES)
            created = service.create(ctx.session, ctx.company, native.model_dump(exclude={"customerGuid"}))
            c = service.get(ctx.session, ctx.company, str(created.customer_guid))
        else:
            changes = validate(CustomerPatch, customer, NAMES).model_dump(exclude_unset=True, exclude={"customerGuid"})
            service.patch(ctx.session, ctx.company, c, changes)
    _address(ctx, c, "LEGAL", legal, {v: k for k, v in LEGAL.items()})
    _address(ctx, c, "DELIVERY", delivery, {v: k for k, v in DELIVERY.items()})
    _parameters(ctx, c, params)
    return c


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


# `$filter`/`$orderby` may name the seed's fields (`postoffice eq 'Stockholm'`) or native ones.
QUERY_NAMES = (
    {f.lower(): f for f in customer_queries.FILTER_FIELDS}
    | {k.lower(): v for k, v in CUSTOMER.items() if v in customer_queries.FILTER_FIELDS}
    | {"mexcparamvaluesetsid": "customerNumber", "date": "regDate"}
)


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
    c = _write(ctx, None, body.model_dump(exclude_unset=True))
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


# ----------------------------------------------------------------- export
# The native export's streamed rows (flat memory), renamed to the seed's fields; each batch
# gets its DELIVERY/LEGAL addresses and billmate.* parameters in two more queries.


def _enriched(engine, company_id: int, batch: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    numbers = [r["customerNumber"] for r in batch]
    delivery: dict[int, dict[str, Any]] = {}
    care_of: dict[int, str | None] = {}
    params: dict[int, dict[str, str]] = {}
    mine = [Customer.company_id == company_id, Customer.customer_number.in_(numbers)]
    with engine.connect() as conn:
        for row in conn.execute(
            select(
                Customer.customer_number,
                Address.address_type,
                Address.full_name,
                Address.street,
                Address.care_of,
                Address.zip_code,
                Address.city,
                Address.country_code,
            )
            .join(Customer, Customer.id == Address.customer_id)
            .where(*mine, Address.default_address.is_(True), Address.address_type.in_(("LEGAL", "DELIVERY")))
        ):
            if row.address_type == "LEGAL":
                care_of[row.customer_number] = row.care_of
            else:
                delivery[row.customer_number] = {
                    "fullName": row.full_name,
                    "street": row.street,
                    "careOf": row.care_of,
                    "zipCode": row.zip_code,
                    "city": row.city,
                    "countryCode": row.country_code,
                }
        for row in conn.execute(
            select(Customer.customer_number, PartyParameter.name, PartyParameter.value)
            .join(Customer, Customer.id == PartyParameter.customer_id)
            .where(*mine, PartyParameter.name.like("billmate.%"))
        ):
            params.setdefault(row.customer_number, {})[row.name.removeprefix("billmate.")] = row.value
        conn.rollback()
    for rec in batch:
        n = rec["customerNumber"]
        yield shape(rec, delivery.get(n), care_of.get(n), params.get(n, {}))


def _rows(engine, company_id: int, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    batch: list[dict[str, Any]] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= export.BATCH:
            yield from _enriched(engine, company_id, batch)
            batch = []
    if batch:
        yield from _enriched(engine, company_id, batch)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return export.neutralize(text) if text and text[0] in (*export.FORMULA_START, "'") else text


def _csv(rows: Iterable[dict[str, Any]], size: int = 64 * 1024) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FIELD_ORDER)
    for row in rows:
        writer.writerow([_cell(row[f]) for f in FIELD_ORDER])
        if buf.tell() >= size:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _xml(rows: Iterable[dict[str, Any]], cuid: str) -> Iterator[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<customers company="{export.xml_escape(cuid)}">\n').encode()
    for row in rows:
        fields = "".join(
            f"    <{f}>{export.xml_escape(str(row[f]))}</{f}>\n" for f in FIELD_ORDER if row[f] is not None
        )
        yield f"  <customer>\n{fields}  </customer>\n".encode()
    yield b"</customers>\n"


MEDIA = {"csv": "text/csv; charset=utf-8", "xml": "application/xml; charset=utf-8"}


def _stream(ctx, fmt: str, where: list, order: list, id_chunks=None) -> StreamingResponse:
    engine = ctx.request.app.state.db.engine
    rows = _rows(engine, ctx.company.id, export.stream_records(engine, where, order, id_chunks))
    body = _csv(rows) if fmt == "csv" else _xml(rows, ctx.cuid)
    return StreamingResponse(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="billmate-customers-{ctx.cuid}.{fmt}"'},
    )


def _export_routes(fmt: str) -> None:
    @router.get(
        f"/export/{fmt}",
        response_class=StreamingResponse,
        summary=f"GET /customers/export/{fmt}: every customer, the seed's fields (streamed)",
    )
    def export_all(ctx: HeaderReadCtx, searchWord: SearchWord = None, fromDate: FromDate = None):
        where = customer_queries.conditions(ctx.company, ListParams(), **_query(searchWord, fromDate))
        return _stream(ctx, fmt, where, [])

    @router.post(
        f"/export/{fmt}",
        response_class=StreamingResponse,
        summary=f"POST /customers/export/{fmt}: the customers named (mexcParamvaluesetsid); unknown → 404",
    )
    def export_selected(ctx: HeaderReadCtx, keys: Annotated[list[Number], Body(max_length=100_000)]):
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
                f"Unknown customers: {', '.join(missing)}",
                [{"field": "body", "message": f"unknown customer {k}"} for k in missing],
            )
        ids = [found[k] for k in sorted(found)]
        return _stream(
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
    c = _write(ctx, _get(ctx, mexcParamvaluesetsid, lock=True), body.model_dump(exclude_unset=True))
    customer_writer.flush(ctx.session)
    return billmate(_get(ctx, c.customer_number))
