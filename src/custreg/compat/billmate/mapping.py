"""Billmate (seed 003) field maps and the translation of a customer both ways: a seed body
split into native customer, DELIVERY address, LEGAL c/o and parameter values; a stored
customer (or an export row) in the seed's shape."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

import pycountry
from pydantic import BaseModel

from custreg.addresses.service import ADDRESSES
from custreg.compat.common import loose
from custreg.customers import identifiers
from custreg.customers import queries as customer_queries
from custreg.customers import shape as customer_shape
from custreg.customers.models import Customer
from custreg.errors import field_error
from custreg.records import to_dict

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


def split(ctx, data: dict[str, Any], current: Customer | None) -> tuple[dict, dict, dict, dict]:
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
        # An organisation named only by fullName is not nameless (docs/customers.md).
        "name": (native.get("companyName") or native.get("fullName"))
        if native.get("customerType") == "COMPANY"
        else native.get("fullName"),
        "country": _country_name(native.get("countryCode")),
        "address2": care_of,
        **{seed: (delivery or {}).get(field) for seed, field in DELIVERY.items()},
        "deliverycountry": _country_name((delivery or {}).get("countryCode")),
        **{f: params.get(f) for f in PARAMETER_FIELDS},
    }
    for f in ("countrycode", "deliverycountrycode"):
        out[f] = out[f].lower() if out[f] else None
    return {f: v for f in FIELD_ORDER if (v := _typed(f, out.get(f))) is not None}


# The published schema's integers; every other Customer field is a string.
INTEGER_FIELDS = frozenset({"mexcParamvaluesetsid", "mexcModulesid", "mm3servicesid"})


def _typed(field: str, value: Any) -> Any:
    """A value as the published schema types it: the ids integers (left out when unset),
    every other field a string, an unset one "" (as the live answers), never null."""
    if field in INTEGER_FIELDS:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return int(value) if isinstance(value, str) and value.isdigit() else None
    return _text(value) or ""


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


# `$filter`/`$orderby` may name the seed's fields (`postoffice eq 'Stockholm'`) or native ones.
QUERY_NAMES = (
    {f.lower(): f for f in customer_queries.FILTER_FIELDS}
    | {k.lower(): v for k, v in CUSTOMER.items() if v in customer_queries.FILTER_FIELDS}
    | {"mexcparamvaluesetsid": "customerNumber", "date": "regDate"}
)
