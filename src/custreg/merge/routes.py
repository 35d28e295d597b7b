from fastapi import APIRouter, Response

from custreg.access.context import CustomerPath, WriteCtx
from custreg.customers import read
from custreg.customers.schemas import CustomerDetail
from custreg.db.routing import TransactionalRoute
from custreg.etags import IfMatch
from custreg.merge import service
from custreg.merge.schemas import MergeRequest

router = APIRouter(prefix="/v1/companies/{cuid}/customers", tags=["duplicates"], route_class=TransactionalRoute)


@router.post("/{customer}/merge", response_model=CustomerDetail)
def merge_customers(
    cuid: str, customer: CustomerPath, body: MergeRequest, ctx: WriteCtx, response: Response, if_match: IfMatch = None
) -> CustomerDetail:
    """Merge the customers of `from` into this one (docs/duplicates.md): it takes the values
    `fields` chooses and every record of theirs; they leave aliases that lead to it. `If-Match`:
    the survivor's ETag; `ifMatch` in the body: any customer's. All or nothing."""
    tags = dict(body.ifMatch)
    if if_match is not None:
        tags.setdefault(customer, if_match)
    survivor = service.merge(ctx.session, ctx.company, customer, body.from_, body.fields, tags)
    response.headers["ETag"] = f'"{survivor.version}"'
    return read.detail(survivor, cuid)
