"""What a new company's register configuration starts with."""

KNOWN_EXTERNAL_SYSTEMS = [
    ("1", "Maestro"),
    ("2", "Posti"),
    ("3", "Matkahuolto"),
    ("4", "Checkout Finland"),
    ("5", "MyCashFlow"),
    ("6", "WooCommerce"),
    ("7", "Generic webstore"),
    ("22", "Generic reservation system"),
]

DEFAULTS: dict[str, list[tuple[str, str]]] = {
    "customerGroups": [],
    "segments": [],
    "customerTypes": [("CONSUMER", "Consumer"), ("BUSINESS", "Business"), ("PUBLIC", "Public sector")],
    "dimensions": [],
    "postingGroups": [],
    "deliveryTerms": [],
    "deliveryMethods": [],
    "paymentTerms": [("NET14", "14 days net"), ("NET30", "30 days net")],
    "priceLists": [],
    "vatStatuses": [
        ("DOMESTIC", "Domestic VAT"),
        ("EU", "EU, reverse charge"),
        ("NON_EU", "Outside the EU"),
        ("EXEMPT", "VAT exempt"),
    ],
    "addressTypes": [
        ("LEGAL", "Legal address"),
        ("DELIVERY", "Delivery address"),
        ("INVOICE", "Invoicing address"),
        ("VISITING", "Visiting address"),
    ],
    "relationRoles": [
        ("GUARANTOR", "Guarantor"),
        ("CONTACT_PERSON", "Contact person"),
        ("SUBSIDIARY", "Subsidiary"),
        ("CO_DEBTOR", "Co-debtor"),
    ],
    "externalSystems": KNOWN_EXTERNAL_SYSTEMS,
    "consentChannels": [
        ("EMAIL", "E-mail"),
        ("SMS", "Text message"),
        ("PHONE", "Phone"),
        ("POST", "Letter"),
        ("PROFILING", "Profiling"),
    ],
}

CATEGORIES = tuple(DEFAULTS)
