"""CLVR (seed 002) customer mapping: the field lists and schemas, the seed's names and integer
enums to the native fields and back, and the translation of `$filter`/`$orderby`."""

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel

from custreg.choices import _date as date_part
from custreg.compat.common import loose, translate_query
from custreg.customers import queries as customer_queries
from custreg.customers import read
from custreg.customers.models import Customer
from custreg.db.columns import snake
from custreg.errors import field_error

PREFIX = "/compat/clvr/customers"

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
