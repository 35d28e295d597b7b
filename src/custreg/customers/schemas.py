"""API shapes of a customer: the writable field set, and create/replace/patch/read."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from custreg.addresses.schemas import AddressFields
from custreg.bank_accounts.schemas import BankAccountFields
from custreg.contacts.schemas import ContactFields
from custreg.external_ids.schemas import ExternalIdFields, ExternalIdRead, SystemId, SystemIdentifier
from custreg.fields import Code, Country, Currency, Language, Text, clean_text
from custreg.records_detail import RECORDS_DETAIL_FIELDS, RecordsDetail

CustomerType = Literal["PERSON", "COMPANY"]
Gender = Literal["UNSPECIFIED", "MALE", "FEMALE"]
Channel = Literal["LETTER", "E-INVOICE", "EMAIL", "SMS"]


def _upper_enum(value: Any) -> Any:
    value = clean_text(value)
    return value.upper() if isinstance(value, str) else value


def _past_date(value: dt.date | None) -> dt.date | None:
    if value is not None and value > dt.date.today():
        raise ValueError("must not be in the future")
    return value


Number = PlainSerializer(
    lambda d: float(d) if d is not None else None, return_type=float | None, when_used="json"
)


def Enum(kind, description: str):
    return Annotated[kind | None, BeforeValidator(_upper_enum), Field(None, description=description)]


Dimensions = Annotated[
    dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=40)]] | None,
    Field(None, description="Dimension code → value code"),
]

MAIN_ADDRESS_FIELDS = (
    "street",
    "houseNo",
    "houseNoExtension",
    "city",
    "zipCode",
    "stateCode",
    "countryCode",
    "fullAddress",
)
READ_ONLY_FIELDS = (
    frozenset(
        {
            "customerNumber",
            "regDate",
            "lastUpdatedAt",
            "version",
            "links",
            "addresses",
            "bankAccounts",
            "contacts",
            "externalIds",
        }
    )
    | RECORDS_DETAIL_FIELDS
)


class CustomerFields(BaseModel):
    """Every writable customer field (section 3 of the contract)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    customerType: Enum(CustomerType, "PERSON (default) or COMPANY")
    customerReference: Text(100, "Customer's own reference")
    clientReference: Text(100, "Client reference")
    parentCustomer: Annotated[uuid.UUID | None, Field(None, description="GUID of the parent customer")]

    fullName: Text(255, "Full name; derived from the name parts when not given")
    firstName: Text(100, "First name")
    middleName: Text(100, "Middle name")
    lastName: Text(100, "Last name")
    nameSuffix: Text(40, "Name suffix")
    companyName: Text(200, "Organisation name")
    name2: Text(200, "Second name line")
    departmentName: Text(100, "Department")

    dateOfBirth: Annotated[
        dt.date | None,
        BeforeValidator(clean_text),
        Field(None, description="Date of birth, YYYY-MM-DD; not in the future"),
    ]
    placeOfBirth: Text(100, "Place of birth")
    gender: Enum(Gender, "UNSPECIFIED, MALE or FEMALE")
    cultureCode: Text(20, "Culture code, e.g. fi-FI")
    underAged: Annotated[bool | None, Field(None, description="Under-aged flag")]

    companyType: Text(40, "Company type code")
    vatNumber: Text(40, "VAT number (EU VAT or the country's own form)")
    glnNumber: Text(20, "GS1 GLN, check digit verified")
    naceCode: Text(20, "NACE code")
    domicile: Text(100, "Domicile")
    municipalCode: Text(20, "Municipal code")
    propertyDesignation: Text(100, "Property designation")
    housingAssociationRegNo: Text(40, "Housing association registration number")
    idNumber: Text(40, "Personal identity code or business ID, validated by country")

    street: Text(200, "Main address: street")
    houseNo: Text(20, "Main address: house number")
    houseNoExtension: Text(20, "Main address: house number extension")
    city: Text(100, "Main address: city")
    zipCode: Text(20, "Main address: postal code")
    stateCode: Text(20, "Main address: state code")
    countryCode: Country
    fullAddress: Text(500, "Main address: all parts combined")

    homePhone: Text(30, "Home phone, stored in E.164")
    workPhone: Text(30, "Work phone, stored in E.164")
    cellularPhone: Text(30, "Mobile phone, stored in E.164")
    telefax: Text(30, "Fax, stored in E.164")
    email: Text(255, "E-mail address")
    invoiceEmailAddress: Text(60, "E-mail address for e-mail invoices (at most 60)")

    languageCode: Language
    currencyCode: Currency
    preferredChannel: Enum(Channel, "LETTER, E-INVOICE, EMAIL or SMS")
    invoiceChannel: Enum(Channel, "LETTER, E-INVOICE, EMAIL or SMS")
    eInvoiceAddress: Text(100, "E-invoice address (OVT/EDI)")
    eInvoiceOperator: Text(100, "E-invoice operator")

    customerGroup: Code(40, "Customer group code (basic details)")
    segment: Code(40, "Segment code (basic details)")
    customerTypeCode: Code(40, "Customer type code (basic details)")
    paymentTerms: Code(40, "Payment terms code (basic details)")
    deliveryTerms: Code(40, "Delivery terms code (basic details)")
    deliveryMethod: Code(40, "Delivery method code (basic details)")
    postingGroup: Code(40, "Posting group code (basic details)")
    priceList: Code(40, "Price list code (basic details)")
    vatStatus: Code(40, "VAT status code (basic details)")
    dimensions: Dimensions
    rebate: Annotated[
        Decimal | None,
        Number,
        Field(None, ge=0, le=100, max_digits=5, decimal_places=2, description="Rebate percent 0-100"),
    ]
    creditLimit: Annotated[
        Decimal | None,
        Number,
        Field(None, ge=0, max_digits=18, decimal_places=2, description="Credit limit ≥ 0"),
    ]
    reverseTax: Annotated[bool | None, Field(None, description="Reverse VAT charge")]
    handlingCharge: Annotated[bool | None, Field(None, description="Handling charge applies")]
    status: Text(40, "Status")
    notes: Text(4000, "Free notes")
    origin: Text(100, "Where the customer came from")
    latitude: Annotated[float | None, Field(None, ge=-90, le=90, description="Latitude")]
    longitude: Annotated[float | None, Field(None, ge=-180, le=180, description="Longitude")]
    referenceOrder: Text(100, "Reference for orders")
    emailOrder: Text(255, "E-mail for orders")
    referenceOffer: Text(100, "Reference for offers")
    emailOffer: Text(255, "E-mail for offers")

    excluded: Annotated[bool | None, Field(None, description="Hidden from lists, search and lookups")]

    _dob = field_validator("dateOfBirth")(_past_date)


