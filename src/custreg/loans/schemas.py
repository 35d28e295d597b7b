import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from custreg.choices import Amount, Count, Date
from custreg.fields import Code, Currency, RecordFields, Text

MAX_PERIODS = 600  # fifty years of monthly periods
# An interest rate in percent; it may be negative (a negative reference rate).
Rate = Annotated[
    Decimal | None,
    PlainSerializer(lambda d: float(d) if d is not None else None, return_type=float | None, when_used="json"),
    Field(ge=-100, le=1000, max_digits=10, decimal_places=6),
]


class LoanPeriod(BaseModel):
    """One interest period of a loan (seed 002 `periods`)."""

    model_config = ConfigDict(extra="forbid")

    loanType: Code = Field(None, max_length=40, description="Type of the loan in this period")
    interestCode: Code = Field(None, max_length=40, description="Interest (reference rate) code")
    interestMarginCode: Code = Field(None, max_length=40, description="Interest margin code")
    interestRate: Rate = Field(None, description="Interest rate, percent")
    interestFrom: Date = Field(None, description="First day of the period")
    interestTo: Date = Field(None, description="Last day of the period")
    days: Count = Field(None, description="Interest days of the period")
    principalAmount: Amount = Field(None, description="Principal during the period")
    accruedInterest: Amount = Field(None, description="Interest accrued in the period")

    @model_validator(mode="after")
    def _ordered(self) -> "LoanPeriod":
        if self.interestFrom and self.interestTo and self.interestTo < self.interestFrom:
            raise ValueError("interestTo must not be before interestFrom")
        return self


class LoanPeriodRead(LoanPeriod):
    """A period as a loan's GET shows it (its own component: one schema per direction)."""

    model_config = ConfigDict(extra="ignore")


class _LoanBase(RecordFields):
    loanGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    loanNumber: Annotated[str, Field(min_length=1, max_length=50, description="The lending system's loan number")]
    description: Text = Field(None, max_length=500, description="Description")
    currencyCode: Currency = None
    originalAmount: Amount = Field(None, description="The amount lent")
    balance: Amount = Field(None, description="The outstanding balance (the engagements view sums it)")
    note: Text = Field(None, max_length=4000, description="Free text note")


class LoanFields(_LoanBase):
    periods: list[LoanPeriod] = Field(
        default_factory=list, max_length=MAX_PERIODS, description="Interest periods, in the order given"
    )


class LoanRead(_LoanBase):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    loanGuid: uuid.UUID
    periods: list[LoanPeriodRead] = Field(default_factory=list, description="Interest periods, in the order given")
    lastUpdatedAt: dt.datetime | None = None
