"""The AMQP sink (CUSTREG_EVENTS_AMQP_URL): the outbox's events published to a RabbitMQ topic
exchange with publisher confirms, marked published only once the broker confirmed them
(at least once; the routing key is the event type)."""

import pika
from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.events.dispatch import body
from custreg.events.models import OutboxEvent

PUBLISH_LOCK = (0x6576, 2)  # one publisher at a time: per-customer order on the exchange
BATCH = 500


class Publisher:
    """One connection and confirming channel, opened on first use and again after a failure."""

    def __init__(self, url: str, exchange: str) -> None:
        self.url, self.exchange = url, exchange
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def _open(self) -> BlockingChannel:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = pika.BlockingConnection(pika.URLParameters(self.url))
            channel = self._connection.channel()
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()  # basic_publish returns once the broker confirmed
            self._channel = channel
        return self._channel

    def publish(self, messages: list[tuple[str, str, bytes]]) -> None:
        """(event id, event type, body) each, in order; raises if the broker refuses one."""
        channel = self._open()
        try:
            for event_id, kind, payload in messages:
                channel.basic_publish(
                    self.exchange,
                    kind,
                    payload,
                    pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=event_id),
                )
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # already broken: nothing to close cleanly
                pass


def publish(session: Session, publisher: Publisher, *, limit: int = BATCH) -> int:
    """Publish up to `limit` events not yet published, in the caller's write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(text("SELECT pg_try_advisory_xact_lock(:a, :b)"), dict(zip("ab", PUBLISH_LOCK)))
        if not locked.scalar_one():
            return 0
    events = list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.published.is_(False), OutboxEvent.dispatched.is_(True))
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )
    if not events:
        return 0
    companies = {e.company_id for e in events}
    cuid_of = dict(session.execute(select(Company.id, Company.cuid).where(Company.id.in_(companies))).tuples().all())
    publisher.publish([(str(e.event_id), e.type, body(e, cuid_of[e.company_id])) for e in events])
    session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events])).values(published=True))
    return len(events)
