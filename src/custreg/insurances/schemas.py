import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from custreg.choices import Amount, Count, Date
from custreg.fields import Code, Currency, RecordFields, Text


class InsuranceFields(RecordFields):
    insuranceGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    insuranceDate: Date = Field(None, description="Date of the insurance decision")
    insuranceCompanyReferenceCode: Code = Field(
        None, max_length=40, description="Reference code of the credit insurer, e.g. ATRADIUS, EULERHERMES"
    )
    insuranceCompanyName: Text = Field(None, max_length=200, description="Name of the credit insurer")
    insuranceCompanyNumber: Text = Field(None, max_length=100, description="Reference number at the credit insurer")
    insuranceCompanyCustomerNumber: Text = Field(
        None, max_length=100, description="Customer number at the credit insurer"
    )
    note: Text = Field(None, max_length=4000, description="Free text note")
    endDate: Date = Field(None, description="End date of the credit insurance")
    currencyCode: Currency = None
    amount: Amount = Field(None, description="The insured amount")
    extraLimitAmount: Amount = Field(None, description="The extra limit the insurance allows")
    extraLimitEndDate: Date = Field(None, description="End date of the extra limit")
    paymentTerm: Count = Field(None, description="Payment term (days)")
    graceDays: Count = Field(None, description="Grace days")


class InsuranceRead(InsuranceFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    insuranceGuid: uuid.UUID
    lastUpdatedAt: dt.datetime | None = None
