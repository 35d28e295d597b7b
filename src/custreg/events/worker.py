"""`custreg worker`: fans new events out to deliveries, publishes them to the AMQP sink when
one is set, and sends due deliveries — signed, with a timeout, no redirects followed, the
answer read up to a small limit — retrying failures with exponential backoff and jitter
(docs/events.md). Several workers share the queue on PostgreSQL (FOR UPDATE SKIP LOCKED and a
lease); on SQLite run one."""

import logging
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from custreg.db.base import utcnow
from custreg.db.session import Database
from custreg.events import amqp, dispatch, pinned, safety, signing
from custreg.events.models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from custreg.events.verify import HEADER
from custreg.settings import Settings

log = logging.getLogger("custreg.events")
RESPONSE_LIMIT = 1000  # bytes of an answer read and kept
USER_AGENT = "custreg-webhooks/1"
CLAIM_PER_SENDER = 8  # deliveries claimed a round per sending thread


@dataclass(slots=True)
class Claimed:
    id: int
    endpoint_id: int
    url: str
    signers: list[str]
    body: bytes
    event_id: uuid.UUID
    event_type: str
    delivery_guid: uuid.UUID
    tries: int
    created_at: datetime


@dataclass(slots=True)
class Outcome:
    claimed: Claimed
    status_code: int | None
    duration_ms: int
    response: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(settings: Settings, tries: int) -> float:
    """Seconds before try `tries + 1`: base·2^(tries-1), at most the maximum, times 0.5-1.0."""
    delay = min(settings.webhook_retry_base_seconds * 2 ** min(tries - 1, 40), settings.webhook_retry_max_seconds)
    return delay * random.uniform(0.5, 1.0)


