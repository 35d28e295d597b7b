"""Fivaldi's DTOs as the vendor publishes them (Customer API 2.12.0): every field with its
type, length and enumeration, validated as a client sends it. Unknown fields are ignored,
as the vendor's server does; server-set ones (`customerId`, `changeTime`, ...) too.
Violations come back as one 400 ApiErrorList naming each field."""

from dataclasses import dataclass
from typing import Any

from custreg.errors import BadRequest


@dataclass(frozen=True)
class F:
    kind: str  # "string" | "boolean" | "number" | "integer" | "array"
    min: int = 0
    max: int = 0  # strings: the longest; numbers: the largest
    enum: tuple[str, ...] = ()
    server: bool = False  # set by the register; ignored on write
    nullable: bool = True


def _s(max_: int, *enum: str, min_: int = 0, server: bool = False, nullable: bool = True) -> F:
    return F("string", min_, max_, tuple(enum), server, nullable)


B = F("boolean", nullable=False)

# CustomerEntityDTO: a list item.
LIST_ITEM: dict[str, F] = {
    "customerId": _s(10, min_=1, server=True),
    "businessId": _s(30),
    "customerName": _s(40),
    "customerName2": _s(40),
    "email": _s(80),
    "email2": _s(80),
    "phoneNumber": _s(25),
    "phoneNumber2": _s(25),
    "externalId": _s(30),
    "changeTime": _s(40, server=True),
}

# CustomerEntityDetailsDTO, in the published order.
CUSTOMER: dict[str, F] = {
    **{k: v for k, v in LIST_ITEM.items() if k not in ("externalId", "changeTime")},
    "changeTime": _s(40, server=True),
    "changeUser": _s(40, server=True),
    "accountDimension1": _s(8),
    "accountDimension2": _s(8),
    "accountDimension3": _s(8),
    "accountDimension4": _s(8),
    "currency": _s(3, min_=3),
    "customerSegment": _s(10),
    "customerInterestPercent": F("number", max=9999, nullable=False),
    "debtCollectionDisabled": B,
    "deliveryMethod": _s(3),
    "externalId": _s(30),
    "finvoiceBuyerPartyIdentifier": _s(1, "O", "A", "M"),
    "finvoiceDimensionTextMask": _s(40),
    "finvoiceNoPostingRows": B,
    "finvoiceOtherIdentifier": _s(30),
    "fivaldiBankAccountId": _s(4),
    "languageCode": _s(3, "FIN", "ENG", "SWE", min_=3),
    "instantMessagingType": _s(1, "1", "2", "3"),
    "interestDisabled": B,
    "intermediatorCode": _s(30),
    "isCustomer": B,
    "ovtIdentifier": _s(17),
    "paymentPriority": F("integer", 1, 5),
    "purchasePaymentTerm": _s(4),
    "supplierCustomerId": _s(20),
    "purchasePostingGroup": _s(10),
    "additionalInformation": _s(2048),
    "privateAdditionalInfo": _s(80),
    "purchaseDeliveryMethodId": _s(10),
    "purchasePostingCode": _s(4),
    "salesPostingGroup": _s(10),
    "purchaseDeliveryTermId": _s(10),
    "responsablePerson": _s(40),
    "referenceFormat": _s(2, "LV", "VL", "VA"),
    "referenceDefaultValue": _s(20),
    "salesPersonId": _s(20),
    "salesPaymentTerm": _s(4),
    "isSupplier": B,
    "salesDeliveryTermId": _s(3),
    "transmissionTypeId": _s(10),
    "website": _s(80),
    "specificationIdentifier": _s(35),
    "buyerCountrySubdivision": _s(35, min_=2),
    "classificationCode": _s(10),
    "classificationText": _s(70),
    "agreementIdentifier": _s(70),
    "buyerReferenceIdentifier": _s(70),
    "accountDimensionText": _s(35),
    "tenderReference": _s(70),
    "isConsumer": B,
    "einvoiceDirectPaymentprintingType": _s(70),
    "einvoiceDirectPayment": B,
    "customerEntityAddressDTOS": F("array"),
    "customerEntityBankAccountDTOS": F("array"),
}

