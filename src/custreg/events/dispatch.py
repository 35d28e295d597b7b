"""From the outbox to the endpoints: each new event becomes one delivery per enabled endpoint
of its company that subscribes to its type, with the body every try of it sends."""

import fnmatch
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import document
from custreg.customers import service as customers
from custreg.db.base import utcnow
from custreg.errors import NotFound
from custreg.events.models import Delivery, OutboxEvent, WebhookEndpoint
from custreg.privacy.models import Erasure

# Events whose customer is gone or erased: their body never carries the object.
NO_OBJECT = frozenset({"customer.deleted", "customer.merged", "customer.erased"})
FAN_OUT_LOCK = (0x6576, 1)  # "ev": pg_try_advisory_xact_lock: one fan-out at a time keeps event order
BATCH = 500


def matches(patterns: Iterable[str], kind: str) -> bool:
    """Whether an event type matches one of an endpoint's patterns ("customer.*", "*")."""
    return any(fnmatch.fnmatchcase(kind, p) for p in patterns)


def body(event: OutboxEvent, cuid: str, obj: Any = None) -> bytes:
    """`{id, type, createdAt, company, data: {customerGuid, customerNumber, version, object?}}`."""
    data: dict[str, Any] = {
        "customerGuid": str(event.customer_guid),
        "customerNumber": event.customer_number,
        "version": event.version,
    }
    if obj is not None:
        data["object"] = obj
    return orjson.dumps(
        {
            "id": str(event.event_id),
            "type": event.type,
            "createdAt": event.at.isoformat().replace("+00:00", "Z"),
            "company": cuid,
            "data": data,
        }
    )


def _object(session: Session, event: OutboxEvent, cuid: str) -> Any:
    """The customer's body as GET shows it now; None once the customer is gone or erased."""
    if event.type in NO_OBJECT or session.scalar(
        select(Erasure.id).where(Erasure.company_id == event.company_id, Erasure.customer_guid == event.customer_guid)
    ):
        return None
    stored = document.stored(session, event.company_id, "customer_guid", event.customer_guid)
    if stored is not None:
        return orjson.loads(stored[0])
    company = session.get_one(Company, event.company_id)
    try:
        customer = customers.get(session, company, str(event.customer_guid))
    except NotFound:
        return None
    return orjson.loads(document.render(customer, cuid))


def queue(
    session: Session, cuid_of: dict[int, str], endpoints: list[WebhookEndpoint], events: list[OutboxEvent]
) -> int:
    """Deliveries of `events` to the `endpoints` (of their companies) that subscribe to them."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event in events:
        for endpoint in endpoints:
            if endpoint.company_id != event.company_id or not matches(endpoint.events, event.type):
                continue
            cuid = cuid_of[event.company_id]
            obj = _object(session, event, cuid) if endpoint.include_object else None
            rows.append(
                {
                    "endpoint_id": endpoint.id,
                    "event_seq": event.id,
                    "customer_guid": event.customer_guid,
                    "body": body(event, cuid, obj).decode(),
                    "status": "pending",
                    "tries": 0,
                    "next_at": now,
                    "created_at": now,
                }
            )
    if rows:
        session.execute(insert(Delivery), rows)
    return len(rows)


def fan_out(session: Session, *, amqp: bool, limit: int = BATCH) -> int:
    """Dispatch up to `limit` new events in the caller's write transaction; returns how many.
    Without an AMQP sink they count as published too."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(text("SELECT pg_try_advisory_xact_lock(:a, :b)"), dict(zip("ab", FAN_OUT_LOCK)))
        if not locked.scalar_one():
            return 0
    events = list(
        session.scalars(
            select(OutboxEvent).where(OutboxEvent.dispatched.is_(False)).order_by(OutboxEvent.id).limit(limit)
        )
    )
    if not events:
        return 0
    companies = {e.company_id for e in events}
    endpoints = list(
        session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.company_id.in_(companies), WebhookEndpoint.enabled.is_(True))
        )
    )
    if endpoints:
        cuid_of = dict(
            session.execute(select(Company.id, Company.cuid).where(Company.id.in_(companies))).tuples().all()
        )
        queue(session, cuid_of, endpoints, events)
    done = {"dispatched": True} if amqp else {"dispatched": True, "published": True}
    session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events])).values(**done))
    return len(events)
