"""API shapes of service definitions and their invocations."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100),
    Field(description="The service definition's name (what CLVR's `serviceDefinition` names)"),
]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000), Field(description="Where calls are POSTed")]


class ServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    url: Url
    description: str | None = Field(None, max_length=500)


class ServicePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: str | None = Field(None, max_length=500)


class ServiceRead(BaseModel):
    id: uuid.UUID
    name: str
    url: str
    description: str | None
    createdAt: datetime
    updatedAt: datetime


class ServiceCreated(ServiceRead):
    secret: str = Field(description="The signing secret: shown only now (and by a rotation)")


class ServicePage(BaseModel):
    value: list[ServiceRead]


class InvocationRead(BaseModel):
    invocationId: uuid.UUID
    serviceDefinition: str
    customerGuid: uuid.UUID | None
    status: Literal["pending", "done", "failed"]
    tries: int
    statusCode: int | None = Field(None, description="The HTTP status of the service's last answer")
    answer: Any = Field(None, description="The service's answer (its JSON, else its text) once done")
    error: str | None = Field(None, description="Why the last try failed")
    createdAt: datetime
    finishedAt: datetime | None