class Worker:
    def __init__(self, settings: Settings, *, parent: int | None = None) -> None:
        self.settings = settings
        self.parent = parent  # the process that started this one (serve): stop when it is gone
        self.db = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        self.box = signing.Secrets(settings)
        self.http = httpx.Client(
            follow_redirects=False,
            timeout=settings.webhook_timeout_seconds,
            headers={"User-Agent": USER_AGENT},
            transport=pinned.PinnedTransport(
                allow_private=settings.webhook_allow_private, max_connections=settings.worker_concurrency * 2
            ),
        )
        self.pool = ThreadPoolExecutor(settings.worker_concurrency, thread_name_prefix="webhook")
        url = settings.events_amqp_url
        self.publisher = amqp.Publisher(url, settings.events_amqp_exchange) if url else None
        self.stopping = threading.Event()

    def run(self) -> None:
        """Until `stopping` is set: a round, and a short sleep whenever a round found nothing."""
        log.info("worker started (%s, %d at once)", self.db.dialect, self.settings.worker_concurrency)
        while not self.stopping.is_set():
            if self.parent is not None and os.getppid() != self.parent:
                log.info("worker stops: the process that started it is gone")
                break
            try:
                busy = self.round()
            except Exception as exc:  # a database or broker hiccup: say what, wait, go on
                # Only the kind: a database error's text carries its statement's parameters
                # (bodies with customer data), which never go to the logs.
                cause = getattr(exc, "orig", None) or exc
                log.error("worker round failed: %s.%s", type(cause).__module__, type(cause).__name__)
                busy = False
            if not busy:
                self.stopping.wait(self.settings.worker_poll_seconds)
        self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.close()
        if self.publisher is not None:
            self.publisher.close()
        self.db.engine.dispose()

    def round(self) -> bool:
        """Fan out, publish, send one batch of due deliveries. Whether there was anything to do."""
        with self.db.session(write=True) as session:
            fanned = dispatch.fan_out(session, amqp=self.publisher is not None)
            session.commit()
        published = 0
        if self.publisher is not None:
            with self.db.session(write=True) as session:
                published = amqp.publish(session, self.publisher)
                session.commit()
        claimed = self.claim(self.settings.worker_concurrency * CLAIM_PER_SENDER)
        if claimed:
            outcomes = list(self.pool.map(self.send, claimed))
            self.record(outcomes)
        return bool(fanned or published or claimed)

    def claim(self, limit: int) -> list[Claimed]:
        """Due deliveries, the first pending one of each customer per endpoint, leased to
        this worker (another takes them over when the lease ends)."""
        now = utcnow()
        earlier = aliased(Delivery)
        before = exists().where(
            earlier.endpoint_id == Delivery.endpoint_id,
            earlier.customer_guid == Delivery.customer_guid,
            earlier.status == "pending",
            earlier.event_seq < Delivery.event_seq,
        )
        query = (
            select(Delivery, WebhookEndpoint, OutboxEvent.event_id, OutboxEvent.type)
            .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_seq)
            .where(
                Delivery.status == "pending",
                Delivery.next_at <= now,
                or_(Delivery.leased_until.is_(None), Delivery.leased_until < now),
                WebhookEndpoint.enabled.is_(True),
                ~before,
            )
            .order_by(Delivery.event_seq)
            .limit(limit)
            .with_for_update(of=Delivery, skip_locked=True)
        )
        with self.db.session(write=True) as session:
            found = session.execute(query).all()
            if not found:
                return []
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_([d.id for d, *_ in found]))
                .values(leased_until=now + timedelta(seconds=self.settings.worker_lease_seconds))
            )
            claimed = [
                Claimed(
                    d.id,
                    e.id,
                    e.url,
                    signing.signing_secrets(self.box, e.secret, e.old_secret, e.old_secret_until, now),
                    d.body.encode(),
                    event_id,
                    kind,
                    d.delivery_guid,
                    d.tries,
                    d.created_at,
                )
                for d, e, event_id, kind in found
            ]
            session.commit()
        return claimed

    def send(self, c: Claimed) -> Outcome:
        """One try: POST the body, signed; read at most RESPONSE_LIMIT bytes of the answer."""
        started = time.monotonic()
        try:
            safety.check(c.url, allow_private=self.settings.webhook_allow_private)
            headers = {
                "Content-Type": "application/json",
                HEADER: signing.header(c.signers, c.body),
                "Custreg-Event-Id": str(c.event_id),
                "Custreg-Event-Type": c.event_type,
                "Custreg-Delivery-Id": str(c.delivery_guid),
            }
            with self.http.stream("POST", c.url, content=c.body, headers=headers) as r:
                kept = bytearray()
                for chunk in r.iter_raw():
                    kept += chunk
                    if len(kept) >= RESPONSE_LIMIT:
                        break
                text = bytes(kept[:RESPONSE_LIMIT]).decode(errors="replace")
                return Outcome(c, r.status_code, _ms(started), text or None, None)
        except safety.UnsafeUrl as exc:
            return Outcome(c, None, _ms(started), None, f"refused: {exc}")
        except httpx.HTTPError as exc:
            return Outcome(c, None, _ms(started), None, f"{type(exc).__name__}: {exc}"[:500])

    def record(self, outcomes: list[Outcome]) -> None:
        """Each try, and what follows: delivered; retried later; given up after the window;
        the endpoint disabled after its run of failures."""
        now = utcnow()
        window = timedelta(hours=self.settings.webhook_retry_window_hours)
        with self.db.session(write=True) as session:
            session.execute(
                insert(DeliveryAttempt),
                [
                    {
                        "delivery_id": o.claimed.id,
                        "at": now,
                        "status_code": o.status_code,
                        "duration_ms": o.duration_ms,
                        "response": o.response,
                        "error": o.error,
                    }
                    for o in outcomes
                ],
            )
            delivered = [o.claimed.id for o in outcomes if o.ok]
            if delivered:  # the usual case: one statement for them all
                session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(delivered))
                    .values(status="delivered", delivered_at=now, tries=Delivery.tries + 1, leased_until=None)
                )
            for o in outcomes:
                if o.ok:
                    continue
                c = o.claimed
                tries = c.tries + 1
                values: dict = {"tries": tries, "leased_until": None}
                if now - c.created_at > window:
                    values.update(status="failed")
                else:
                    values.update(next_at=now + timedelta(seconds=backoff(self.settings, tries)))
                session.execute(update(Delivery).where(Delivery.id == c.id).values(**values))
            self._count_failures(session, outcomes, now)
            session.commit()

    def _count_failures(self, session: Session, outcomes: list[Outcome], now: datetime) -> None:
        by_endpoint: dict[int, list[Outcome]] = {}
        for o in outcomes:
            by_endpoint.setdefault(o.claimed.endpoint_id, []).append(o)
        for endpoint_id, mine in by_endpoint.items():
            endpoint = session.get_one(WebhookEndpoint, endpoint_id, with_for_update=True)
            for o in mine:
                endpoint.failures = 0 if o.ok else endpoint.failures + 1
            if endpoint.enabled and endpoint.failures >= self.settings.webhook_disable_after:
                last = mine[-1]
                why = f"HTTP {last.status_code}" if last.status_code is not None else (last.error or "no answer")
                endpoint.enabled = False
                endpoint.disabled_at = now
                endpoint.disabled_reason = f"{endpoint.failures} consecutive failed deliveries; the last: {why}"[:500]
                log.warning("webhook endpoint %s disabled after %d failures", endpoint.endpoint_guid, endpoint.failures)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
