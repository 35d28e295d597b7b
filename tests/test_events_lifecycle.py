"""Events of the register's other writes (docs/events.md): a write that changes nothing sends
nothing, a merge sends `customer.merged` for each merged customer, an erasure sends
`customer.erased` without the object and strips the object from the customer's stored
deliveries (a retry after the erasure resends the event without it)."""

import uuid

import pytest
from conftest import new_company
from events_util import add_webhook, events_client, receiver, worker  # noqa: F401 - a fixture


@pytest.fixture(scope="module")
def hooks(database_url):
    with receiver() as rec, worker(database_url) as start:
        start()
        yield rec


def _hook(client, rec, **fields) -> tuple[str, str, dict]:
    cuid = new_company(client)
    path = f"/{uuid.uuid4().hex}"
    return cuid, path, add_webhook(client, cuid, rec.url + path, **fields)


def test_a_write_that_changes_nothing_sends_nothing(events_client, hooks):  # noqa: F811
    cuid, path, _ = _hook(events_client, hooks)
    url = f"/v1/companies/{cuid}/customers"
    made = events_client.post(url, json={"lastName": "Salo", "firstName": "Eeva"}).json()
    one = f"{url}/{made['customerNumber']}"
    assert events_client.patch(one, json={"firstName": "Eeva"}).status_code == 200  # the same value
    assert events_client.patch(one, json={}).status_code == 200
    assert events_client.patch(one, json={"firstName": "Aino"}).status_code == 200  # a real change
    got = hooks.wait(path, lambda seen: len(seen) >= 2)
    assert [g.event["type"] for g in got] == ["customer.created", "customer.updated"]
    assert got[1].event["data"]["version"] == 2


def test_merge_and_erasure_send_their_events(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks, includeObject=True)
    url = f"/v1/companies/{cuid}/customers"
    a = events_client.post(url, json={"lastName": "Virtanen", "email": "aino@example.fi"}).json()
    r = events_client.post(url, json={"lastName": "Virtanen", "cellularPhone": "+358401234567"})
    assert r.status_code == 201, r.text
    b = r.json()
    created = hooks.wait(path, lambda seen: len(seen) >= 2)
    assert all(g.event["data"]["object"]["lastName"] == "Virtanen" for g in created)
    r = events_client.post(f"{url}/{a['customerNumber']}/merge", json={"from": [str(b["customerNumber"])]})
    assert r.status_code == 200, r.text
    r = events_client.post(f"{url}/{a['customerNumber']}/erase", json={"reason": "asked by the person"})
    assert r.status_code == 200, r.text
    got = hooks.wait(path, lambda seen: any(g.event["type"] == "customer.erased" for g in seen))
    of_b = [g.event for g in got if g.event["data"]["customerGuid"] == b["customerGuid"]]
    assert [e["type"] for e in of_b] == ["customer.created", "customer.merged"]
    assert "object" not in of_b[-1]["data"]
    of_a = [g.event for g in got if g.event["data"]["customerGuid"] == a["customerGuid"]]
    assert [e["type"] for e in of_a] == ["customer.created", "customer.updated", "customer.erased"]
    assert "object" not in of_a[-1]["data"]
    # The stored delivery of a's creation no longer carries the person: a retry resends it bare.
    base = f"/v1/companies/{cuid}/webhooks/{hook['id']}"
    deliveries = events_client.get(f"{base}/deliveries").json()["value"]
    (first,) = [d for d in deliveries if d["eventId"] == of_a[0]["id"]]
    assert all(t["response"] is None for t in first["attempts"])
    assert events_client.post(f"{base}/deliveries/{first['id']}/retry").status_code == 202
    again = hooks.wait(path, lambda seen: len(seen) > len(got))[-1].event
    assert again["id"] == of_a[0]["id"] and "object" not in again["data"]
