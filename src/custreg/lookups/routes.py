from typing import Annotated

from fastapi import APIRouter, Path, Query

from custreg.access.context import ReadCtx
from custreg.db.routing import TransactionalRoute
from custreg.errors import BAD_BODY_IS_400
from custreg.lookups import service
from custreg.lookups.schemas import (
    CheckRequest,
    CheckResult,
    LookupResult,
    OrgNumberResult,
    SearchRequest,
    SearchResult,
)

router = APIRouter(prefix="/v1/companies/{cuid}/customers", tags=["lookups and search"], route_class=TransactionalRoute)

IncludeExcluded = Annotated[bool, Query(description="Also find customers marked excluded")]


@router.get("/lookup", response_model=LookupResult, response_model_exclude_none=True)
def lookup_customer(
    ctx: ReadCtx,
    externalSystemId: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="External system code")] = None,
    externalSystemIdentifier: Annotated[str | None, Query(max_length=200)] = None,
    identifier: Annotated[int | None, Query(ge=1, le=2**62, description="Customer number")] = None,
    idNumber: Annotated[str | None, Query(max_length=40, description="Personal code or business ID")] = None,
    includeExcluded: IncludeExcluded = False,
) -> LookupResult:
    """Find a customer by external id pair, customer number or idNumber (normalized first)."""
    c = service.lookup(
        ctx.session,
        ctx.company,
        system_id=externalSystemId,
        system_identifier=externalSystemIdentifier,
        identifier=identifier,
        id_number=idNumber,
        include_excluded=includeExcluded,
    )
    merged = identifier if identifier is not None and identifier != c.customer_number else None
    return LookupResult(customerNumber=c.customer_number, customerGuid=c.customer_guid, mergedFrom=merged)


@router.get("/search-by-org-number/{orgNumber}", response_model=OrgNumberResult)
def search_by_org_number(
    ctx: ReadCtx, orgNumber: Annotated[str, Path(max_length=40, description="The organisation number (business id)")]
) -> OrgNumberResult:
    """The person/company details registered under an organisation number (seed 003)."""
    c, a = service.by_org_number(ctx.session, ctx.company, orgNumber)
    return OrgNumberResult(**service.org_number_result(c, a))


@router.post("/search", response_model=SearchResult)
def search_customers(ctx: ReadCtx, body: SearchRequest) -> SearchResult:
    """Privacy-preserving client search (seed 004): at most 5 customers; more matches → 403."""
    found = service.search(ctx.session, ctx.company, body.model_dump())
    return SearchResult(customers=[service.found_customer(c) for c in found])


@router.post("/check", response_model=CheckResult)
def check_credentials(ctx: ReadCtx, body: CheckRequest) -> CheckResult:
    """Which of the credentials (customer numbers, e-mails, E.164 phones) belong to a customer."""
    return CheckResult(customers=service.check(ctx.session, ctx.company, body.credentials))


BAD_BODY_IS_400.add(router.prefix + "/search")
