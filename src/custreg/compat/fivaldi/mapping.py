"""Fivaldi DTOs ↔ the native customer, its addresses and bank accounts (docs/compat.md,
"Fivaldi: field mapping").

Fields with a native meaning are written to the native field; every other DTO field is
kept in the customer's party parameter `fivaldi` (a JSON document of vendor extras) and
sent back as it came. Where the register normalizes a mapped value (an E.164 phone, an
ISO language code), the value as sent is remembered with the normalized one (`echo`):
GET shows what the client sent for as long as the native value is still the one it
became; after a change through another API, GET shows the new native value.
"""

import json
from typing import Any

from custreg.compat.fivaldi import dto

PARAMETER = "fivaldi"  # the party parameter holding the vendor extras

# Fivaldi field → native field, one for one.
CUSTOMER_FIELDS = {
    "businessId": "idNumber",
    "customerName2": "name2",
    "email": "email",
    "phoneNumber": "workPhone",
    "phoneNumber2": "cellularPhone",
    "currency": "currencyCode",
    "additionalInformation": "notes",
    "ovtIdentifier": "eInvoiceAddress",
    "intermediatorCode": "eInvoiceOperator",
}
LANGUAGES = {"FIN": "fi", "SWE": "sv", "ENG": "en"}
LANGUAGE_OF = {v: k for k, v in LANGUAGES.items()}
# Mapped through a rule rather than one for one.
CUSTOMER_RULED = ("customerName", "languageCode", "isConsumer")
CUSTOMER_MAPPED = frozenset(CUSTOMER_FIELDS) | frozenset(CUSTOMER_RULED)
# Native error names → Fivaldi names.
CUSTOMER_NAMES = {v: k for k, v in CUSTOMER_FIELDS.items()} | {
    "companyName": "customerName",
    "fullName": "customerName",
    "lastName": "customerName",
    "firstName": "customerName",
    "languageCode": "languageCode",
    "customerType": "isConsumer",
}

ADDRESS_TYPES = {"01": "LEGAL", "02": "VISITING", "03": "INVOICE", "04": "DELIVERY"}
ADDRESS_TYPE_OF = {v: k for k, v in ADDRESS_TYPES.items()}
ADDRESS_FIELDS = {
    "streetAddress": "street",
    "postalCode": "zipCode",
    "postalAddress": "city",
    "countryCode": "countryCode",
    "isMainAddress": "defaultAddress",
}
ADDRESS_MAPPED = frozenset(ADDRESS_FIELDS) | {"addressType"}
ADDRESS_NAMES = {v: k for k, v in ADDRESS_FIELDS.items()} | {"addressType": "addressType"}

BANK_FIELDS = {"ibanNumber": "iban", "bbanNumber": "bban", "swift": "bic", "countryId": "countryCode"}
BANK_MAPPED = frozenset(BANK_FIELDS)
BANK_NAMES = {v: k for k, v in BANK_FIELDS.items()}


# --- to the register ------------------------------------------------------------------


def customer_to_native(values: dict[str, Any], *, person: bool | None) -> dict[str, Any]:
    """Native fields of the Fivaldi fields in `values` (a missing one stays missing).
    `person`: the customer's kind when `isConsumer` is not in `values` (None: a company)."""
    out = {native: values[f] for f, native in CUSTOMER_FIELDS.items() if f in values}
    if "isConsumer" in values:
        person = bool(values["isConsumer"])
    if "isConsumer" in values or "customerName" in values:
        out["customerType"] = "PERSON" if person else "COMPANY"
    if "customerName" in values:
        name = values["customerName"]
        out["fullName" if person else "companyName"] = name
        out["companyName" if person else "fullName"] = None
    if "languageCode" in values:
        code = values["languageCode"]
        out["languageCode"] = LANGUAGES.get(code) if code else None
    return out


