"""The AMQP sink (docs/events.md): with CUSTREG_EVENTS_AMQP_URL set, a queue bound to the
exchange receives the events the webhooks get, with the same ids. Needs the RabbitMQ at
127.0.0.1:5672 (guest/guest); skipped, saying so, where it does not answer."""

import json
import socket
import time
import uuid

import pytest
from conftest import new_company
from events_util import add_webhook, events_client, receiver, worker  # noqa: F401 - a fixture

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _rabbitmq_answers(), reason="no RabbitMQ answers at 127.0.0.1:5672")


def test_a_bound_queue_receives_the_same_events(events_client, database_url):  # noqa: F811
    import pika

    exchange = f"custreg.test.{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key="customer.#")
    cuid = new_company(events_client)
    try:
        with (
            receiver() as rec,
            worker(database_url, CUSTREG_EVENTS_AMQP_URL=AMQP_URL, CUSTREG_EVENTS_AMQP_EXCHANGE=exchange) as start,
        ):
            add_webhook(events_client, cuid, rec.url + "/amqp")
            start()
            url = f"/v1/companies/{cuid}/customers"
            made = events_client.post(url, json={"lastName": "Hämäläinen"}).json()
            assert events_client.patch(f"{url}/{made['customerNumber']}", json={"firstName": "Aku"}).status_code == 200
            hooked = rec.wait("/amqp", lambda seen: len(seen) >= 2)
            published: list[dict] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                method, props, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    if any(
                        m["data"]["customerGuid"] == made["customerGuid"] and m["type"] == "customer.updated"
                        for m in published
                    ):
                        break
                    time.sleep(0.1)
                    continue
                event = json.loads(body)
                assert props.message_id == event["id"] and method.routing_key == event["type"]
                published.append(event)
    finally:
        channel.exchange_delete(exchange)
        connection.close()
    mine = [e for e in published if e["company"] == cuid]
    assert [e["type"] for e in mine] == ["customer.created", "customer.updated"]
    assert [e["id"] for e in mine] == [h.event["id"] for h in hooked]
    assert mine[0]["data"] == {k: v for k, v in hooked[0].event["data"].items() if k != "object"}
