"""The per-request context every company endpoint receives: who, which company, a session."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from custreg.access import scopes
from custreg.access.auth import Principal
from custreg.db.execution import UnitOfWork
from custreg.errors import Forbidden

bearer = HTTPBearer(auto_error=False, description="Admin token, client access token or user token")


async def current_principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    principal = request.app.state.auth.authenticate(creds.credentials if creds else None)
    request.state.principal = principal
    return principal


class Ctx(UnitOfWork):
    """One request's unit of work. The company is loaded inside the transaction."""

    def __init__(self, request: Request, principal: Principal, write: bool) -> None:
        self.request = request
        self.principal = principal
        self.cuid: str | None = request.path_params.get("cuid")
        self.session: Session = request.app.state.db.session(write=write)
        self.company = None

    def begin(self) -> None:
        if self.cuid is not None:
            from custreg.companies import service as companies

            self.company = companies.get(self.session, self.cuid)

    def commit(self) -> None:
        try:
            self.session.commit()
        finally:
            self.session.close()

    def rollback(self) -> None:
        self.session.rollback()
        self.session.close()

    @property
    def actor(self) -> str:
        return f"{self.principal.kind}:{self.principal.subject}"


def requires(scope: str):
    """Dependency: the caller holds `scope` on the company in the path."""

    async def dependency(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Ctx:
        if scope not in principal.scopes:
            raise Forbidden(f"This credential lacks the scope {scope}")
        cuid = request.path_params.get("cuid")
        if cuid is not None and not principal.allows_company(cuid):
            raise Forbidden(f"This credential is not granted company {cuid}")
        return Ctx(request, principal, write=request.method not in ("GET", "HEAD"))

    return Depends(dependency)


ReadCtx = Annotated[Ctx, requires(scopes.READ)]
WriteCtx = Annotated[Ctx, requires(scopes.WRITE)]
DeleteCtx = Annotated[Ctx, requires(scopes.DELETE)]
RegisterAdminCtx = Annotated[Ctx, requires(scopes.REGISTER_ADMIN)]
AdminCtx = Annotated[Ctx, requires(scopes.ADMIN)]