ADDRESS: dict[str, F] = {
    "addressType": _s(2, "01", "02", "03", "04"),
    "addressId": F("number", server=True),
    "streetAddress": _s(80),
    "streetAddress2": _s(80),
    "postalCode": _s(10),
    "postalAddress": _s(80),
    "countryCode": _s(2, min_=2),
    "isMainAddress": B,
    "changeTime": _s(40, server=True),
    "changeUser": _s(30, server=True),
}

BANK_ACCOUNT: dict[str, F] = {
    "bankAccountId": _s(10, min_=1, server=True),
    "bbanNumber": _s(40),
    "bankAddress": _s(70),
    "bankName": _s(70),
    "changeTime": _s(40, server=True),
    "changeUser": _s(30, server=True),
    "clearingCode": _s(35),
    "countryId": _s(2, min_=2, nullable=False),
    "foreignPaymentCharge": _s(1, "J", "T"),
    "foreignPaymentType": _s(1, "M", "P", "Q", "S", "T", "K", "B"),
    "ibanNumber": _s(50),
    "swift": _s(11),
}


def _problem(name: str, spec: F, value: Any) -> str | None:
    if value is None:
        return None if spec.nullable else f"{name}: must not be null"
    if spec.kind == "string":
        if not isinstance(value, str):
            return f"{name}: must be a string"
        if not spec.min <= len(value) <= spec.max and not (value == "" and spec.min > 0):
            return f"{name}: length must be between {spec.min} and {spec.max}"
        if spec.enum and value != "" and value not in spec.enum:
            return f"{name}: must be one of {', '.join(spec.enum)}"
    elif spec.kind == "boolean" and not isinstance(value, bool):
        return f"{name}: must be a boolean"
    elif spec.kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float) or (spec.kind == "integer" and value % 1):
            return f"{name}: must be a{'n integer' if spec.kind == 'integer' else ' number'}"
        if (spec.max and value > spec.max + 0.999999) or value < spec.min:
            return f"{name}: must be between {spec.min} and {spec.max}"
    elif spec.kind == "array" and not isinstance(value, list):
        return f"{name}: must be an array"
    return None


def check(body: Any, specs: dict[str, F], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """The writable DTO fields of `body` (in the DTO's order) and the problems found."""
    if not isinstance(body, dict):
        return {}, [f"{prefix or 'body'}: must be a JSON object"]
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in body or spec.server:
            continue
        problem = _problem(prefix + name, spec, body[name])
        if problem:
            problems.append(problem)
        else:
            values[name] = body[name]
    return values, problems


def parse(body: Any, specs: dict[str, F]) -> dict[str, Any]:
    values, problems = check(body, specs)
    if problems:
        raise BadRequest("Validation failed", [{"field": p.split(":")[0], "message": p} for p in problems])
    return values


def parse_customer(body: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A customer body: its own fields, its addresses and its bank accounts."""
    values, problems = check(body, CUSTOMER)
    nested: dict[str, list[dict[str, Any]]] = {"customerEntityAddressDTOS": [], "customerEntityBankAccountDTOS": []}
    for key, specs in (("customerEntityAddressDTOS", ADDRESS), ("customerEntityBankAccountDTOS", BANK_ACCOUNT)):
        for i, item in enumerate(values.pop(key, None) or []):
            v, p = check(item, specs, f"{key}[{i}].")
            nested[key].append(v)
            problems += p
    if problems:
        raise BadRequest("Validation failed", [{"field": p.split(":")[0], "message": p} for p in problems])
    return values, nested["customerEntityAddressDTOS"], nested["customerEntityBankAccountDTOS"]