AttachedUsers = Annotated[
    Annotated[
        list[Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=255)]],
        Field(max_length=100),
    ]
    | None,
    Field(
        None,
        description="End users (the identity provider's `sub`) who may see and change "
        "this customer through /v1/customer/info",
    ),
]


class _CustomerInput(CustomerFields):
    nested: ClassVar[frozenset[str]] = frozenset()  # record lists this input may carry

    attachedUsers: AttachedUsers  # access/selfservice.py stores them (customer_users)
    # Tehden's shorthand for one external id; both or neither (external_ids/hooks.py).
    externalSystemId: SystemId
    externalSystemIdentifier: SystemIdentifier

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        # A client may PUT back what it GOT: read-only fields are accepted and ignored.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in READ_ONLY_FIELDS or k in cls.nested}
        return data


class CustomerCreate(_CustomerInput):
    customerGuid: Annotated[uuid.UUID | None, Field(None, description="Optional client-chosen GUID")]

    # Records created with the customer, in the same transaction (all or nothing).
    nested = frozenset({"addresses", "bankAccounts", "contacts", "externalIds"})
    externalIds: Annotated[
        list[ExternalIdFields] | None, Field(None, max_length=100, description="External ids to create")
    ]
    addresses: Annotated[
        list[AddressFields] | None, Field(None, max_length=100, description="Addresses to create")
    ]
    bankAccounts: Annotated[
        list[BankAccountFields] | None, Field(None, max_length=100, description="Bank accounts to create")
    ]
    contacts: Annotated[
        list[ContactFields] | None, Field(None, max_length=100, description="Contacts to create")
    ]


class CustomerReplace(_CustomerInput):
    """PUT: every field; a missing or null one is cleared."""

    customerGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored: the path decides")]


class CustomerPatch(_CustomerInput):
    """PATCH: a JSON merge patch; only the fields sent change, null clears."""

    customerGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored: the path decides")]


class Link(BaseModel):
    rel: str
    href: str


class CustomerRead(CustomerFields):
    model_config = ConfigDict(extra="ignore")

    customerGuid: uuid.UUID
    customerNumber: int
    customerType: CustomerType = "PERSON"
    excluded: bool = False
    regDate: dt.datetime
    lastUpdatedAt: dt.datetime
    version: int
    links: list[Link] = []


class CustomerNumberList(BaseModel):
    count: int


class Removed(BaseModel):
    result: Literal["Removed"] = "Removed"
    count: int


from custreg.addresses.schemas import AddressRead  # noqa: E402
from custreg.bank_accounts.schemas import BankAccountRead  # noqa: E402
from custreg.contacts.schemas import ContactRead  # noqa: E402


class CustomerDetail(CustomerRead, RecordsDetail):
    """The whole customer, its records included."""

    addresses: list[AddressRead] = []
    attachedUsers: list[str] = []
    bankAccounts: list[BankAccountRead] = []
    contacts: list[ContactRead] = []
    externalIds: list[ExternalIdRead] = []
    externalSystemId: int | None = None
    externalSystemIdentifier: str | None = None
