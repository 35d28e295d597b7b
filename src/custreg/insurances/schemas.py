import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from custreg.choices import Amount, Count, Date
from custreg.fields import Code, Currency, RecordFields, Text


class InsuranceFields(RecordFields):
    insuranceGuid: Annotated[
        uuid.UUID | None, Field(None, description="Ignored on write: the path's id wins")
    ]
    insuranceDate: Date("Date of the insurance decision")
    insuranceCompanyReferenceCode: Code(
        40, "Reference code of the credit insurer, e.g. ATRADIUS, EULERHERMES"
    )
    insuranceCompanyName: Text(200, "Name of the credit insurer")
    insuranceCompanyNumber: Text(100, "Reference number at the credit insurer")
    insuranceCompanyCustomerNumber: Text(100, "Customer number at the credit insurer")
    note: Text(4000, "Free text note")
    endDate: Date("End date of the credit insurance")
    currencyCode: Currency
    amount: Amount("The insured amount")
    extraLimitAmount: Amount("The extra limit the insurance allows")
    extraLimitEndDate: Date("End date of the extra limit")
    paymentTerm: Count("Payment term (days)")
    graceDays: Count("Grace days")


class InsuranceRead(InsuranceFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    insuranceGuid: uuid.UUID  # type: ignore[assignment]
    lastUpdatedAt: dt.datetime | None = None
