import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from custreg.choices import Amount, CodeChoice, Count, Date
from custreg.fields import Currency, RecordFields, Text

PLEDGE_KINDS = ("GUARANTEE", "COLLATERAL")
GUARANTEE_ONLY = ("guaranteeDate", "originalGuaranteeAmount", "guaranteeAmount", "validUntil", "guaranteeType")
COLLATERAL_ONLY = (
    "pledgeDate",
    "pledgeAmount",
    "insurer",
    "insuranceNumber",
    "insuredAmount",
    "insuranceExpiryDate",
    "realized",
)


class PledgeFields(RecordFields):
    pledgeGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    pledgeKind: Annotated[str, CodeChoice(PLEDGE_KINDS)] = Field(
        description="A guarantee or a collateral: " + ", ".join(PLEDGE_KINDS)
    )
    pledgeType: Count = Field(None, description="Pledge type (integer code, seed 002)")
    referenceNumber: Text = Field(None, max_length=100, description="Reference number")
    description: Text = Field(None, max_length=500, description="Description")
    note: Text = Field(None, max_length=4000, description="Free text note")
    currencyCode: Currency = None
    # GUARANTEE only
    guaranteeDate: Date = Field(None, description="Guarantee: date of the guarantee")
    originalGuaranteeAmount: Amount = Field(None, description="Guarantee: original amount")
    guaranteeAmount: Amount = Field(None, description="Guarantee: current amount")
    validUntil: Date = Field(None, description="Guarantee: valid until")
    guaranteeType: Count = Field(None, description="Guarantee: type (integer code, seed 002)")
    # COLLATERAL only
    pledgeDate: Date = Field(None, description="Collateral: date of the pledge")
    pledgeAmount: Amount = Field(None, description="Collateral: pledged amount")
    insurer: Text = Field(None, max_length=200, description="Collateral: insurer")
    insuranceNumber: Text = Field(None, max_length=100, description="Collateral: insurance number")
    insuredAmount: Amount = Field(None, description="Collateral: insured amount")
    insuranceExpiryDate: Date = Field(None, description="Collateral: insurance expiry date")
    realized: bool | None = Field(None, description="Collateral: realized")


class PledgeRead(PledgeFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    pledgeGuid: uuid.UUID
    lastUpdatedAt: dt.datetime | None = None


class GuaranteeRead(BaseModel):
    """`guarantees` of the full customer (seed 002 shape)."""

    guaranteeGuid: uuid.UUID
    pledgeType: int | None = None
    referenceNumber: str | None = None
    guaranteeDate: dt.date | None = None
    originalGuaranteeAmount: float | None = None
    guaranteeAmount: float | None = None
    description: str | None = None
    note: str | None = None
    validUntil: dt.date | None = None
    guaranteeType: int | None = None
    currencyCode: str | None = None


class CollateralRead(BaseModel):
    """`collaterals` of the full customer (seed 002 shape)."""

    collateralGuid: uuid.UUID
    pledgeType: int | None = None
    referenceNumber: str | None = None
    pledgeDate: dt.date | None = None
    pledgeAmount: float | None = None
    description: str | None = None
    note: str | None = None
    insurer: str | None = None
    insuranceNumber: str | None = None
    insuredAmount: float | None = None
    insuranceExpiryDate: dt.date | None = None
    realized: bool | None = None
    currencyCode: str | None = None