def address_to_native(values: dict[str, Any]) -> dict[str, Any]:
    """A main address is the default of its type (of 01: the register's main address);
    another one follows the native rule (the first of a type is its default; a replace
    keeps the flag while the type stays). Which one is Fivaldi's main: `main_address_id`."""
    out = {native: values.get(f) for f, native in ADDRESS_FIELDS.items()}
    out["defaultAddress"] = True if out["defaultAddress"] else None
    out["addressType"] = ADDRESS_TYPES.get(values.get("addressType") or "01")
    return out


def bank_to_native(values: dict[str, Any]) -> dict[str, Any]:
    return {native: values.get(f) for f, native in BANK_FIELDS.items()}


def extras_of(values: dict[str, Any], mapped: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in mapped}


# --- from the register ----------------------------------------------------------------


def customer_from_native(n: dict[str, Any]) -> dict[str, Any]:
    """The Fivaldi fields that follow from a native customer (its JSON)."""
    person = n.get("customerType") == "PERSON"
    out = {f: n.get(native) for f, native in CUSTOMER_FIELDS.items()}
    out["customerId"] = str(n["customerNumber"])
    out["customerName"] = (n.get("fullName") if person else n.get("companyName")) or n.get("fullName")
    out["languageCode"] = LANGUAGE_OF.get(n.get("languageCode") or "")
    out["isConsumer"] = person
    out["changeTime"] = n.get("lastUpdatedAt")
    return out


def address_from_native(record_id: int, n: dict[str, Any], *, main: bool, user: str | None) -> dict[str, Any]:
    out = {f: n.get(native) for f, native in ADDRESS_FIELDS.items()}
    out["isMainAddress"] = main  # one across all types (`main_address_id`), not the type's default
    out["addressType"] = ADDRESS_TYPE_OF.get(n.get("addressType") or "")
    out["addressId"] = record_id
    out["changeTime"] = n.get("lastUpdatedAt")
    out["changeUser"] = change_user(user, dto.ADDRESS)
    return out


def bank_from_native(record_id: int, n: dict[str, Any], *, user: str | None) -> dict[str, Any]:
    out = {f: n.get(native) for f, native in BANK_FIELDS.items()}
    out["bankAccountId"] = str(record_id)
    out["changeTime"] = n.get("lastUpdatedAt")
    out["changeUser"] = change_user(user, dto.BANK_ACCOUNT)
    return out


def change_user(actor_id: str | None, specs: dict[str, dto.F]) -> str | None:
    """`changeUser`: who made the last change, as the audit trail names them (an API
    client's clientId, which is a Fivaldi partner id; a user's subject; `admin`), cut to
    the DTO's length."""
    return actor_id[: specs["changeUser"].max] if actor_id else None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def remember(sent: dict[str, Any], derived: dict[str, Any], mapped: frozenset[str]) -> dict[str, Any]:
    """The echo of a write: each mapped field whose value the register changed, [as sent, as it became]."""
    return {k: [sent[k], _jsonable(derived.get(k))] for k in sent if k in mapped and sent[k] != derived.get(k)}


def render(specs: dict[str, dto.F], derived: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """A whole DTO: the native values, the kept extras, what was sent where it still holds."""
    out = dict(derived)
    out.update({k: v for k, v in extras.items() if k != "echo" and k not in derived})
    for k, (sent, became) in (extras.get("echo") or {}).items():
        if _jsonable(derived.get(k)) == became:
            out[k] = sent
    return {k: out.get(k, default(spec)) for k, spec in specs.items() if spec.kind != "array"}


def default(spec: dto.F) -> Any:
    if spec.kind == "boolean":
        return False
    if spec.kind == "number" and not spec.nullable:
        return 0
    return None


def select(obj: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """`fields=`: only the named properties (comma-separated; unknown names ignored)."""
    return obj if fields is None else {k: v for k, v in obj.items() if k in fields}


def parse_fields(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [f.strip() for f in value.split(",") if f.strip()]
