import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from custreg.choices import Date, DateTime, IntChoice, describe_ints
from custreg.fields import RecordFields, Text, clean_text

# Seed 002 (Aptic CLVR) integer enums; a name is accepted on input too.
MANDATE_TYPES = {
    1: "SwedishAutogiro",
    2: "DutchIncasso",
    3: "SEPAConsumerRecurring",
    4: "SEPAConsumerOneOff",
    5: "SEPABusinessRecurring",
    7: "SEPABusinessOneOff",
}
ACCOUNT_CLASSES = {
    1: "SwedishPlusgiro",
    2: "SwedishBankgiro",
    3: "DutchIban",
    4: "ForeignIban",
    5: "DanishBankgiro",
    7: "NorwegianBankgiro",
    8: "NorwegianBankAccount",
    9: "SwedishBankAccount",
    10: "FinnishBankAccount",
}


class MandateFields(RecordFields):
    read_only = RecordFields.read_only | {"closedAt"}  # set by POST .../close only

    mandateGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    directDebitMandateType: Annotated[int, IntChoice(MANDATE_TYPES)] = Field(
        description=f"Direct debit type: {describe_ints(MANDATE_TYPES)}"
    )
    receivingBankAccountNo: Annotated[
        str,
        BeforeValidator(clean_text),
        Field(min_length=1, max_length=40, description="Bank account number of the receiving party (required)"),
    ]
    sendingBankAccountClass: Annotated[int | None, IntChoice(ACCOUNT_CLASSES)] = Field(
        None, description=f"Class of the payer's account: {describe_ints(ACCOUNT_CLASSES)}"
    )
    sendingBankAccountNo: Text = Field(
        None, max_length=40, description="The payer's account number, validated for its class"
    )
    referenceNo: Text = Field(None, max_length=50, description="Mandate reference number")
    requestedAt: DateTime = Field(None, description="When the mandate was requested")
    approvedAt: DateTime = Field(None, description="When the mandate was approved")
    signedDate: Date = Field(None, description="Date of signature")
    validFrom: Date = Field(None, description="Valid from (YYYY-MM-DD)")
    validUntil: Date = Field(None, description="Valid until (YYYY-MM-DD); not before validFrom")


class MandateRead(MandateFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    mandateGuid: uuid.UUID
    closedAt: dt.datetime | None = None
    lastUpdatedAt: dt.datetime | None = None


class MandateClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    closedAt: DateTime = Field(None, description="When the mandate was closed; now when not given")
