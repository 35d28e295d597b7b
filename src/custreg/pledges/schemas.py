import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from custreg.choices import Amount, CodeChoice, Count, Date
from custreg.fields import Currency, RecordFields, Text

PLEDGE_KINDS = ("GUARANTEE", "COLLATERAL")
GUARANTEE_ONLY = (
    "guaranteeDate",
    "originalGuaranteeAmount",
    "guaranteeAmount",
    "validUntil",
    "guaranteeType",
)
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
    pledgeGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored on write: the path's id wins")]
    pledgeKind: CodeChoice(PLEDGE_KINDS, "A guarantee or a collateral", required=True)
    pledgeType: Count("Pledge type (integer code, seed 002)")
    referenceNumber: Text(100, "Reference number")
    description: Text(500, "Description")
    note: Text(4000, "Free text note")
    currencyCode: Currency
    # GUARANTEE only
    guaranteeDate: Date("Guarantee: date of the guarantee")
    originalGuaranteeAmount: Amount("Guarantee: original amount")
    guaranteeAmount: Amount("Guarantee: current amount")
    validUntil: Date("Guarantee: valid until")
    guaranteeType: Count("Guarantee: type (integer code, seed 002)")
    # COLLATERAL only
    pledgeDate: Date("Collateral: date of the pledge")
    pledgeAmount: Amount("Collateral: pledged amount")
    insurer: Text(200, "Collateral: insurer")
    insuranceNumber: Text(100, "Collateral: insurance number")
    insuredAmount: Amount("Collateral: insured amount")
    insuranceExpiryDate: Date("Collateral: insurance expiry date")
    realized: Annotated[bool | None, Field(None, description="Collateral: realized")]


class PledgeRead(PledgeFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    pledgeGuid: uuid.UUID  # type: ignore[assignment]
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
