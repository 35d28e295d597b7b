from typing import Annotated

from fastapi import APIRouter, Depends

from custreg.access.context import CustomerPath, ReadCtx
from custreg.customers import service as customers
from custreg.db.routing import TransactionalRoute
from custreg.duplicates import service
from custreg.duplicates.schemas import Candidate, CandidateList, CandidatePage
from custreg.paging import ListParams, list_params

router = APIRouter(prefix="/v1/companies/{cuid}/customers", tags=["duplicates"], route_class=TransactionalRoute)


@router.get("/duplicates", response_model=CandidatePage)
def list_duplicates(ctx: ReadCtx, params: Annotated[ListParams, Depends(list_params)]) -> CandidatePage:
    """Candidate duplicate pairs as `custreg duplicates` last stored them, best first
    (`$top`, `$skip`). Pairs of customers deleted since are gone."""
    total, rows = service.stored_page(ctx.session, ctx.company, top=params.top, skip=params.skip)
    value = [Candidate.model_validate(r) for r in rows]
    return CandidatePage(
        count=len(value), skip=params.skip, total=total, value=value, nextLink=params.next_link(len(value), total)
    )


@router.get("/{customer}/duplicates", response_model=CandidateList)
def customer_duplicates(customer: CustomerPath, ctx: ReadCtx) -> CandidateList:
    """The customer's candidate duplicates, computed now (bounded: customers sharing its
    identity number, e-mail or surname word, and its stored pairs), best first."""
    c = customers.get(ctx.session, ctx.company, customer, full=False)
    return CandidateList(value=[Candidate.model_validate(r) for r in service.live_for(ctx.session, ctx.company, c)])
