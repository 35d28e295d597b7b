"""getCustomerRegisterBasicDetails: the company's register codes in Fivaldi's `*DTOList`
shape (the element fields of the vendor's client). Lists the register has no codes for
are empty; the fixed enumerations of the DTOs are listed as the DTOs define them."""

from typing import Any

ADDRESS_TYPES = [("01", "Postiosoite"), ("02", "Käyntiosoite"), ("03", "Laskutusosoite"), ("04", "Toimitusosoite")]
PAYMENT_PRIORITIES = [
    ("1", "Kiireellinen"),
    ("2", "Tärkeä"),
    ("3", "Normaali"),
    ("4", "Ei kiireellinen"),
    ("5", "Voi odottaa"),
]
REFERENCE_FORMATS = [("LV", "Laskunumero + vakio"), ("VL", "Vakio + laskunumero"), ("VA", "Vakio")]
MESSAGE_TYPES = [("1", "Viite"), ("2", "Viesti"), ("3", "Verottajan viesti")]
FOREIGN_PAYMENT_TYPES = [
    ("M", "Maksumääräys"),
    ("P", "Pikamaksu"),
    ("Q", "SWIFT-shekki"),
    ("S", "Shekki"),
    ("T", "Konsernin sisäinen siirto"),
    ("K", "Konsernimaksu"),
    ("B", "EU-maksu (OP)"),
]
FOREIGN_PAYMENT_CHARGES = [("J", "Jaetut kulut"), ("T", "Maksaja maksaa kulut")]


def _ids(pairs: list[tuple[str, str]], key: str = "id") -> list[dict[str, str]]:
    return [{key: k, "description": d} for k, d in pairs]


def details(codes: dict[str, list]) -> dict[str, Any]:
    """`codes`: register/service.basic_details (category → [{code, name, ...}])."""

    def items(category: str) -> list[dict[str, Any]]:
        return list(codes.get(category) or [])

    dimensions = items("dimensions")
    out: dict[str, Any] = {
        "paymentTermDTOList": [
            {
                "paymentTermId": c["code"],
                "discountDates": None,
                "discountPercent": None,
                "netDueDate": None,
                "defaultPaymentTerm": i == 0,
                "description": c["name"],
            }
            for i, c in enumerate(items("paymentTerms"))
        ],
        "deliveryMethodDTOList": [
            {"deliveryMethodId": c["code"], "defaultDeliveryMethod": str(i == 0).lower(), "description": c["name"]}
            for i, c in enumerate(items("deliveryMethods"))
        ],
        "deliveryTermDTOList": [
            {
                "deliveryTermId": c["code"],
                "defaultDeliveryTerm": i == 0,
                "description": c["name"],
                "deliveryTermText": c["name"],
            }
            for i, c in enumerate(items("deliveryTerms"))
        ],
        "currencyDTOList": [],
        "salesPersonDTOList": [],
        "salesPostingGroupDTOList": [
            {"postingGroupId": c["code"], "description": c["name"]} for c in items("postingGroups")
        ],
        "purchasesPostingGroupDTOList": [],
        "customerGroupAndSegmentsDTOList": [],
        "fivaldiCompanyBankAccountDTOList": [],
        "purchasePostingCodeDTOList": [],
        "paymentPriorityDTOList": _ids(PAYMENT_PRIORITIES),
        "referenceFormatDTOList": _ids(REFERENCE_FORMATS),
        "instantMessagingTypeDTOList": _ids(MESSAGE_TYPES),
        "transmissionTypeDTOList": [],
        "einvoiceDirectPaymentprintingTypeDTOList": [],
        "addressTypeDTOList": _ids(ADDRESS_TYPES, "addressType"),
        "foreignPaymentTypeDTOList": _ids(FOREIGN_PAYMENT_TYPES, "type"),
        "foreignPaymentChargeDTOList": _ids(FOREIGN_PAYMENT_CHARGES, "type"),
    }
    for n in range(1, 5):
        dim: dict[str, Any] = dimensions[n - 1] if len(dimensions) >= n else {}
        out[f"accountDimension{n}ValueDTOList"] = [
            {"dimension": dim["code"], "accountId": v["code"], "finAccountDescription": v["name"]}
            for v in dim.get("values") or []
        ]
    return out
