from typing import Annotated

from fastapi import Path

from custreg.access.context import CustomerPath, WriteCtx
from custreg.actions import service
from custreg.actions.schemas import ActionRead, ActionResponse
from custreg.customers import service as customers
from custreg.records import get, make_router, read

router = make_router(service.ACTIONS)


@router.post(
    "/{actionGuid}/response",
    response_model=ActionRead,
    summary="Answer the question: an allowed response code, postponeTo when allowed",
)
def respond(
    customer: CustomerPath,
    actionGuid: Annotated[str, Path(description="The action's GUID")],
    body: ActionResponse,
    ctx: WriteCtx,
):
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    action = get(ctx.session, service.ACTIONS, c, actionGuid)
    service.respond(ctx.session, c, action, body.model_dump(), ctx.actor)
    return read(service.ACTIONS, action)
