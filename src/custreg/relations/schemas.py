import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from custreg.fields import RecordFields, clean_text

# Built-in role codes; company-defined ones come with the register configuration
# (service.check_role_code is the one place that decides).
ROLE_CODES = ("GUARANTOR", "CONTACT_PERSON", "SUBSIDIARY", "CO_DEBTOR")


def _upper(value):
    value = clean_text(value)
    return value.upper() if isinstance(value, str) else value


class RelationFields(RecordFields):
    relationGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    relatedCustomer: Annotated[
        str,
        BeforeValidator(clean_text),
        Field(max_length=40, description="GUID (or number) of another customer of the same company"),
    ]
    roleCode: Annotated[
        str,
        BeforeValidator(_upper),
        Field(
            max_length=40,
            description="What the related customer is for this one: "
            + ", ".join(ROLE_CODES)
            + " or a company-defined code",
        ),
    ]


class RelationRead(RelationFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    relationGuid: uuid.UUID
    # A redefined pydantic field, not an override: the read shape gives the GUID that the
    # write shape accepts as text (GUID or number).
    relatedCustomer: uuid.UUID  # type: ignore[assignment]
    lastUpdatedAt: dt.datetime | None = None


class RecordLink(BaseModel):
    rel: str
    href: str


class _RelatedBase(BaseModel):
    """The seed's (002) shape of a related customer."""

    customerNumber: int
    customerReference: str | None = None
    idNumber: str | None = None
    juridicalType: int = Field(description="0 person, 1 organisation (seed 002)")
    customerType: str
    companyType: str | None = None
    placeOfBirth: str | None = None
    dateOfBirth: dt.date | None = None
    fullName: str | None = None
    vatNumber: str | None = None
    naceCode: str | None = None
    homePhone: str | None = None
    workPhone: str | None = None
    cellularPhone: str | None = None
    email: str | None = None
    languageCode: str | None = None
    currencyCode: str | None = None
    links: list[RecordLink] = []


class Guarantor(_RelatedBase):
    """An entry of `myGuarantors`: a customer who guarantees for this one."""

    guarantorGuid: uuid.UUID


class GuaranteeFor(_RelatedBase):
    """An entry of `guaranteeFor`: a customer this one guarantees for."""

    customerGuid: uuid.UUID


class RelatedCustomer(_RelatedBase):
    """An entry of `allRelatedCustomers`."""

    customerGuid: uuid.UUID
    customerRoleCode: str = Field(description="The relation's role code")
    relationDirection: str = Field(
        description=(
            "OUTGOING: recorded on this customer, the listed customer holds the role for it; "
            "INCOMING: recorded on the listed customer, this customer holds the role for it"
        )
    )
    relationGuid: uuid.UUID
