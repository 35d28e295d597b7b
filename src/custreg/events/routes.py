"""HTTP of webhook endpoints: /v1/companies/{cuid}/webhooks (docs/events.md)."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from custreg.access import scopes
from custreg.access.context import Ctx, requires
from custreg.db.routing import TransactionalRoute
from custreg.events import service
from custreg.events.models import WebhookEndpoint
from custreg.events.schemas import (
    DeliveryPage,
    DeliveryRead,
    Replay,
    ReplayResult,
    RotateSecret,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookPatch,
    WebhookRead,
)

router = APIRouter(prefix="/v1/companies/{cuid}/webhooks", tags=["webhooks"], route_class=TransactionalRoute)

ReadCtx = Annotated[Ctx, requires(scopes.WEBHOOKS_READ)]
WriteCtx = Annotated[Ctx, requires(scopes.WEBHOOKS_WRITE)]
WebhookId = Annotated[uuid.UUID, Path(description="The webhook endpoint's id")]


def _read(e: WebhookEndpoint) -> dict:
    return {
        "id": e.endpoint_guid,
        "url": e.url,
        "description": e.description,
        "events": e.events,
        "enabled": e.enabled,
        "includeObject": e.include_object,
        "disabledReason": e.disabled_reason,
        "disabledAt": e.disabled_at,
        "secretRotatedUntil": e.old_secret_until,
        "createdAt": e.created_at,
        "updatedAt": e.updated_at,
    }


def _settings(ctx: Ctx):
    return ctx.request.app.state.settings


@router.post("", status_code=201, response_model=WebhookCreated)
def create_webhook(ctx: WriteCtx, body: WebhookCreate) -> dict:
    """A webhook endpoint. The answer carries its signing `secret`, shown only now."""
    endpoint, secret = service.create(ctx.session, ctx.company, body, settings=_settings(ctx))
    return {**_read(endpoint), "secret": secret}


@router.get("", response_model=WebhookPage)
def list_webhooks(ctx: ReadCtx) -> dict:
    """The company's webhook endpoints."""
    return {"value": [_read(e) for e in service.listed(ctx.session, ctx.company)]}


@router.get("/{webhook}", response_model=WebhookRead)
def get_webhook(ctx: ReadCtx, webhook: WebhookId) -> dict:
    """One webhook endpoint (never its secret)."""
    return _read(service.get(ctx.session, ctx.company, webhook))


@router.patch("/{webhook}", response_model=WebhookRead)
def patch_webhook(ctx: WriteCtx, webhook: WebhookId, body: WebhookPatch) -> dict:
    """Change the fields sent. `enabled: true` turns a disabled endpoint on again."""
    endpoint = service.get(ctx.session, ctx.company, webhook, for_update=True)
    service.patch(ctx.session, endpoint, body, settings=_settings(ctx))
    return _read(endpoint)


@router.delete("/{webhook}", status_code=204)
def delete_webhook(ctx: WriteCtx, webhook: WebhookId) -> Response:
    """Remove the endpoint with its deliveries."""
    service.delete(ctx.session, service.get(ctx.session, ctx.company, webhook, for_update=True))
    return Response(status_code=204)


@router.post("/{webhook}/rotate-secret", response_model=WebhookCreated)
def rotate_secret(ctx: WriteCtx, webhook: WebhookId, body: RotateSecret) -> dict:
    """A new signing secret (shown only now); the old one signs too for `overlapSeconds`."""
    endpoint = service.get(ctx.session, ctx.company, webhook, for_update=True)
    secret = service.rotate(ctx.session, endpoint, body.overlapSeconds, settings=_settings(ctx))
    return {**_read(endpoint), "secret": secret}


@router.get("/{webhook}/deliveries", response_model=DeliveryPage)
def list_deliveries(
    ctx: ReadCtx,
    webhook: WebhookId,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict:
    """The latest deliveries, newest first, each with its latest tries (status, duration,
    the first bytes of the answer)."""
    endpoint = service.get(ctx.session, ctx.company, webhook)
    return {"value": service.deliveries(ctx.session, endpoint, status=status, limit=limit)}


@router.post("/{webhook}/deliveries/{delivery}/retry", status_code=202, response_model=DeliveryRead)
def retry_delivery(
    ctx: WriteCtx, webhook: WebhookId, delivery: Annotated[uuid.UUID, Path(description="The delivery's id")]
) -> dict:
    """Send the delivery again now, with the same event id (after the customer's earlier ones)."""
    endpoint = service.get(ctx.session, ctx.company, webhook)
    return service.retry(ctx.session, endpoint, delivery)


@router.post("/{webhook}/replay", status_code=202, response_model=ReplayResult)
def replay_events(ctx: WriteCtx, webhook: WebhookId, body: Replay) -> dict:
    """Queue again the company's events since a time that the endpoint subscribes to (the
    same event ids: receivers deduplicate). At most 5,000 a request; `nextSince` continues."""
    endpoint = service.get(ctx.session, ctx.company, webhook)
    queued, next_since = service.replay(ctx.session, ctx.company, endpoint, body.since)
    return {"queued": queued, "nextSince": next_since}
