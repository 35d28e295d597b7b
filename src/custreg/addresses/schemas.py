import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from custreg.fields import Code, Country, RecordFields, Text


class AddressFields(RecordFields):
    addressGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored on write: the path's id wins")]

    addressType: Code(40, "LEGAL, DELIVERY, INVOICE, VISITING or a company-defined code")
    fullName: Text(255, "Name to use with this address instead of the customer's")
    careOf: Text(100, "c/o")
    street: Text(200, "Street")
    houseNo: Text(20, "House number")
    houseNoExtension: Text(20, "House number extension")
    city: Text(100, "City")
    zipCode: Text(20, "Postal code")
    stateCode: Text(20, "State code")
    countryCode: Country
    fullAddress: Text(500, "All parts combined")
    defaultAddress: Annotated[bool | None, Field(None, description="Default address of its type")]
    validFrom: Annotated[dt.date | None, Field(None, description="Valid from")]
    validTo: Annotated[dt.date | None, Field(None, description="Valid to")]
    addressNotValidDate: Annotated[dt.date | None, Field(None, description="Marked not valid on")]
    validOverride: Annotated[bool | None, Field(None, description="Validity override")]


class AddressRead(AddressFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    addressGuid: uuid.UUID  # type: ignore[assignment]
    addressType: str
    defaultAddress: bool = False
    lastUpdatedAt: dt.datetime | None = None
