"""Shapes of lookups and of the client-mode search (seed 004, "Connect")."""

import uuid
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from custreg.fields import Text, clean_text

Clean = BeforeValidator(clean_text)


class LookupResult(BaseModel):
    customerNumber: int
    customerGuid: uuid.UUID
    mergedFrom: int | None = Field(
        None, description="The number asked for, when that customer was merged into this one"
    )


class OrgNumberResult(BaseModel):
    """Seed 003's searchByOrgNumber shape."""

    firstname: str | None = None
    lastname: str | None = None
    company: str | None = None
    street: str | None = None
    zip: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None


class SearchRequest(BaseModel):
    """Either (companyName or lastName) + streetAddress + (postalCode or postalPlace), or
    phoneNumber (E.164), or email. Longer values than the limits → 400."""

    model_config = ConfigDict(extra="forbid")

    productCode: Text = Field(None, max_length=12, description="Product code (accepted; custreg keeps no products)")
    companyName: Text = Field(None, max_length=40, description="Company name")
    departmentName: Text = Field(None, max_length=40, description="Department name")
    firstName: Text = Field(None, max_length=30, description="First name")
    middleName: Text = Field(None, max_length=30, description="Middle name")
    lastName: Text = Field(None, max_length=30, description="Last name")
    careOfAddress: Text = Field(None, max_length=40, description="Care of address")
    streetAddress: Text = Field(None, max_length=40, description="Street name")
    streetNumber: int | None = Field(None, ge=0, le=2**31 - 1, description="Street number")
    entrance: Text = Field(None, max_length=12, description="Entrance")
    postalCode: Annotated[
        Annotated[str, Field(max_length=10)] | None,
        BeforeValidator(lambda v: clean_text(str(v)) if isinstance(v, int) else clean_text(v)),
    ] = Field(None, description="Postal code (the seed's sample sends a number)")
    postalPlace: Text = Field(None, max_length=30, description="Postal place")
    countryCode: Text = Field(None, max_length=3, description="Country code")
    phoneNumber: Text = Field(None, max_length=20, description="Phone number in E.164, e.g. +4712345678")
    email: Text = Field(None, max_length=255, description="E-mail address")


class FoundName(BaseModel):
    firstName: str | None = None
    middleName: str | None = None
    lastName: str | None = None
    companyName: str | None = None


class FoundPhoneNumber(BaseModel):
    type: str
    number: str


class FoundCustomer(BaseModel):
    customerNumber: int
    name: FoundName
    phoneNumbers: list[FoundPhoneNumber]
    emails: list[str]
    invoiceEmailAddress: str | None = None


class SearchResult(BaseModel):
    customers: list[FoundCustomer]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credentials: Annotated[
        list[Annotated[str, Clean, Field(min_length=1, max_length=255)]],
        Field(min_length=1, max_length=100, description="Customer numbers, e-mails or E.164 phone numbers"),
    ]


class CheckedCredential(BaseModel):
    credential: str
    customerNumber: int


class CheckResult(BaseModel):
    customers: list[CheckedCredential]
