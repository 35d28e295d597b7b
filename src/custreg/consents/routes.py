from typing import Annotated

from fastapi import Depends, Path

from custreg.access.context import CustomerPath, ReadCtx
from custreg.consents.schemas import ConsentChangeRead
from custreg.consents.service import CONSENTS, channel_key, history_page
from custreg.customers import service as customers
from custreg.errors import DomainError, NotFound
from custreg.paging import ListParams, Page, list_params
from custreg.records import make_router
from custreg.register import service as register

router = make_router(CONSENTS)


@router.get(
    "/{channel}/history",
    response_model=Page[ConsentChangeRead],
    summary="Every change of a channel's consent, oldest first",
)
def consent_history(
    customer: CustomerPath,
    channel: Annotated[str, Path(description="The consent's channel")],
    ctx: ReadCtx,
    params: Annotated[ListParams, Depends(list_params)],
):
    c = customers.get(ctx.session, ctx.company, customer, full=False)
    try:
        key = channel_key(channel)
    except DomainError:
        raise NotFound(f"No consent channel {channel!r}") from None
    if key not in register.codes(ctx.session, ctx.company, "consentChannels"):
        raise NotFound(f"No consent channel {channel!r} in this company's register")
    total, rows = history_page(ctx.session, c, key, params)
    value = [ConsentChangeRead.model_validate(r) for r in rows]
    return Page[ConsentChangeRead](
        count=len(value), skip=params.skip, total=total, value=value, nextLink=params.next_link(len(value), total)
    )
