from typing import Annotated

from fastapi import Body, Path

from custreg.access.context import CustomerPath, WriteCtx
from custreg.customers import service as customers
from custreg.mandates import service
from custreg.mandates.schemas import MandateClose, MandateRead
from custreg.records import get, make_router, read

router = make_router(service.MANDATES)


@router.post(
    "/{mandateGuid}/close",
    response_model=MandateRead,
    summary="Close a mandate: sets closedAt (now unless given); the mandate is kept",
)
def close_mandate(
    customer: CustomerPath,
    mandateGuid: Annotated[str, Path(description="The direct debit mandate's GUID")],
    ctx: WriteCtx,
    body: Annotated[MandateClose | None, Body()] = None,
):
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    mandate = get(ctx.session, service.MANDATES, c, mandateGuid)
    service.close(ctx.session, c, mandate, body.closedAt if body else None)
    return read(service.MANDATES, mandate)
