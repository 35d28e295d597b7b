"""CLVR's custom service definitions (seed 002, "Execute custom service definition in CLVR
with possibility to pass in JSON into definition"): the invoke operations per customer and
global, `async` or not, over the native service calls (custom_services/, docs/compat.md)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from custreg.compat.clvr.mapping import PREFIX
from custreg.compat.common import HeaderReadCtx, HeaderWriteCtx
from custreg.custom_services import service
from custreg.custom_services.routes import INVOKE_RESPONSES, Payload, Queued, respond
from custreg.custom_services.schemas import InvocationRead
from custreg.db.routing import TransactionalRoute

router = APIRouter(prefix="/compat/clvr", tags=["compat: Aptic CLVR (seed 002)"], route_class=TransactionalRoute)

POLL = "/compat/clvr/servicedefinitions/invocations/{id}"
Definition = Annotated[str, Path(max_length=100, description="The invoke service definition request: its name")]
Guid = Annotated[str, Path(max_length=40, description="Customer unique id (its number works too)")]


@router.post(
    PREFIX.removeprefix("/compat/clvr") + "/{customerGuid}/servicedefinitions/{serviceDefinition}/invoke",
    responses=INVOKE_RESPONSES,
    summary="Execute a custom service definition for a customer",
)
async def invoke_for_customer(
    ctx: HeaderWriteCtx, customerGuid: Guid, serviceDefinition: Definition, body: Payload = None, queued: Queued = False
) -> Response:
    """The service gets the customer and the JSON body, signed; its JSON answer is the answer
    (502 when it fails, 504 when it does not answer in time). `async=true`: 202 and an
    invocation to poll."""
    return await respond(ctx, serviceDefinition, customerGuid, body, queued=queued, poll=POLL)


@router.post(
    "/servicedefinitions/{serviceDefinition}/invoke",
    responses=INVOKE_RESPONSES,
    summary="Execute a custom service definition",
)
async def invoke(
    ctx: HeaderWriteCtx, serviceDefinition: Definition, body: Payload = None, queued: Queued = False
) -> Response:
    """As the customer's invoke, with no customer (`customer: null` in what the service gets)."""
    return await respond(ctx, serviceDefinition, None, body, queued=queued, poll=POLL)


@router.get("/servicedefinitions/invocations/{invocationId}", response_model=InvocationRead)
def get_invocation(
    ctx: HeaderReadCtx, invocationId: Annotated[uuid.UUID, Path(description="The id an `async` call answered")]
) -> dict:
    """An `async` invocation: `pending`, `done` (with the service's `answer`) or `failed`."""
    return service.invocation(ctx.session, ctx.company, invocationId)
