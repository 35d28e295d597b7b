"""The back office's session: a signed cookie naming who signed in (never a secret), its
CSRF token, and the unit of work of each page (the API's `access.context.Ctx`)."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Path, Request, Response

from custreg.access import scopes
from custreg.access.auth import ADMIN, Principal
from custreg.access.context import Ctx
from custreg.errors import Forbidden

COOKIE = "custreg_ui"
LIFETIME = 8 * 3600  # a working day; then sign in again
AUDIENCE = "custreg-ui"  # never accepted as a bearer token (access/tokens.py wants custreg-api)
ALGORITHM = "HS256"
# The scopes that let a page of the back office change something: customers and their
# records, the register's configuration, API clients, webhooks, erasure. `customers:delete`
# is not one: its "Delete" is on a record's form, which needs `customers:write`.
WRITES = frozenset({scopes.WRITE, scopes.REGISTER_ADMIN, scopes.ADMIN, scopes.WEBHOOKS_WRITE, scopes.ERASE})


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in page."""


class Rendered(Exception):
    """A page answered from inside a unit of work that must not commit (a form with errors)."""

    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass(frozen=True)
class UiSession:
    principal: Principal
    csrf: str
    expires: int

    def can(self, scope: str) -> bool:
        return scope in self.principal.scopes

    @property
    def read_only(self) -> bool:
        """No page of the back office lets this credential change anything (the header says so)."""
        return not (WRITES & self.principal.scopes)


def _key(request: Request) -> bytes:
    # Derived from the client-token key: one secret to keep, and a cookie is no token.
    base = request.app.state.auth.keys.get()
    return hmac.new(base.encode(), b"custreg ui session", hashlib.sha256).digest()


def issue(request: Request, response: Response, principal: Principal) -> None:
    """Sign `principal` in: the cookie names it, its scopes and companies, and a CSRF token."""
    now = int(time.time())
    claims = {
        "aud": AUDIENCE,
        "kind": principal.kind,
        "sub": principal.subject,
        "scope": " ".join(sorted(principal.scopes)),
        "cuids": None if principal.companies is None else sorted(principal.companies),
        "csrf": secrets.token_urlsafe(24),
        "iat": now,
        "exp": now + LIFETIME,
    }
    token = jwt.encode(claims, _key(request), algorithm=ALGORITHM)
    response.set_cookie(
        COOKIE,
        token,
        max_age=LIFETIME,
        path="/ui",
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )


def clear(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


def read(request: Request) -> UiSession | None:
    """The request's session, or None (no cookie, bad signature, expired)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        claims = jwt.decode(token, _key(request), algorithms=[ALGORITHM], audience=AUDIENCE)
    except jwt.PyJWTError:
        return None
    if claims.get("kind") == "admin":
        principal = ADMIN
    else:
        principal = Principal("client", claims["sub"], frozenset(claims["scope"].split()), frozenset(claims["cuids"]))
    return UiSession(principal, claims["csrf"], int(claims["exp"]))


def current(request: Request) -> UiSession:
    session = read(request)
    if session is None:
        raise SignInRequired()
    return session


async def check_csrf(request: Request, session: UiSession) -> None:
    """403 unless a form POST carries the session's CSRF token (SameSite=Strict is the first wall)."""
    if request.method in ("GET", "HEAD"):
        return
    ctype = request.headers.get("content-type", "")
    sent = request.headers.get("x-csrf-token", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # read here, before the unit of work: the endpoint gets it
        request.state.form = form
        sent = str(form.get("csrf", "")) or sent
    if not sent or not hmac.compare_digest(sent, session.csrf):
        raise Forbidden("The form's CSRF token is missing or wrong; reload the page")


def requires(scope: str) -> Any:
    """Dependency: a signed-in session holding `scope` on the company in the path → a `Ctx`
    (the API's unit of work: revocation checked, company loaded, COMMIT or ROLLBACK)."""

    async def dependency(request: Request, cuid: Annotated[str, Path(max_length=40)]) -> Ctx:
        session = current(request)
        await check_csrf(request, session)
        principal = session.principal
        if scope not in principal.scopes:
            raise Forbidden(f"This credential lacks the scope {scope}")
        if not principal.allows_company(cuid):
            raise Forbidden(f"This credential is not granted company {cuid}")
        request.state.ui = session
        return Ctx(request, principal, write=request.method not in ("GET", "HEAD"), cuid=cuid)

    dependency.required_scope = scope  # type: ignore[attr-defined]
    return Depends(dependency)


def requires_no_company(scope: str) -> Any:
    """Dependency: a signed-in session holding `scope`, for pages of no one company (API clients)."""

    async def dependency(request: Request) -> Ctx:
        session = current(request)
        await check_csrf(request, session)
        if scope not in session.principal.scopes:
            raise Forbidden(f"This credential lacks the scope {scope}")
        request.state.ui = session
        return Ctx(request, session.principal, write=request.method not in ("GET", "HEAD"))

    dependency.required_scope = scope  # type: ignore[attr-defined]
    return Depends(dependency)


def signed_in(request: Request) -> Ctx:
    """A unit of work with no company (the company picker)."""
    session = current(request)
    request.state.ui = session
    return Ctx(request, session.principal, write=False)


ReadUi = Annotated[Ctx, requires(scopes.READ)]
WriteUi = Annotated[Ctx, requires(scopes.WRITE)]
SignedIn = Annotated[Ctx, Depends(signed_in)]
AdminUi = Annotated[Ctx, requires_no_company(scopes.ADMIN)]
