from typing import Annotated

from fastapi import APIRouter, Query, Response

from custreg import etags
from custreg.access.context import CompaniesReadCtx, PlatformCtx, ReadCtx
from custreg.companies import service
from custreg.companies.schemas import CompanyCreate, CompanyList, CompanyRead
from custreg.db.routing import TransactionalRoute
from custreg.paging import MAX_SKIP, MAX_TOP, ListParams, path_of

router = APIRouter(prefix="/v1/companies", tags=["companies"], route_class=TransactionalRoute)


@router.post("", status_code=201, response_model=CompanyRead)
def create_company(body: CompanyCreate, ctx: PlatformCtx, response: Response) -> CompanyRead:
    """Create a company (a tenant). Scope `platform:admin` (docs/access.md)."""
    company = service.create(ctx.session, data=body)
    response.headers["Location"] = f"/v1/companies/{company.cuid}"
    return CompanyRead.of(company)


@router.get("", response_model=CompanyList)
def list_companies(
    ctx: CompaniesReadCtx,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP)] = 25,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP)] = 0,
) -> CompanyList:
    """List companies: every one for the admin, the granted ones for a client. Scope
    `customers:read`."""
    total, rows = service.list_page(ctx.session, top=top, skip=skip, only=ctx.principal.companies)
    link = ListParams(top=top, skip=skip, path=path_of(ctx.request)).next_link(len(rows), total)
    return CompanyList(count=len(rows), skip=skip, total=total, value=[CompanyRead.of(c) for c in rows], nextLink=link)


@router.get("/{cuid}", response_model=CompanyRead)
def get_company(cuid: str, ctx: ReadCtx, response: Response) -> CompanyRead:
    """One company (a client: a granted one). Scope `customers:read`. Sends an `ETag`."""
    company = CompanyRead.of(ctx.company)
    response.headers["ETag"] = etags.of_model(company)
    return company
