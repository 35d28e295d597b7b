"""The per-request context every company endpoint receives: who, which company, a session."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from custreg import observe, options
from custreg.access import clients, scopes
from custreg.access.auth import Principal
from custreg.access.ratelimit import retry_after
from custreg.companies import service as companies
from custreg.companies.models import Company
from custreg.customers import writer as customer_writer
from custreg.db.execution import UnitOfWork
from custreg.errors import BadRequest, Forbidden, TooManyRequests

# Declared, so that /openapi.json names it on every operation under /v1/companies/{cuid}.
CompanyPath = Annotated[str, Path(description="The company's cuid (1-40 of a-z 0-9 -)")]
CustomerPath = Annotated[str, Path(description="The customer's number or GUID")]

bearer = HTTPBearer(auto_error=False, description="Admin token, client access token or user token")


async def current_principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    principal = request.app.state.auth.authenticate(creds.credentials if creds else None)
    request.state.principal = principal
    if principal.rate_limited:
        limiter = request.app.state.rate_limiter
        quota = limiter.draw(f"{principal.kind}:{principal.subject}")
        if quota is not None:
            # On every answer of this request, whatever it turns out to be (observe.Observe).
            observe.answer_headers(request.scope).extend(quota.headers(limiter.limit))
            wait = retry_after(quota)
            if wait is not None:
                err = TooManyRequests(f"Rate limit exceeded; retry after {wait} s")
                err.headers["Retry-After"] = str(wait)
                raise err
    return principal


class Ctx(UnitOfWork):
    """One request's unit of work. The company is loaded inside the transaction."""

    def __init__(
        self, request: Request, principal: Principal, write: bool, cuid: str | None = None, scope: str | None = None
    ) -> None:
        self.request = request
        self.principal = principal
        self._cuid: str | None = cuid
        self.session: Session = request.app.state.db.session(write=write)
        self.lock_wait_s = request.app.state.db.lock_wait_s
        # Who writes: the audit trail (customers/audit.py) reads it.
        self.session.info["actor"] = (principal.kind, principal.subject)
        self._company: Company | None = None
        self._scope = scope

    def begin(self) -> None:
        if self.principal.kind == "client":
            # Revocation and shrunk grants take effect at once: one indexed lookup in this
            # transaction; the token holds at most what the client holds now.
            self.principal = narrowed(self.principal, *clients.current_grants(self.session, self.principal.subject))
            self.request.state.principal = self.principal
            denied = _denial(self.principal, self._scope, self._cuid)
            if denied is not None:
                raise denied
        if self._cuid is not None:
            self._company = companies.cached(self.request.app.state, self.session, self._cuid)

    def commit(self) -> None:
        try:
            customer_writer.finish(self.session)  # the write path's last step (customers/writer.py)
            self.session.commit()
        finally:
            self.session.close()

    def rollback(self) -> None:
        self.session.rollback()
        customer_writer.discard(self.session)
        self.session.close()

    @property
    def cuid(self) -> str:
        """The cuid of the company in the path (or header)."""
        if self._cuid is None:
            raise AttributeError("this endpoint has no company")
        return self._cuid

    @property
    def company(self) -> Company:
        """The company in the path (or header), loaded by `begin`."""
        if self._company is None:
            raise RuntimeError("this endpoint has no company")
        return self._company

    @property
    def actor(self) -> str:
        return f"{self.principal.kind}:{self.principal.subject}"


def requires(scope: str, *, company_header: bool = False, company_path: bool = True) -> Any:
    """Dependency: the caller holds `scope` on the company in the path (the declared path
    parameter `cuid`). With `company_header` (paths that carry no company: the compatibility
    APIs), the company is the one the credentials are granted, else the `X-Company` header
    (400 naming it). Without `company_path` (and no header) the endpoint has no company."""

    async def by_header(
        request: Request,
        principal: Annotated[Principal, Depends(current_principal)],
        x_company: Annotated[
            str | None,
            Header(
                alias="X-Company",
                max_length=40,
                description="cuid of the company; required when the credentials reach several companies",
            ),
        ] = None,
    ) -> Ctx:
        return _context(request, principal, scope, _header_company(principal, x_company))

    async def by_path(
        request: Request, principal: Annotated[Principal, Depends(current_principal)], cuid: CompanyPath
    ) -> Ctx:
        return _context(request, principal, scope, cuid)

    async def no_company(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> Ctx:
        return _context(request, principal, scope, None)

    dependency: Any = by_header if company_header else by_path if company_path else no_company
    dependency.required_scope = scope  # read by tests and docs: every endpoint declares one
    return Depends(dependency)


def _header_company(principal: Principal, header: str | None) -> str:
    cuid = header.strip() if header and header.strip() else None
    if cuid is None:
        granted = principal.companies
        if granted is None or len(granted) != 1:
            raise BadRequest(
                "The X-Company header is required: these credentials reach several companies (or none)",
                [{"field": "X-Company", "message": "required"}],
            )
        cuid = next(iter(granted))
    return cuid


def narrowed(principal: Principal, granted: frozenset[str], companies: frozenset[str]) -> Principal:
    """The client's token cut down to the grants the client holds now."""
    token_companies = principal.companies if principal.companies is not None else companies
    return replace(principal, scopes=principal.scopes & granted, companies=token_companies & companies)


def _denial(principal: Principal, scope: str | None, cuid: str | None) -> Forbidden | None:
    if scope is not None and not scopes.holds(principal.scopes, scope):
        return Forbidden(f"This credential lacks the scope {scope}")
    if cuid is not None and not principal.allows_company(cuid):
        return Forbidden(f"This credential is not granted company {cuid}")
    return None


def _context(request: Request, principal: Principal, scope: str, cuid: str | None) -> Ctx:
    denied = _denial(principal, scope, cuid)
    if denied is not None:
        if principal.kind == "client":
            # Denied before the body is validated (else a bad body got a 422 from an
            # endpoint the caller cannot use); the revocation check first: a revoked
            # client gets 401, not 403.
            _check_client_active(request, principal)
        raise denied
    options.reject_unknown(request)  # `$search` and the like: 400, not ignored
    return Ctx(request, principal, write=request.method not in ("GET", "HEAD"), cuid=cuid, scope=scope)


def _check_client_active(request: Request, principal: Principal) -> None:
    session = request.app.state.db.session(write=False)
    try:
        clients.current_grants(session, principal.subject)
    finally:
        session.close()


ReadCtx = Annotated[Ctx, requires(scopes.READ)]
CompaniesReadCtx = Annotated[Ctx, requires(scopes.READ, company_path=False)]  # GET /v1/companies
WriteCtx = Annotated[Ctx, requires(scopes.WRITE)]
DeleteCtx = Annotated[Ctx, requires(scopes.DELETE)]
RegisterAdminCtx = Annotated[Ctx, requires(scopes.REGISTER_ADMIN)]
EraseCtx = Annotated[Ctx, requires(scopes.ERASE)]
AdminCtx = Annotated[Ctx, requires(scopes.ADMIN, company_path=False)]  # company (or platform) administration
PlatformCtx = Annotated[Ctx, requires(scopes.PLATFORM, company_path=False)]  # companies, /metrics
SelfCtx = Annotated[Ctx, requires(scopes.SELF, company_path=False)]  # an end user's token (self-service)
