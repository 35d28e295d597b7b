"""Deliveries by a real `custreg worker` to a real receiver on 127.0.0.1 (docs/events.md):
signed events in per-customer order, retries with the same event id, a killed worker,
a rolled-back request, the delivery log, retry and replay, disabling a failing endpoint."""

import os
import signal
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from access_util import bearer
from conftest import ADMIN, new_company
from events_util import WORKER_ENV, add_webhook, events_client, receiver, worker  # noqa: F401 - a fixture
from serve_util import custreg_serve
from sync_util import custreg_cli

from custreg.events.verify import HEADER, verify


@pytest.fixture(scope="module")
def hooks(database_url):
    """One receiver and one worker for the module's tests (each test has its own path)."""
    with receiver() as rec, worker(database_url) as start:
        start()
        yield rec


def _hook(client, rec, **fields) -> tuple[str, str, dict]:
    cuid = new_company(client)
    path = f"/{uuid.uuid4().hex}"
    return cuid, path, add_webhook(client, cuid, rec.url + path, **fields)


def test_create_update_delete_arrive_signed_in_order(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks, includeObject=True)
    url = f"/v1/companies/{cuid}/customers"
    first = events_client.post(url, json={"lastName": "Virtanen", "firstName": "Aino"}).json()
    other = events_client.post(url, json={"lastName": "Korhonen"}).json()
    one = f"{url}/{first['customerNumber']}"
    for name in ("Eino", "Ilmari"):
        assert events_client.patch(one, json={"firstName": name}).status_code == 200
    r = events_client.post(f"{one}/addresses", json={"addressType": "DELIVERY", "street": "Katu 1", "city": "Oulu"})
    assert r.status_code == 201, r.text
    assert events_client.delete(one).status_code == 204
    got = hooks.wait(path, lambda seen: len(seen) >= 6)
    for g in got:
        assert verify(hook["secret"], g.headers[HEADER], g.body)
        assert g.headers["Custreg-Event-Id"] == g.event["id"]
    mine = [g.event for g in got if g.event["data"]["customerGuid"] == first["customerGuid"]]
    assert [e["type"] for e in mine] == [
        "customer.created",
        "customer.updated",
        "customer.updated",
        "address.created",
        "customer.deleted",
    ]
    versions = [e["data"]["version"] for e in mine]
    assert versions == sorted(versions) and versions[0] == 1
    assert mine[0]["company"] == cuid and mine[0]["data"]["customerNumber"] == first["customerNumber"]
    assert datetime.fromisoformat(mine[0]["createdAt"]).tzinfo is not None
    assert "object" not in mine[-1]["data"]  # deleted: no body
    assert len({e["id"] for e in mine}) == 5
    (others,) = [g.event for g in got if g.event["data"]["customerGuid"] == other["customerGuid"]]
    assert others["type"] == "customer.created"
    shown = events_client.get(f"{url}/{other['customerNumber']}").json()
    assert others["data"]["object"] == shown  # the customer as GET shows it


def test_a_receiver_failing_three_times_gets_the_same_event_on_the_fourth_try(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks, events=["customer.created"])
    tries: list[int] = []

    def answer(p: str, _body: bytes) -> int:
        if p != path:
            return 200
        tries.append(1)
        return 500 if len(tries) <= 3 else 200

    hooks.answer = answer
    try:
        created = events_client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Nieminen"}).json()
        got = hooks.wait(path, lambda seen: len(seen) >= 4)
    finally:
        hooks.answer = lambda _p, _b: 200
    assert len({g.event["id"] for g in got}) == 1
    assert got[0].event["data"]["customerGuid"] == created["customerGuid"]
    assert all(verify(hook["secret"], g.headers[HEADER], g.body) for g in got)
    # The receiver records a request before it answers: the worker writes the try after.
    deadline = time.monotonic() + 30
    while True:
        log = events_client.get(f"/v1/companies/{cuid}/webhooks/{hook['id']}/deliveries")
        assert log.status_code == 200, log.text
        (delivery,) = log.json()["value"]
        if delivery["status"] == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert delivery["status"] == "delivered" and delivery["tries"] == 4
    assert [a["statusCode"] for a in delivery["attempts"]] == [200, 500, 500, 500]  # newest first
    assert delivery["attempts"][1]["response"].startswith("try again later")
    assert len(delivery["attempts"][1]["response"]) <= 1000
    assert delivery["eventId"] == got[0].event["id"]


def test_a_rolled_back_request_sends_nothing(events_client, hooks):  # noqa: F811
    cuid, path, _ = _hook(events_client, hooks)
    url = f"/v1/companies/{cuid}/customers"
    lost = str(uuid.uuid4())
    # The customer is written, then its nested bank account fails: the request rolls back.
    r = events_client.post(
        url, json={"customerGuid": lost, "lastName": "Lahtinen", "bankAccounts": [{"iban": "FI00 0000 0000 0000 00"}]}
    )
    assert r.status_code == 422, r.text
    kept = events_client.post(url, json={"lastName": "Mäkinen"}).json()
    got = hooks.wait(path, lambda seen: any(g.event["data"]["customerGuid"] == kept["customerGuid"] for g in seen))
    assert [g.event["data"]["customerGuid"] for g in got] == [kept["customerGuid"]]


def test_each_write_is_one_event(events_client, hooks):  # noqa: F811
    cuid, path, _ = _hook(events_client, hooks)
    url = f"/v1/companies/{cuid}/customers"
    made = events_client.post(url, json={"lastName": "Salo"}).json()
    assert events_client.patch(f"{url}/{made['customerNumber']}", json={"firstName": "Eeva"}).status_code == 200
    got = hooks.wait(path, lambda seen: len(seen) >= 2)
    assert [g.event["type"] for g in got] == ["customer.created", "customer.updated"]


