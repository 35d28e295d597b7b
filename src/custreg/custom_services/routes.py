"""HTTP of service definitions: /v1/companies/{cuid}/services (docs/events.md, "Services"),
and the call of one (sync or async) that the native and CLVR invoke operations share."""

import functools
import uuid
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Path, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from custreg.access import scopes
from custreg.access.context import Ctx, requires
from custreg.custom_services import service
from custreg.custom_services.models import ServiceDefinition
from custreg.custom_services.schemas import (
    InvocationRead,
    ServiceCreate,
    ServiceCreated,
    ServicePage,
    ServicePatch,
    ServiceRead,
)
from custreg.db.execution import run_unit
from custreg.db.routing import TransactionalRoute

router = APIRouter(prefix="/v1/companies/{cuid}/services", tags=["services"], route_class=TransactionalRoute)

ReadCtx = Annotated[Ctx, requires(scopes.WEBHOOKS_READ)]
WriteCtx = Annotated[Ctx, requires(scopes.WEBHOOKS_WRITE)]
InvokeCtx = Annotated[Ctx, requires(scopes.WRITE)]
ServiceKey = Annotated[str, Path(max_length=100, description="The service definition's name (or id)")]
Payload = Annotated[dict[str, Any] | list[Any] | None, Body(description="Any JSON: passed to the service as `body`")]
# The invoke operations: queued (202), or the service failed (502) or was too slow (504).
INVOKE_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": InvocationRead, "description": "Queued (`async=true`): poll the invocation"},
    502: {"description": "The service answered an error, an answer that is not JSON, or none"},
    504: {"description": "The service did not answer in time"},
}
Queued = Annotated[bool, Query(alias="async", description="Queue the call: answer 202 with an invocation to poll")]


def _read(s: ServiceDefinition) -> dict:
    return {
        "id": s.service_guid,
        "name": s.name,
        "url": s.url,
        "description": s.description,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
    }


def _settings(ctx: Ctx):
    return ctx.request.app.state.settings


@router.post("", status_code=201, response_model=ServiceCreated)
def create_service(ctx: WriteCtx, body: ServiceCreate) -> dict:
    """A service definition. The answer carries its signing `secret`, shown only now."""
    defined, secret = service.create(ctx.session, ctx.company, body, settings=_settings(ctx))
    return {**_read(defined), "secret": secret}


@router.get("", response_model=ServicePage)
def list_services(ctx: ReadCtx) -> dict:
    """The company's service definitions, by name."""
    return {"value": [_read(s) for s in service.listed(ctx.session, ctx.company)]}


@router.get("/invocations/{invocation}", response_model=InvocationRead)
def get_invocation(
    ctx: ReadCtx, invocation: Annotated[uuid.UUID, Path(description="The id an `async` call answered")]
) -> dict:
    """An `async` call: `pending` until the worker has the service's answer (`done`), or
    `failed` after the retry window."""
    return service.invocation(ctx.session, ctx.company, invocation)


@router.get("/{service_key}", response_model=ServiceRead)
def get_service(ctx: ReadCtx, service_key: ServiceKey) -> dict:
    """One service definition (never its secret)."""
    return _read(service.get(ctx.session, ctx.company, service_key))


@router.patch("/{service_key}", response_model=ServiceRead)
def patch_service(ctx: WriteCtx, service_key: ServiceKey, body: ServicePatch) -> dict:
    """Change the fields sent (`url`, `description`; the name is the key)."""
    defined = service.get(ctx.session, ctx.company, service_key, for_update=True)
    service.patch(ctx.session, defined, body, settings=_settings(ctx))
    return _read(defined)


@router.delete("/{service_key}", status_code=204)
def delete_service(ctx: WriteCtx, service_key: ServiceKey) -> Response:
    """Remove the definition with its invocations."""
    service.delete(ctx.session, service.get(ctx.session, ctx.company, service_key, for_update=True))
    return Response(status_code=204)


@router.post("/{service_key}/rotate-secret", response_model=ServiceCreated)
def rotate_secret(ctx: WriteCtx, service_key: ServiceKey) -> dict:
    """A new signing secret, shown only now; calls are signed with it from now on."""
    defined = service.get(ctx.session, ctx.company, service_key, for_update=True)
    return {**_read(defined), "secret": service.rotate(ctx.session, defined, settings=_settings(ctx))}


@router.post("/{service_key}/invoke", responses=INVOKE_RESPONSES)
async def invoke_service(
    ctx: InvokeCtx,
    service_key: ServiceKey,
    body: Payload = None,
    customer: Annotated[str | None, Query(max_length=40, description="The customer sent along")] = None,
    queued: Queued = False,
) -> Response:
    """Call the service with the customer (if named) and the body; its JSON answer is the
    answer (502/504 when it fails). With `async=true`, 202 and an invocation to poll."""
    poll = "/v1/companies/{cuid}/services/invocations/{id}"
    return await respond(ctx, service_key, customer, body, queued=queued, poll=poll)


def _queue(ctx: Ctx, name: str, customer: str | None, payload: Any) -> dict:
    defined, call, customer_guid = service.prepare(
        ctx.session, ctx.company, name, customer, payload, settings=_settings(ctx)
    )
    invocation = service.queue(ctx.session, ctx.company, defined, call, customer_guid)
    return service.shown(invocation, defined.name)


def _prepare(ctx: Ctx, name: str, customer: str | None, payload: Any) -> service.Call:
    return service.prepare(ctx.session, ctx.company, name, customer, payload, settings=_settings(ctx))[1]


async def respond(ctx: Ctx, name: str, customer: str | None, payload: Any, *, queued: bool, poll: str) -> Response:
    """The call, shared by the native and CLVR invoke operations: prepared in a short unit of
    work; sent after it ends (no transaction waits on a remote service); or queued (202,
    `Location`: `poll` with `{cuid}` and `{id}` filled in)."""
    args = {"ctx": ctx, "name": name, "customer": customer, "payload": payload}
    if queued:
        shown = await run_unit(_queue, args, write=True)
        location = poll.format(cuid=ctx.cuid, id=shown["invocationId"])
        answer = InvocationRead.model_validate(shown).model_dump(mode="json")
        return JSONResponse(answer, status_code=202, headers={"Location": location})
    call = await run_unit(_prepare, args, write=True)
    settings = _settings(ctx)
    result = await anyio.to_thread.run_sync(functools.partial(service.invoke, call, settings=settings))
    return JSONResponse(jsonable_encoder(result))
