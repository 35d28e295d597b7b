"""API shapes of a customer: the writable field set, and create/replace/patch/read."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator, model_validator

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


Number = PlainSerializer(lambda d: float(d) if d is not None else None, return_type=float | None, when_used="json")


UpperEnum = BeforeValidator(_upper_enum)  # `Annotated[Gender | None, UpperEnum]`: case-insensitive in


Dimensions = Annotated[
    dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=40)]] | None,
    Field(description="Dimension code → value code"),
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

    customerType: Annotated[CustomerType | None, UpperEnum] = Field(None, description="PERSON (default) or COMPANY")
    customerReference: Text = Field(None, max_length=100, description="Customer's own reference")
    clientReference: Text = Field(None, max_length=100, description="Client reference")
    parentCustomer: uuid.UUID | None = Field(None, description="GUID of the parent customer")

    fullName: Text = Field(None, max_length=255, description="Full name; derived from the name parts when not given")
    firstName: Text = Field(None, max_length=100, description="First name")
    middleName: Text = Field(None, max_length=100, description="Middle name")
    lastName: Text = Field(None, max_length=100, description="Last name")
    nameSuffix: Text = Field(None, max_length=40, description="Name suffix")
    companyName: Text = Field(None, max_length=200, description="Organisation name")
    name2: Text = Field(None, max_length=200, description="Second name line")
    departmentName: Text = Field(None, max_length=100, description="Department")

    dateOfBirth: Annotated[dt.date | None, BeforeValidator(clean_text)] = Field(
        None, description="Date of birth, YYYY-MM-DD; not in the future"
    )
    placeOfBirth: Text = Field(None, max_length=100, description="Place of birth")
    gender: Annotated[Gender | None, UpperEnum] = Field(None, description="UNSPECIFIED, MALE or FEMALE")
    cultureCode: Text = Field(None, max_length=20, description="Culture code, e.g. fi-FI")
    underAged: bool | None = Field(None, description="Under-aged flag")

    companyType: Text = Field(None, max_length=40, description="Company type code")
    vatNumber: Text = Field(None, max_length=40, description="VAT number (EU VAT or the country's own form)")
    glnNumber: Text = Field(None, max_length=20, description="GS1 GLN, check digit verified")
    naceCode: Text = Field(None, max_length=20, description="NACE code")
    domicile: Text = Field(None, max_length=100, description="Domicile")
    municipalCode: Text = Field(None, max_length=20, description="Municipal code")
    propertyDesignation: Text = Field(None, max_length=100, description="Property designation")
    housingAssociationRegNo: Text = Field(None, max_length=40, description="Housing association registration number")
    idNumber: Text = Field(
        None, max_length=40, description="Personal identity code or business ID, validated by country"
    )

    street: Text = Field(None, max_length=200, description="Main address: street")
    houseNo: Text = Field(None, max_length=20, description="Main address: house number")
    houseNoExtension: Text = Field(None, max_length=20, description="Main address: house number extension")
    city: Text = Field(None, max_length=100, description="Main address: city")
    zipCode: Text = Field(None, max_length=20, description="Main address: postal code")
    stateCode: Text = Field(None, max_length=20, description="Main address: state code")
    countryCode: Country = None
    fullAddress: Text = Field(None, max_length=500, description="Main address: all parts combined")

    homePhone: Text = Field(None, max_length=30, description="Home phone, stored in E.164")
    workPhone: Text = Field(None, max_length=30, description="Work phone, stored in E.164")
    cellularPhone: Text = Field(None, max_length=30, description="Mobile phone, stored in E.164")
    telefax: Text = Field(None, max_length=30, description="Fax, stored in E.164")
    email: Text = Field(None, max_length=255, description="E-mail address")
    invoiceEmailAddress: Text = Field(
        None, max_length=60, description="E-mail address for e-mail invoices (at most 60)"
    )

    languageCode: Language = None
    currencyCode: Currency = None
    preferredChannel: Annotated[Channel | None, UpperEnum] = Field(None, description="LETTER, E-INVOICE, EMAIL or SMS")
    invoiceChannel: Annotated[Channel | None, UpperEnum] = Field(None, description="LETTER, E-INVOICE, EMAIL or SMS")
    eInvoiceAddress: Text = Field(None, max_length=100, description="E-invoice address (OVT/EDI)")
    eInvoiceOperator: Text = Field(None, max_length=100, description="E-invoice operator")

    customerGroup: Code = Field(None, max_length=40, description="Customer group code (basic details)")
    segment: Code = Field(None, max_length=40, description="Segment code (basic details)")
    customerTypeCode: Code = Field(None, max_length=40, description="Customer type code (basic details)")
    paymentTerms: Code = Field(None, max_length=40, description="Payment terms code (basic details)")
    deliveryTerms: Code = Field(None, max_length=40, description="Delivery terms code (basic details)")
    deliveryMethod: Code = Field(None, max_length=40, description="Delivery method code (basic details)")
    postingGroup: Code = Field(None, max_length=40, description="Posting group code (basic details)")
    priceList: Code = Field(None, max_length=40, description="Price list code (basic details)")
    vatStatus: Code = Field(None, max_length=40, description="VAT status code (basic details)")
    dimensions: Dimensions = None
    rebate: Annotated[Decimal | None, Number] = Field(
        None, ge=0, le=100, max_digits=5, decimal_places=2, description="Rebate percent 0-100"
    )
    creditLimit: Annotated[Decimal | None, Number] = Field(
        None, ge=0, max_digits=18, decimal_places=2, description="Credit limit ≥ 0"
    )
    reverseTax: bool | None = Field(None, description="Reverse VAT charge")
    handlingCharge: bool | None = Field(None, description="Handling charge applies")
    status: Text = Field(None, max_length=40, description="Status")
    notes: Text = Field(None, max_length=4000, description="Free notes")
    origin: Text = Field(None, max_length=100, description="Where the customer came from")
    latitude: float | None = Field(None, ge=-90, le=90, description="Latitude")
    longitude: float | None = Field(None, ge=-180, le=180, description="Longitude")
    referenceOrder: Text = Field(None, max_length=100, description="Reference for orders")
    emailOrder: Text = Field(None, max_length=255, description="E-mail for orders")
    referenceOffer: Text = Field(None, max_length=100, description="Reference for offers")
    emailOffer: Text = Field(None, max_length=255, description="E-mail for offers")

    excluded: bool | None = Field(None, description="Hidden from lists, search and lookups")

    _dob = field_validator("dateOfBirth")(_past_date)


AttachedUsers = Annotated[
    Annotated[
        list[Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=255)]], Field(max_length=100)
    ]
    | None,
    Field(
        description="End users (the identity provider's `sub`) who may see and change "
        "this customer through /v1/customer/info"
    ),
]


class _CustomerInput(CustomerFields):
    nested: ClassVar[frozenset[str]] = frozenset()  # record lists this input may carry

    attachedUsers: AttachedUsers = None  # access/selfservice.py stores them (customer_users)
    # Tehden's shorthand for one external id; both or neither (external_ids/hooks.py).
    externalSystemId: SystemId = None
    externalSystemIdentifier: SystemIdentifier = None

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        # A client may PUT back what it GOT: read-only fields are accepted and ignored.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in READ_ONLY_FIELDS or k in cls.nested}
        return data


class CustomerCreate(_CustomerInput):
    customerGuid: uuid.UUID | None = Field(None, description="Optional client-chosen GUID")

    # Records created with the customer, in the same transaction (all or nothing).
    nested = frozenset({"addresses", "bankAccounts", "contacts", "externalIds"})
    externalIds: list[ExternalIdFields] | None = Field(None, max_length=100, description="External ids to create")
    addresses: list[AddressFields] | None = Field(None, max_length=100, description="Addresses to create")
    bankAccounts: list[BankAccountFields] | None = Field(None, max_length=100, description="Bank accounts to create")
    contacts: list[ContactFields] | None = Field(None, max_length=100, description="Contacts to create")


class CustomerReplace(_CustomerInput):
    """PUT: every field; a missing or null one is cleared."""

    customerGuid: uuid.UUID | None = Field(None, description="Ignored: the path decides")


class CustomerPatch(_CustomerInput):
    """PATCH: a JSON merge patch; only the fields sent change, null clears."""

    customerGuid: uuid.UUID | None = Field(None, description="Ignored: the path decides")


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


class CustomerSummary(BaseModel):
    """A customer in a list: its summary (the fields of the seeds' own list items); with
    `$select`, the identifiers and the fields named (any field of the customer, as additional
    properties). GET of one customer gives the whole customer."""

    model_config = ConfigDict(extra="allow")

    customerType: CustomerType | None = None
    fullName: str | None = None
    firstName: str | None = None
    middleName: str | None = None
    lastName: str | None = None
    companyName: str | None = None
    vatNumber: str | None = None
    idNumber: str | None = None
    city: str | None = Field(None, description="The main address's")
    zipCode: str | None = Field(None, description="The main address's")
    countryCode: str | None = Field(None, description="The main address's")
    homePhone: str | None = None
    workPhone: str | None = None
    cellularPhone: str | None = None
    email: str | None = None
    status: str | None = None
    excluded: bool | None = None
    customerGuid: uuid.UUID
    customerNumber: int
    lastUpdatedAt: dt.datetime | None = None
    version: int
    links: list[Link] | None = Field(None, description="The customer's own (`self`); its GET lists the records'")


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
