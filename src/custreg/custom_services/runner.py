"""The `async` invocations in `custreg worker` (events/worker.py calls `run` each round):
claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), sent signed as the webhook
deliveries are (events/sending.py), retried with the same backoff until the same window,
then failed. At least once: a worker killed mid-call leaves the lease to run out."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update

from custreg.custom_services.models import ServiceDefinition, ServiceInvocation
from custreg.custom_services.service import ANSWER_KEPT, Call, headers
from custreg.db.base import utcnow
from custreg.db.session import Database
from custreg.events import sending, signing
from custreg.settings import Settings

CLAIM = 16  # invocations claimed a round


@dataclass(slots=True)
class Claimed:
    id: int
    call: Call
    tries: int
    created_at: datetime


def run(db: Database, http: httpx.Client, box: signing.Secrets, settings: Settings, backoff, mapper=map) -> bool:
    """One round: claim due invocations, send them (`mapper`: the worker's sending threads),
    record what came of each. Whether any ran."""
    claimed = claim(db, box, settings)

    def send(c: Claimed) -> sending.Answer:
        return sending.post(
            http,
            c.call.url,
            c.call.body,
            c.call.signers,
            allow_private=settings.webhook_allow_private,
            limit=ANSWER_KEPT,
            headers=headers(c.call),
        )

    for c, answer in zip(claimed, list(mapper(send, claimed)), strict=True):
        record(db, c, answer, settings, backoff)
    return bool(claimed)


def claim(db: Database, box: signing.Secrets, settings: Settings) -> list[Claimed]:
    now = utcnow()
    query = (
        select(ServiceInvocation, ServiceDefinition)
        .join(ServiceDefinition, ServiceDefinition.id == ServiceInvocation.service_id)
        .where(
            ServiceInvocation.status == "pending",
            ServiceInvocation.next_at <= now,
            or_(ServiceInvocation.leased_until.is_(None), ServiceInvocation.leased_until < now),
        )
        .order_by(ServiceInvocation.id)
        .limit(CLAIM)
        .with_for_update(of=ServiceInvocation, skip_locked=True)
    )
    with db.session(write=True) as session:
        found = session.execute(query).all()
        if not found:
            return []
        session.execute(
            update(ServiceInvocation)
            .where(ServiceInvocation.id.in_([i.id for i, _ in found]))
            .values(leased_until=now + timedelta(seconds=settings.worker_lease_seconds))
        )
        claimed = [
            Claimed(
                i.id,
                Call(s.name, s.url, [box.open(s.secret)], i.body.encode(), i.invocation_guid),
                i.tries,
                i.created_at,
            )
            for i, s in found
        ]
        session.commit()
    return claimed


def record(db: Database, c: Claimed, answer: sending.Answer, settings: Settings, backoff) -> None:
    """Done with the answer; else tried again later, or failed after the retry window."""
    now = utcnow()
    tries = c.tries + 1
    values: dict = {"tries": tries, "leased_until": None, "status_code": answer.status_code}
    if answer.ok and not answer.truncated:
        values.update(status="done", finished_at=now, error=None, answer=answer.body.decode(errors="replace"))
    else:
        if answer.ok:
            why = f"the answer is longer than {ANSWER_KEPT} bytes"
        elif answer.status_code is not None:
            why = f"HTTP {answer.status_code}"
        else:
            why = answer.error or "no answer"
        values["error"] = why[:500]
        if now - c.created_at > timedelta(hours=settings.webhook_retry_window_hours):
            values.update(status="failed", finished_at=now)
        else:
            values["next_at"] = now + timedelta(seconds=backoff(settings, tries))
    with db.session(write=True) as session:
        session.execute(update(ServiceInvocation).where(ServiceInvocation.id == c.id).values(**values))
        session.commit()
