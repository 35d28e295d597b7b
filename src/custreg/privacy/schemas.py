import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custreg.access.schemas import HistoryEntry
from custreg.consents.schemas import ConsentChangeRead
from custreg.customers.schemas import CustomerDetail
from custreg.fields import clean_text


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500, description="Why (kept with the fact of erasure)")]

    _clean = field_validator("reason", mode="before")(clean_text)


class ErasureRead(BaseModel):
    customerNumber: int
    customerGuid: uuid.UUID
    erasedAt: dt.datetime
    erasedBy: str = Field(description="Who erased: kind:subject")
    reason: str


class ExportHistoryEntry(HistoryEntry):
    customerNumber: int = Field(description="The customer the entry is of (a merged one's old number)")
    customerGuid: uuid.UUID


class ExportAlias(BaseModel):
    customerNumber: int
    customerGuid: uuid.UUID
    mergedAt: dt.datetime


class ExportErasure(BaseModel):
    at: dt.datetime
    actor: str
    reason: str


class SubjectExport(BaseModel):
    """Everything custreg holds about one customer."""

    exportedAt: dt.datetime
    company: dict[str, str]
    customer: CustomerDetail = Field(description="Every field and record, as GET shows them")
    consentHistory: list[ConsentChangeRead]
    history: list[ExportHistoryEntry] = Field(description="The audit trail, its own and that of customers merged in")
    mergedFrom: list[ExportAlias]
    erasures: list[ExportErasure]
