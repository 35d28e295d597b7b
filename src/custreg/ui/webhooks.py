"""A company's webhook endpoints (docs/events.md) through events/service.py, as
/v1/companies/{cuid}/webhooks: the list with each endpoint's latest deliveries (scope
`webhooks:read`); create with the signing secret shown once, enable or disable, delete
(scope `webhooks:write`)."""

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from custreg.access import scopes
from custreg.access.context import Ctx
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError
from custreg.events import service
from custreg.events.schemas import WebhookCreate, WebhookPatch
from custreg.ui.pages import render
from custreg.ui.session import Rendered, requires

router = APIRouter(prefix="/ui/c/{cuid}/webhooks", include_in_schema=False, route_class=TransactionalRoute)
ReadHooks = Annotated[Ctx, requires(scopes.WEBHOOKS_READ)]
WriteHooks = Annotated[Ctx, requires(scopes.WEBHOOKS_WRITE)]
WebhookId = Annotated[uuid.UUID, Path()]
DELIVERIES_SHOWN = 10  # per endpoint: the latest
DELIVERIES_OF = 50  # endpoints whose deliveries one page reads (bounded work; the API lists the rest)


def _page(request: Request, ctx: Ctx, status: int = 200, **values: Any) -> Response:
    endpoints = service.listed(ctx.session, ctx.company)
    deliveries = {
        e.endpoint_guid: service.deliveries(ctx.session, e, status=None, limit=DELIVERIES_SHOWN)
        for e in endpoints[:DELIVERIES_OF]
    }
    values.setdefault("errors", {})
    values.setdefault("values", {})
    values.setdefault("created", None)
    return render(
        request,
        "webhooks.html",
        status,
        cuid=ctx.cuid,
        company=ctx.company,
        endpoints=endpoints,
        deliveries=deliveries,
        can_change=scopes.WEBHOOKS_WRITE in ctx.principal.scopes,
        **values,
    )


@router.get("")
def webhook_list(request: Request, ctx: ReadHooks) -> Response:
    return _page(request, ctx)


@router.post("")
def create_webhook(request: Request, ctx: WriteHooks) -> Response:
    """Create an endpoint; its signing secret is on this answer only (stored sealed)."""
    form = request.state.form
    values = {
        "url": str(form.get("url", "")).strip(),
        "events": str(form.get("events", "")).strip(),
        "description": str(form.get("description", "")).strip(),
        "includeObject": form.get("includeObject") == "true",
    }
    body: dict[str, Any] = {
        "url": values["url"],
        "events": [e for e in re.split(r"[\s,]+", values["events"]) if e] or ["*"],
        "description": values["description"] or None,
        "includeObject": values["includeObject"],
    }
    try:
        parsed = WebhookCreate.model_validate(body)
        endpoint, secret = service.create(ctx.session, ctx.company, parsed, settings=request.app.state.settings)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"].removeprefix("Value error, ") for e in exc.errors()}
        raise Rendered(_page(request, ctx, 422, errors=errors, values=values)) from None
    except DomainError as exc:
        errors = {e["field"]: e["message"] for e in exc.errors} or {"url": exc.detail}
        raise Rendered(_page(request, ctx, exc.status, errors=errors, values=values)) from None
    return _page(request, ctx, 201, created={"id": endpoint.endpoint_guid, "url": endpoint.url, "secret": secret})


@router.post("/{webhook}/enabled")
def set_enabled(request: Request, webhook: WebhookId, ctx: WriteHooks) -> Response:
    """Turn the endpoint on (its failures reset) or off, as PATCH `enabled`."""
    endpoint = service.get(ctx.session, ctx.company, webhook, for_update=True)
    enabled = request.state.form.get("enabled") == "true"
    service.patch(ctx.session, endpoint, WebhookPatch(enabled=enabled), settings=request.app.state.settings)
    return RedirectResponse(f"/ui/c/{ctx.cuid}/webhooks", status_code=303)


@router.post("/{webhook}/delete")
def delete_webhook(webhook: WebhookId, ctx: WriteHooks) -> Response:
    """Remove the endpoint with its deliveries."""
    service.delete(ctx.session, service.get(ctx.session, ctx.company, webhook, for_update=True))
    return RedirectResponse(f"/ui/c/{ctx.cuid}/webhooks", status_code=303)
