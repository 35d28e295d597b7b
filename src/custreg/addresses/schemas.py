import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from custreg.fields import Code, Country, RecordFields, Text


class AddressFields(RecordFields):
    addressGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")

    addressType: Code = Field(
        None, max_length=40, description="LEGAL, DELIVERY, INVOICE, VISITING or a company-defined code"
    )
    fullName: Text = Field(None, max_length=255, description="Name to use with this address instead of the customer's")
    careOf: Text = Field(None, max_length=100, description="c/o")
    street: Text = Field(None, max_length=200, description="Street")
    houseNo: Text = Field(None, max_length=20, description="House number")
    houseNoExtension: Text = Field(None, max_length=20, description="House number extension")
    city: Text = Field(None, max_length=100, description="City")
    zipCode: Text = Field(None, max_length=20, description="Postal code")
    stateCode: Text = Field(None, max_length=20, description="State code")
    countryCode: Country = None
    fullAddress: Text = Field(None, max_length=500, description="All parts combined")
    defaultAddress: bool | None = Field(None, description="Default address of its type")
    validFrom: dt.date | None = Field(None, description="Valid from")
    validTo: dt.date | None = Field(None, description="Valid to")
    addressNotValidDate: dt.date | None = Field(None, description="Marked not valid on")
    validOverride: bool | None = Field(None, description="Validity override")


class AddressRead(AddressFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    addressGuid: uuid.UUID
    addressType: str
    defaultAddress: bool = False
    lastUpdatedAt: dt.datetime | None = None
