"""API clients (scope `admin`): list, create with the secret shown once, revoke, through
access/clients.py, as /v1/clients. (Register configuration: ui/register.py.)"""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from custreg.access import clients, privileges, secret_box
from custreg.access import scopes as scope_names
from custreg.access.context import Ctx
from custreg.access.schemas import ClientCreate
from custreg.companies import service as companies
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError
from custreg.ui.pages import render
from custreg.ui.session import AdminUi, Rendered

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=TransactionalRoute)
SHOWN_CLIENTS = 100


def _page(request: Request, ctx: Ctx, status: int = 200, **values) -> Response:
    total, rows = clients.list_page(
        ctx.session, top=SHOWN_CLIENTS, skip=0, visible=privileges.visible(ctx.principal), newest_first=True
    )
    _, reachable = companies.list_page(ctx.session, top=1000, skip=0, only=ctx.principal.companies)
    values.setdefault("errors", {})
    values.setdefault("created", None)
    return render(
        request,
        "clients.html",
        status,
        clients=rows,
        total=total,
        companies=reachable,
        scope_names=sorted(scope_names.CLIENT_SCOPES),
        **values,
    )


@router.get("/clients")
def client_list(request: Request, ctx: AdminUi) -> Response:
    return _page(request, ctx)


@router.post("/clients")
def create_client(request: Request, ctx: AdminUi) -> Response:
    """Create an API client; its secret is on this answer only (never stored in clear)."""
    form = request.state.form
    body = {
        "name": str(form.get("name", "")),
        "companies": [str(c) for c in form.getlist("companies")],
        "scopes": [str(s) for s in form.getlist("scopes")],
    }
    try:
        parsed = ClientCreate.model_validate(body)
        privileges.check_grant(ctx.principal, parsed.companies, parsed.scopes)
        new = clients.create(
            ctx.session,
            secret_box.for_settings(request.app.state.settings),
            name=parsed.name,
            companies=parsed.companies,
            granted=parsed.scopes,
        )
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        raise Rendered(_page(request, ctx, 422, errors=errors, values=body)) from None
    except DomainError as exc:
        errors = {e["field"]: e["message"] for e in exc.errors} or {"name": exc.detail}
        raise Rendered(_page(request, ctx, exc.status, errors=errors, values=body)) from None
    return _page(request, ctx, 201, created=new)


@router.post("/clients/{client_id}/revoke")
def revoke_client(request: Request, client_id: str, ctx: AdminUi) -> Response:
    """Revoke: its secret, its tokens and its back-office sessions stop working at once."""
    privileges.administered(ctx.session, ctx.principal, client_id)
    clients.revoke(ctx.session, client_id)
    return RedirectResponse("/ui/clients", status_code=303)
