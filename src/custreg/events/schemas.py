"""API shapes of webhook endpoints and their deliveries."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from custreg.odata import utc

EventPattern = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|[a-z_*]+\.(\*|created|updated|deleted))$", max_length=60),
    Field(description='An event type ("customer.updated") or a wildcard ("customer.*", "*.deleted", "*")'),
]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000), Field(description="Where events are POSTed")]


class WebhookBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=500)
    events: list[EventPattern] = Field(["*"], min_length=1, max_length=50, description="Which events it receives")
    enabled: bool = True
    includeObject: bool = Field(False, description="Send the customer's full body in `data.object`")


class WebhookCreate(WebhookBase):
    url: Url


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: str | None = Field(None, max_length=500)
    events: list[EventPattern] | None = Field(None, min_length=1, max_length=50)
    enabled: bool | None = Field(None, description="true enables a disabled endpoint again (failures reset)")
    includeObject: bool | None = None


class WebhookRead(WebhookBase):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    url: str
    disabledReason: str | None = Field(None, description="Why it was disabled, when the worker disabled it")
    disabledAt: datetime | None = None
    secretRotatedUntil: datetime | None = Field(None, description="The old secret signs too until then")
    createdAt: datetime
    updatedAt: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The signing secret: shown only now (and by a rotation)")


class WebhookPage(BaseModel):
    value: list[WebhookRead]


class RotateSecret(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlapSeconds: int = Field(86400, ge=0, le=7 * 86400, description="How long the old secret still signs too")


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Annotated[datetime, AfterValidator(utc)] = Field(
        description="Queue again every event of the company from this time on (UTC years 1-9999)"
    )


class ReplayResult(BaseModel):
    queued: int
    nextSince: datetime | None = Field(None, description="Set when more events remain: replay again from here")


class AttemptRead(BaseModel):
    at: datetime
    statusCode: int | None
    durationMs: int
    response: str | None = Field(None, description="The first bytes of the answer")
    error: str | None = None


class DeliveryRead(BaseModel):
    id: uuid.UUID
    eventId: uuid.UUID
    eventType: str
    customerGuid: uuid.UUID
    status: Literal["pending", "delivered", "failed"]
    tries: int
    nextAt: datetime | None
    createdAt: datetime
    deliveredAt: datetime | None
    attempts: list[AttemptRead]


class DeliveryPage(BaseModel):
    value: list[DeliveryRead]
