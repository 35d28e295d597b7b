import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from custreg.fields import Country, Currency, RecordFields, Text


class BankAccountFields(RecordFields):
    accountGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")

    iban: Text = Field(
        None,
        max_length=50,
        description="IBAN; spaces allowed. When given, bban, bic and countryCode are derived from it",
    )
    bban: Text = Field(
        None,
        max_length=50,
        description="National account number (BBAN); with countryCode, used when iban is not given. "
        "Finnish short form 123456-785 accepted",
    )
    bic: Text = Field(
        None,
        max_length=20,
        description="BIC (SWIFT); derived from the bank code, kept as given only where the bank is unknown",
    )
    countryCode: Country = None
    currencyCode: Currency = None
    defaultAccount: bool | None = Field(None, description="The customer's default account")


class BankAccountRead(BankAccountFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    accountGuid: uuid.UUID
    iban: str
    bban: str
    countryCode: str
    defaultAccount: bool = False
    lastUpdatedAt: dt.datetime | None = None
