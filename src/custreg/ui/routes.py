"""The back office at /ui: sign-in and sign-out, the language, the company picker.
`install(app)` adds it to the app (app.create_app calls it), with its assets and the
answers of a missing session and of a form with errors."""

import hmac
import secrets
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from custreg.access import clients
from custreg.access.auth import Principal
from custreg.companies import service as companies
from custreg.db.routing import TransactionalRoute
from custreg.errors import Unauthorized
from custreg.ui import (
    admin,
    customers,
    duplicates,
    forms,
    i18n,
    privacy,
    records,
    register,
    session,
    transfer,
    webhooks,
)
from custreg.ui.pages import HEADERS, STATIC, render
from custreg.ui.session import SignedIn

LOGIN_COOKIE = "custreg_ui_login"  # the sign-in form's CSRF token (no session yet)

auth = APIRouter(prefix="/ui", include_in_schema=False)
home = APIRouter(prefix="/ui", include_in_schema=False, route_class=TransactionalRoute)


@auth.get("/login")
async def login_page(request: Request, error: bool = False) -> Response:
    token = secrets.token_urlsafe(24)
    page = render(request, "login.html", 401 if error else 200, login_csrf=token, error=error)
    page.set_cookie(LOGIN_COOKIE, token, path="/ui", httponly=True, samesite="strict")
    return page


def _check_login_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise session.Rendered(render(request, "login.html", 403, login_csrf="", error=True))


@auth.post("/login")
async def login(
    request: Request,
    csrf: Annotated[str, Form(max_length=100)] = "",
    client_id: Annotated[str, Form(max_length=100)] = "",
    client_secret: Annotated[str, Form(max_length=600)] = "",
    admin_token: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    """Verify the credentials as /oauth/token does (or the admin token) and start a session."""
    _check_login_csrf(request, csrf)
    principal = await _verify(request, client_id.strip(), client_secret, admin_token.strip())
    if principal is None:
        return RedirectResponse("/ui/login?error=true", status_code=303)
    answer = RedirectResponse("/ui", status_code=303)
    session.issue(request, answer, principal)
    answer.delete_cookie(LOGIN_COOKIE, path="/ui")
    return answer


async def _verify(request: Request, client_id: str, secret: str, admin_token: str) -> Principal | None:
    if admin_token:
        try:
            principal = request.app.state.auth.authenticate(admin_token)
        except Unauthorized:
            return None
        return principal if principal.kind == "admin" else None
    if not client_id or not secret:
        return None
    with request.app.state.db.session(write=False) as s:
        client = clients.lookup_for_login(s, client_id)
    ok = await anyio.to_thread.run_sync(clients.verify_secret, client, secret)
    if not ok or client is None:
        return None
    return Principal("client", client.client_id, frozenset(client.scopes), frozenset(client.companies))


@auth.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    current = session.current(request)
    await session.check_csrf(request, current)
    answer = RedirectResponse("/ui/login", status_code=303)
    session.clear(answer)
    return answer


@auth.post("/language")
async def language(
    request: Request, lang: Annotated[str, Form(max_length=5)], back: Annotated[str, Form(max_length=2000)] = "/ui"
) -> Response:
    """Remember the chosen language (a year); no session needed, nothing but the word changes."""
    target = back if back.startswith("/ui") and not back.startswith("//") else "/ui"
    answer = RedirectResponse(target, status_code=303)
    if lang in i18n.LOCALES:
        answer.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, path="/ui", samesite="strict")
    return answer


@home.get("")
def company_picker(request: Request, ctx: SignedIn, q: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """The companies this credential reaches (the first 100; `q` finds others by cuid or
    name); with just one, straight to its customers."""
    total, rows = companies.list_page(ctx.session, top=100, skip=0, only=ctx.principal.companies, search=q)
    if total == 1 and not q:
        return RedirectResponse(f"/ui/c/{rows[0].cuid}/customers", status_code=303)
    return render(request, "companies.html", companies=rows, total=total, q=q or "")


def install(app: FastAPI) -> None:
    """Add the back office to `app`."""
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    routers = (
        auth,
        home,
        admin.router,
        forms.router,
        transfer.router,
        duplicates.router,
        privacy.router,
        webhooks.router,
        records.router,  # a customer's record forms (ui/records.py)
        register.router,
    )
    for router in (*routers, customers.router):  # fixed paths first
        app.include_router(router)

    @app.exception_handler(session.SignInRequired)
    async def _sign_in(request: Request, exc: session.SignInRequired) -> Response:
        return RedirectResponse("/ui/login", status_code=303, headers=HEADERS)

    @app.exception_handler(session.Rendered)
    async def _rendered(request: Request, exc: session.Rendered) -> Response:
        return exc.response
