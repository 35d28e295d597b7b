"""Seed 004 ("Connect", a Norwegian partner customer API) over the native services.

- `customer/info` GET/POST: an end user's token (the identity provider's `sub` in the
  customer's `attachedUsers`), exactly the native self-service (access/selfservice.py).
- `client/...`: client mode, scope `customers:read`; the company is the client's one
  company, else `X-Company`. The search is the native client search (lookups.search): its
  field rules and length limits (400), E.164 phones, at most 5 customers, 403 when more match.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from custreg.access import selfservice
from custreg.access.context import SelfCtx
from custreg.compat.common import HeaderReadCtx
from custreg.customers import service
from custreg.db.routing import TransactionalRoute
from custreg.errors import BAD_BODY_IS_400, BadRequest, Unprocessable
from custreg.lookups import service as lookups
from custreg.lookups.schemas import CheckRequest, CheckResult, SearchRequest, SearchResult

router = APIRouter(prefix="/compat/connect/v1", tags=["compat: Connect (seed 004)"], route_class=TransactionalRoute)


@router.get(
    "/customer/info",
    response_model=selfservice.CustomerInfo,
    summary="List customer info: the signed-in user's customer",
)
def get_info(
    ctx: SelfCtx, company: selfservice.CompanyQ = None, customerNumber: selfservice.NumberQ = None
) -> selfservice.CustomerInfo:
    return selfservice.get_info(ctx, company, customerNumber)


@router.post(
    "/customer/info",
    response_model=selfservice.Success,
    summary="Change customer info: replaces; fields not sent become null; empty → lastName '-'",
)
def post_info(
    ctx: SelfCtx,
    body: Annotated[selfservice.InfoWrite | None, Body()] = None,
    company: selfservice.CompanyQ = None,
    customerNumber: selfservice.NumberQ = None,
) -> selfservice.Success:
    try:
        return selfservice.post_info(ctx, body, company, customerNumber)
    except Unprocessable as exc:  # the seed documents 400 for a request it refuses
        raise BadRequest(exc.detail, exc.errors) from None


@router.post(
    "/client/customer/search",
    response_model=SearchResult,
    summary="Search customer - client mode: at most 5 customers; more → 403",
)
def search(ctx: HeaderReadCtx, body: SearchRequest) -> SearchResult:
    found = lookups.search(ctx.session, ctx.company, body.model_dump())
    return SearchResult(customers=[lookups.found_customer(c) for c in found])


@router.post(
    "/client/credential/customers/check",
    response_model=CheckResult,
    summary="Check customer number - client mode: which credentials belong to a customer",
)
def check(ctx: HeaderReadCtx, body: CheckRequest) -> CheckResult:
    return CheckResult(customers=lookups.check(ctx.session, ctx.company, body.credentials))


@router.get(
    "/client/customer/info/{customerNumber}",
    response_model=selfservice.CustomerInfo,
    summary="List customer info - client mode (404 when no such customer)",
)
def client_info(ctx: HeaderReadCtx, customerNumber: Annotated[int, Path(ge=1, le=2**62)]):
    c = service.get(ctx.session, ctx.company, str(customerNumber), full=False)
    return selfservice._info(c, ctx.company)


# The seed documents 400 (not 422) for every request it refuses.
BAD_BODY_IS_400.update(
    router.prefix + path for path in ("/client/customer/search", "/client/credential/customers/check", "/customer/info")
)