def test_retry_and_replay_send_the_same_event_again(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks)
    since = datetime.now(UTC).isoformat()
    events_client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Heikkinen"})
    first = hooks.wait(path, lambda seen: len(seen) >= 1)[0].event
    base = f"/v1/companies/{cuid}/webhooks/{hook['id']}"
    (delivery,) = events_client.get(f"{base}/deliveries").json()["value"]
    r = events_client.post(f"{base}/deliveries/{delivery['id']}/retry")
    assert r.status_code == 202, r.text
    hooks.wait(path, lambda seen: len(seen) >= 2)
    r = events_client.post(f"{base}/replay", json={"since": since})
    assert r.status_code == 202 and r.json() == {"queued": 1, "nextSince": None}, r.text
    got = hooks.wait(path, lambda seen: len(seen) >= 3)
    assert {g.event["id"] for g in got} == {first["id"]}
    r = events_client.post(f"{base}/deliveries/{uuid.uuid4()}/retry")
    assert r.status_code == 404


def test_a_rotated_secret_and_the_old_one_both_sign_during_the_overlap(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks)
    base = f"/v1/companies/{cuid}/webhooks/{hook['id']}"
    new = events_client.post(f"{base}/rotate-secret", json={"overlapSeconds": 600}).json()["secret"]
    events_client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Laine"})
    (got,) = hooks.wait(path, lambda seen: len(seen) >= 1)
    assert got.headers[HEADER].count("v1=") == 2
    assert verify(new, got.headers[HEADER], got.body) and verify(hook["secret"], got.headers[HEADER], got.body)


def test_an_endpoint_failing_on_and_on_is_disabled_with_the_reason(events_client, hooks):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks)
    hooks.answer = lambda p, _b: 503 if p == path else 200
    try:
        events_client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Koskinen"})
        hooks.wait(path, lambda seen: len(seen) >= 5)  # CUSTREG_WEBHOOK_DISABLE_AFTER=5
        base = f"/v1/companies/{cuid}/webhooks/{hook['id']}"
        for _ in range(200):
            state = events_client.get(base).json()
            if not state["enabled"]:
                break
            hooks.wait(path, lambda seen: True, timeout=0.1)
    finally:
        hooks.answer = lambda _p, _b: 200
    assert state["enabled"] is False and "5 consecutive failed deliveries" in state["disabledReason"]
    assert "HTTP 503" in state["disabledReason"]
    r = events_client.patch(base, json={"enabled": True})
    assert r.json()["enabled"] is True and r.json()["disabledReason"] is None
    hooks.wait(path, lambda seen: seen[-1] and len(seen) >= 6)


def test_a_worker_killed_mid_burst_loses_no_event(events_client, database_url):  # noqa: F811
    cuid = new_company(events_client)
    with receiver() as rec, worker(database_url) as start:
        hook = add_webhook(events_client, cuid, rec.url + "/burst", events=["customer.*"])
        lines = ["lastName;firstName", *(f"Burst{i};Test" for i in range(1000))]
        first = start()
        r = events_client.post(
            f"/v1/companies/{cuid}/customers/import",
            content="\n".join(lines).encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 200 and r.json()["created"] == 1000, r.text
        rec.wait("/burst", lambda seen: len(seen) >= 100)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        start()
        got = rec.wait("/burst", lambda seen: len({g.event["id"] for g in seen}) >= 1000, timeout=180)
    ids = {g.event["id"] for g in got}
    assert len(ids) == 1000 and all(g.event["type"] == "customer.created" for g in got)
    assert len({g.event["data"]["customerGuid"] for g in got}) == 1000
    assert all(verify(hook["secret"], g.headers[HEADER], g.body) for g in got[:50])


def test_custreg_serve_runs_a_worker_beside_the_api(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(WORKER_ENV, CUSTREG_DATABASE_URL=database_url, CUSTREG_ADMIN_TOKEN=ADMIN, CUSTREG_DATA_DIR=str(tmp_path))
    with receiver() as rec, custreg_serve(env, tmp_path) as served, httpx.Client(base_url=served.base) as http:
        http.headers.update(bearer(ADMIN))
        cuid = new_company(http)
        add_webhook(http, cuid, rec.url + "/served")
        made = http.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Rantanen"}).json()
        (got,) = rec.wait("/served", lambda seen: len(seen) >= 1)
    assert got.event["data"]["customerGuid"] == made["customerGuid"]


def test_prune_removes_old_events_with_their_finished_deliveries(events_client, hooks, database_url):  # noqa: F811
    cuid, path, hook = _hook(events_client, hooks)
    events_client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Karjalainen"})
    hooks.wait(path, lambda seen: len(seen) >= 1)
    log = f"/v1/companies/{cuid}/webhooks/{hook['id']}/deliveries"
    for _ in range(600):  # the worker records the try just after the receiver answered
        if events_client.get(log, params={"status": "delivered"}).json()["value"]:
            break
        hooks.wait(path, lambda seen: True, timeout=0.1)
    done = custreg_cli(database_url, "prune", "--event-days", "0")
    assert done.returncode == 0, done.stderr
    assert events_client.get(log).json()["value"] == []
    r = events_client.post(f"/v1/companies/{cuid}/webhooks/{hook['id']}/replay", json={"since": "2000-01-01T00:00:00Z"})
    assert r.json()["queued"] == 0
