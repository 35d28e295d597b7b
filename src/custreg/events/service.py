"""Webhook endpoints of a company: create, read, change, delete, rotate the secret; their
deliveries: list, retry, replay. Services never commit (the request owns the transaction)."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.db.base import utcnow
from custreg.errors import NotFound, field_error
from custreg.events import dispatch, safety
from custreg.events.models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from custreg.events.schemas import WebhookCreate, WebhookPatch
from custreg.events.signing import Secrets, new_secret
from custreg.settings import Settings

REPLAY_LIMIT = 5000  # events one replay request queues (bounded work); `nextSince` continues
ATTEMPTS_SHOWN = 10  # the latest tries listed with each delivery


def create(
    session: Session, company: Company, data: WebhookCreate, *, settings: Settings
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (in clear only in this answer)."""
    safety.check_saved(data.url, allow_private=settings.webhook_allow_private)
    secret = new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(
        company_id=company.id,
        url=data.url,
        description=data.description,
        events=list(data.events),
        enabled=data.enabled,
        include_object=data.includeObject,
        secret=Secrets(settings).seal(secret),
        failures=0,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def listed(session: Session, company: Company) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.company_id == company.id).order_by(WebhookEndpoint.id)
        )
    )


def get(session: Session, company: Company, key: uuid.UUID, *, for_update: bool = False) -> WebhookEndpoint:
    """The company's endpoint `key`, or 404 (another company's is not found either)."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.company_id == company.id, WebhookEndpoint.endpoint_guid == key
    )
    found = session.scalar(query.with_for_update() if for_update else query)
    if found is None:
        raise NotFound(f"Webhook {key} not found")
    return found


def patch(session: Session, endpoint: WebhookEndpoint, data: WebhookPatch, *, settings: Settings) -> None:
    changes = data.model_dump(exclude_unset=True)
    for name in ("url", "events", "enabled", "includeObject"):
        if name in changes and changes[name] is None:
            raise field_error(name, "may not be null")
    if "url" in changes:
        safety.check_saved(changes["url"], allow_private=settings.webhook_allow_private)
        endpoint.url = changes["url"]
    if "description" in changes:
        endpoint.description = changes["description"]
    if "events" in changes:
        endpoint.events = list(changes["events"])
    if "includeObject" in changes:
        endpoint.include_object = changes["includeObject"]
    if "enabled" in changes:
        if changes["enabled"] and not endpoint.enabled:
            endpoint.failures, endpoint.disabled_reason, endpoint.disabled_at = 0, None, None
        endpoint.enabled = changes["enabled"]
    endpoint.updated_at = utcnow()
    session.flush()


def delete(session: Session, endpoint: WebhookEndpoint) -> None:
    """The endpoint, its deliveries and their attempts."""
    ids = select(Delivery.id).where(Delivery.endpoint_id == endpoint.id).scalar_subquery()
    session.execute(sql_delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
    session.execute(sql_delete(Delivery).where(Delivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()


def rotate(session: Session, endpoint: WebhookEndpoint, overlap_seconds: int, *, settings: Settings) -> str:
    """A new secret; the current one keeps signing (a second `v1`) for `overlap_seconds`."""
    secret = new_secret()
    now = utcnow()
    endpoint.old_secret = endpoint.secret if overlap_seconds else None
    endpoint.old_secret_until = now + timedelta(seconds=overlap_seconds) if overlap_seconds else None
    endpoint.secret = Secrets(settings).seal(secret)
    endpoint.updated_at = now
    session.flush()
    return secret


def deliveries(session: Session, endpoint: WebhookEndpoint, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    """The latest deliveries of the endpoint, newest first, with their latest tries."""
    query = (
        select(Delivery, OutboxEvent.event_id, OutboxEvent.type)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_seq)
        .where(Delivery.endpoint_id == endpoint.id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    found = session.execute(query).all()
    tries: dict[int, list[DeliveryAttempt]] = {}
    if found:
        ids = [d.id for d, _, _ in found]
        for attempt in session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)).order_by(DeliveryAttempt.id.desc())
        ):
            shown = tries.setdefault(attempt.delivery_id, [])
            if len(shown) < ATTEMPTS_SHOWN:
                shown.append(attempt)
    return [_delivery(d, event_id, kind, tries.get(d.id, [])) for d, event_id, kind in found]


def _delivery(d: Delivery, event_id: uuid.UUID, kind: str, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": d.delivery_guid,
        "eventId": event_id,
        "eventType": kind,
        "customerGuid": d.customer_guid,
        "status": d.status,
        "tries": d.tries,
        "nextAt": d.next_at if d.status == "pending" else None,
        "createdAt": d.created_at,
        "deliveredAt": d.delivered_at,
        "attempts": [
            {
                "at": a.at,
                "statusCode": a.status_code,
                "durationMs": a.duration_ms,
                "response": a.response,
                "error": a.error,
            }
            for a in attempts
        ],
    }


def retry(session: Session, endpoint: WebhookEndpoint, key: uuid.UUID) -> dict[str, Any]:
    """Send delivery `key` again now (a failed one, or a delivered one once more)."""
    found = session.execute(
        select(Delivery, OutboxEvent.event_id, OutboxEvent.type)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_seq)
        .where(Delivery.endpoint_id == endpoint.id, Delivery.delivery_guid == key)
    ).first()
    if found is None:
        raise NotFound(f"Delivery {key} not found")
    d = found[0]
    session.execute(
        update(Delivery)
        .where(Delivery.id == d.id)
        .values(status="pending", next_at=utcnow(), leased_until=None, created_at=utcnow())
    )
    session.refresh(d)
    return _delivery(d, found[1], found[2], [])


def replay(session: Session, company: Company, endpoint: WebhookEndpoint, since: datetime) -> tuple[int, Any]:
    """Queue again, for this endpoint, the company's events from `since` that it subscribes
    to (new deliveries, the same event ids). Returns (queued, where to continue or None)."""
    events = list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.company_id == company.id, OutboxEvent.at >= since)
            .order_by(OutboxEvent.id)
            .limit(REPLAY_LIMIT + 1)
        )
    )
    more = events[REPLAY_LIMIT] if len(events) > REPLAY_LIMIT else None
    events = events[:REPLAY_LIMIT]
    queued = dispatch.queue(session, {company.id: company.cuid}, [endpoint], events)
    return queued, (more.at if more is not None else None)


def prune(session: Session, *, older_than: datetime) -> tuple[int, int]:
    """`custreg prune`: finished deliveries (delivered, failed) of events older than
    `older_than` with their tries, then those events that nothing waits for any more.
    Returns (events, deliveries) removed."""
    old = select(OutboxEvent.id).where(OutboxEvent.at < older_than)
    finished = select(Delivery.id).where(Delivery.event_seq.in_(old), Delivery.status != "pending")
    session.execute(sql_delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(finished)))
    deliveries = session.execute(sql_delete(Delivery).where(Delivery.event_seq.in_(old), Delivery.status != "pending"))
    waiting = exists().where(Delivery.event_seq == OutboxEvent.id)
    events = session.execute(
        sql_delete(OutboxEvent).where(
            OutboxEvent.at < older_than, OutboxEvent.dispatched.is_(True), OutboxEvent.published.is_(True), ~waiting
        )
    )
    return getattr(events, "rowcount", 0) or 0, getattr(deliveries, "rowcount", 0) or 0


def forget(session: Session, company: Company, guids: list[uuid.UUID]) -> None:
    """Erasure (docs/privacy.md): the customers' deliveries keep their events (id, type,
    GUID, number, version) but lose the object they carried and the receivers' answers."""
    rows = session.execute(
        select(Delivery.id, Delivery.body)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_seq)
        .where(OutboxEvent.company_id == company.id, Delivery.customer_guid.in_(guids))
    ).all()
    for id_, text in rows:
        sent = orjson.loads(text)
        if sent.get("data", {}).pop("object", None) is not None:
            session.execute(update(Delivery).where(Delivery.id == id_).values(body=orjson.dumps(sent).decode()))
    ids = [id_ for id_, _ in rows]
    if ids:
        session.execute(update(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)).values(response=None))
