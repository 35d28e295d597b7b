import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from custreg.paging import NextLink


class CandidateCustomer(BaseModel):
    customerNumber: int
    customerGuid: uuid.UUID
    name: str | None


class Candidate(BaseModel):
    customers: list[CandidateCustomer] = Field(
        description="The two customers, lower number first (the asked one first per customer)"
    )
    score: float = Field(description="0-1: how likely the two are one")
    reasons: list[dict[str, Any]] = Field(
        description="Each rule that matched: idNumber, vatNumber, email, phone, name+zipCode, name+street (with nameSimilarity 0-100)"
    )
    computedAt: dt.datetime


class CandidatePage(BaseModel):
    count: int
    skip: int
    total: int
    value: list[Candidate]
    nextLink: NextLink = None


class CandidateList(BaseModel):
    value: list[Candidate]
