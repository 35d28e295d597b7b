"""Shapes of lookups and of the client-mode search (seed 004, "Connect")."""

import uuid
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from custreg.fields import clean_text

Clean = BeforeValidator(clean_text)


def Limited(n: int, description: str):
    return Annotated[Annotated[str, Field(max_length=n)] | None, Clean, Field(None, description=description)]


class LookupResult(BaseModel):
    customerNumber: int
    customerGuid: uuid.UUID


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

    productCode: Limited(12, "Product code (accepted; custreg keeps no products)")
    companyName: Limited(40, "Company name")
    departmentName: Limited(40, "Department name")
    firstName: Limited(30, "First name")
    middleName: Limited(30, "Middle name")
    lastName: Limited(30, "Last name")
    careOfAddress: Limited(40, "Care of address")
    streetAddress: Limited(40, "Street name")
    streetNumber: Annotated[int | None, Field(None, ge=0, le=2**31 - 1, description="Street number")]
    entrance: Limited(12, "Entrance")
    postalCode: Annotated[
        Annotated[str, Field(max_length=10)] | None,
        BeforeValidator(lambda v: clean_text(str(v)) if isinstance(v, int) else clean_text(v)),
        Field(None, description="Postal code (the seed's sample sends a number)"),
    ]
    postalPlace: Limited(30, "Postal place")
    countryCode: Limited(3, "Country code")
    phoneNumber: Limited(20, "Phone number in E.164, e.g. +4712345678")
    email: Limited(255, "E-mail address")


class Name(BaseModel):
    firstName: str | None = None
    middleName: str | None = None
    lastName: str | None = None
    companyName: str | None = None


class PhoneNumber(BaseModel):
    type: str
    number: str


class FoundCustomer(BaseModel):
    customerNumber: int
    name: Name
    phoneNumbers: list[PhoneNumber]
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
