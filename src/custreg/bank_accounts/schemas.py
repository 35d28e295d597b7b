import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from custreg.fields import Country, Currency, RecordFields, Text


class BankAccountFields(RecordFields):
    accountGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored on write: the path's id wins")]

    iban: Text(50, "IBAN; spaces allowed. When given, bban, bic and countryCode are derived from it")
    bban: Text(
        50,
        "National account number (BBAN); with countryCode, used when iban is not given. "
        "Finnish short form 123456-785 accepted",
    )
    bic: Text(20, "BIC (SWIFT); derived from the bank code, kept as given only where the bank is unknown")
    countryCode: Country
    currencyCode: Currency
    defaultAccount: Annotated[bool | None, Field(None, description="The customer's default account")]


class BankAccountRead(BankAccountFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    accountGuid: uuid.UUID  # type: ignore[assignment]
    iban: str  # type: ignore[assignment]
    bban: str  # type: ignore[assignment]
    countryCode: str  # type: ignore[assignment]
    defaultAccount: bool = False
    lastUpdatedAt: dt.datetime | None = None
