"""API shapes of access control: API clients, tokens, the audit trail."""

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from custreg.fields import clean_text

Cuid = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]
ScopeName = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        BeforeValidator(clean_text),
        StringConstraints(min_length=1, max_length=100),
        Field(description="A name for people: what the client is"),
    ]
    companies: Annotated[list[Cuid], Field(max_length=1000, description="cuids the client may touch")]
    scopes: Annotated[
        list[ScopeName],
        Field(
            min_length=1,
            max_length=10,
            description=(
                "customers:read, customers:write, customers:delete, register:admin, admin, platform:admin "
                "(a company administrator grants only its own scopes and companies)"
            ),
        ),
    ]


class ClientPatch(BaseModel):
    """What is sent changes; tokens already issued lose at once what the client loses."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, BeforeValidator(clean_text), StringConstraints(min_length=1, max_length=100)] | None = None
    companies: Annotated[list[Cuid] | None, Field(max_length=1000, description="cuids the client may touch")] = None
    scopes: Annotated[list[ScopeName] | None, Field(min_length=1, max_length=10, description="its scopes")] = None


class ClientRead(BaseModel):
    clientId: str
    name: str
    companies: list[str]
    scopes: list[str]
    createdAt: dt.datetime
    revokedAt: dt.datetime | None = None

    @classmethod
    def of(cls, c) -> "ClientRead":
        return cls(
            clientId=c.client_id,
            name=c.name,
            companies=list(c.companies),
            scopes=list(c.scopes),
            createdAt=c.created_at,
            revokedAt=c.revoked_at,
        )


class ClientCreated(ClientRead):
    # Never in the Idempotency-Key store (db/idempotency.py): a replay answers without it.
    __not_stored__: ClassVar[tuple[str, ...]] = ("clientSecret",)

    clientSecret: str | None = Field(
        None, description="Shown once: only its hash is stored; absent from the replay of an Idempotency-Key"
    )


class AccessToken(BaseModel):
    """RFC 6749 section 5.1: the answer of POST /oauth/token."""

    access_token: str = Field(description="The bearer token")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the token is valid")
    scope: str = Field(description="The granted scopes, space-separated")


class HistoryChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class HistoryEntry(BaseModel):
    id: int
    at: dt.datetime
    actorType: str = Field(description="admin, client, user or system")
    actorId: str = Field(description="The client id, the user id (sub), or admin")
    operation: str = Field(description="create, update or delete")
    resource: str = Field(description="customer, or the record: addresses/<guid>, attachedUsers, ...")
    changes: list[HistoryChange]

    @classmethod
    def of(cls, e) -> "HistoryEntry":
        return cls(
            id=e.id,
            at=e.at,
            actorType=e.actor_type,
            actorId=e.actor_id,
            operation=e.operation,
            resource=e.resource,
            changes=[HistoryChange(**c) for c in e.changes or []],
        )
