"""CLVR custom service definitions (seed 002, issues 24 and 25; docs/events.md, "Services"):
a company's services called signed with the customer and a JSON body, synchronously (the
service's answer is the answer) or `async` (the worker calls it; the invocation is polled),
against a real receiver on 127.0.0.1 and a real `custreg worker`."""

import json
import time
import uuid

import pytest
from access_util import bearer, own_app
from conftest import ADMIN, new_company
from events_util import KEY, events_client, receiver, worker  # noqa: F401 - a fixture
from sqlalchemy import create_engine, text
from sync_util import custreg_cli

from custreg.events.verify import HEADER, verify


@pytest.fixture(scope="module")
def service_host(database_url):
    """One receiver and one worker for the module (each test has its own path)."""
    with receiver() as rec, worker(database_url) as start:
        start()
        yield rec


def _echo(_path: str, body: bytes) -> bytes:
    sent = json.loads(body)
    customer = sent["customer"]
    return json.dumps(
        {
            "got": sent["body"],
            "customerGuid": customer["customerGuid"] if customer else None,
            "invocationId": sent["invocationId"],
        }
    ).encode()


def _service(client, rec, **fields) -> tuple[str, str, dict]:
    cuid = new_company(client)
    path = f"/{uuid.uuid4().hex}"
    name = f"score-{uuid.uuid4().hex[:6]}"
    r = client.post(f"/v1/companies/{cuid}/services", json={"name": name, "url": rec.url + path, **fields})
    assert r.status_code == 201, r.text
    return cuid, path, r.json()


def _customer(client, cuid: str) -> dict:
    r = client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Virtanen", "firstName": "Aino"})
    assert r.status_code == 201, r.text
    return r.json()


def _invoke(client, cuid: str, name: str, guid: str | None = None, body=None, **params):
    where = f"/customers/{guid}" if guid else ""
    return client.post(
        f"/compat/clvr{where}/servicedefinitions/{name}/invoke", json=body, params=params, headers={"X-Company": cuid}
    )


def test_a_synchronous_invoke_returns_the_services_answer_signed(events_client, service_host):  # noqa: F811
    service_host.reply = _echo
    cuid, path, defined = _service(events_client, service_host, description="Credit score")
    assert defined["secret"].startswith("whsec_")
    customer = _customer(events_client, cuid)
    body = {"name1": "string", "name2": False, "name3": {"name4": ["string", "string"]}}  # the seed's sample
    r = _invoke(events_client, cuid, defined["name"], customer["customerGuid"], body)
    assert r.status_code == 200, r.text
    assert r.json()["got"] == body and r.json()["customerGuid"] == customer["customerGuid"]
    (got,) = service_host.at(path)
    assert verify(defined["secret"], got.headers[HEADER], got.body)
    sent = json.loads(got.body)
    assert sent["serviceDefinition"] == defined["name"] and sent["company"] == cuid
    assert sent["customer"] == events_client.get(f"/v1/companies/{cuid}/customers/{customer['customerGuid']}").json()
    assert got.headers["Custreg-Invocation-Id"] == sent["invocationId"] == r.json()["invocationId"]
    # The global operation sends no customer; the native invoke is the same call.
    r = _invoke(events_client, cuid, defined["name"], body={"x": 1})
    assert r.status_code == 200 and r.json()["got"] == {"x": 1} and r.json()["customerGuid"] is None
    r = events_client.post(f"/v1/companies/{cuid}/services/{defined['name']}/invoke", json=[1, 2])
    assert r.status_code == 200 and r.json()["got"] == [1, 2]
    assert len(service_host.at(path)) == 3


def test_the_secret_is_shown_once_and_stored_sealed(events_client, service_host, database_url):  # noqa: F811
    cuid, _path, defined = _service(events_client, service_host)
    shown = events_client.get(f"/v1/companies/{cuid}/services/{defined['name']}")
    assert shown.status_code == 200 and "secret" not in shown.json()
    assert [s["name"] for s in events_client.get(f"/v1/companies/{cuid}/services").json()["value"]] == [defined["name"]]
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT secret FROM service_definitions WHERE name = :n"), {"n": defined["name"]}
            ).scalar_one()
    finally:
        engine.dispose()
    assert defined["secret"] not in stored
    rotated = events_client.post(f"/v1/companies/{cuid}/services/{defined['name']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != defined["secret"]
    again = events_client.post(f"/v1/companies/{cuid}/services", json={"name": defined["name"], "url": defined["url"]})
    assert again.status_code == 409, again.text


def test_an_async_invoke_reaches_the_service_through_the_worker(events_client, service_host):  # noqa: F811
    service_host.reply = _echo
    cuid, path, defined = _service(events_client, service_host)
    customer = _customer(events_client, cuid)
    r = _invoke(events_client, cuid, defined["name"], customer["customerGuid"], {"amount": 5}, **{"async": "true"})
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["status"] == "pending" and queued["customerGuid"] == customer["customerGuid"]
    poll = r.headers["Location"]
    assert poll == f"/compat/clvr/servicedefinitions/invocations/{queued['invocationId']}"
    (got,) = service_host.wait(path, lambda seen: len(seen) >= 1)
    assert verify(defined["secret"], got.headers[HEADER], got.body)
    assert json.loads(got.body)["invocationId"] == queued["invocationId"]
    shown = _poll(events_client, poll, cuid)
    assert shown["status"] == "done" and shown["tries"] == 1 and shown["statusCode"] == 200
    assert shown["answer"] == {
        "got": {"amount": 5},
        "customerGuid": customer["customerGuid"],
        "invocationId": queued["invocationId"],
    }
    native = events_client.get(f"/v1/companies/{cuid}/services/invocations/{queued['invocationId']}")
    assert native.status_code == 200 and native.json() == shown


def test_an_async_invoke_is_retried_until_the_service_answers(events_client, service_host):  # noqa: F811
    cuid, path, defined = _service(events_client, service_host)
    tries: list[int] = []

    def answer(p: str, _body: bytes) -> int:
        if p != path:
            return 200
        tries.append(1)
        return 500 if len(tries) <= 2 else 200

    service_host.answer = answer
    try:
        r = _invoke(events_client, cuid, defined["name"], body={"n": 1}, **{"async": "true"})
        assert r.status_code == 202, r.text
        shown = _poll(events_client, r.headers["Location"], cuid)
    finally:
        service_host.answer = lambda _p, _b: 200
    assert shown["status"] == "done" and shown["tries"] == 3
    got = service_host.at(path)
    assert len(got) == 3 and len({g.body for g in got}) == 1  # the same call every try


def test_a_service_answering_500_is_a_502_problem(events_client, service_host):  # noqa: F811
    cuid, path, defined = _service(events_client, service_host)
    service_host.answer = lambda p, _b: 500 if p == path else 200
    try:
        r = _invoke(events_client, cuid, defined["name"], body={})
    finally:
        service_host.answer = lambda _p, _b: 200
    assert r.status_code == 502, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "service_failed" and problem["serviceStatus"] == 500
    assert problem["serviceDefinition"] == defined["name"] and problem["serviceAnswer"].startswith("try again")
    service_host.reply = lambda _p, _b: b"<html>not json</html>"
    try:
        r = _invoke(events_client, cuid, defined["name"], body={})
    finally:
        service_host.reply = _echo
    assert r.status_code == 502 and "not JSON" in r.json()["detail"]


def test_a_service_that_does_not_answer_in_time_is_a_504(database_url, service_host):
    with own_app(database_url, webhook_allow_private=True, webhook_secret_key=KEY, webhook_timeout_seconds=0.3) as c:
        c.headers.update(bearer(ADMIN))
        cuid, path, defined = _service(c, service_host)

        def slow(p: str, _body: bytes) -> int:
            if p == path:
                time.sleep(1.5)
            return 200

        service_host.answer = slow
        try:
            r = _invoke(c, cuid, defined["name"], body={})
        finally:
            service_host.answer = lambda _p, _b: 200
        assert r.status_code == 504, r.text
        assert r.json()["code"] == "service_timeout"


def test_a_private_url_is_refused_unless_allowed(database_url, service_host):
    with own_app(database_url, webhook_secret_key=KEY) as strict:
        strict.headers.update(bearer(ADMIN))
        cuid = new_company(strict)
        for url in (service_host.url + "/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/"):
            r = strict.post(f"/v1/companies/{cuid}/services", json={"name": "s", "url": url})
            assert r.status_code == 422, (url, r.text)
            assert r.json()["errors"][0]["field"] == "url"
        assert (
            strict.post(f"/v1/companies/{cuid}/services", json={"name": "s", "url": "https://8.8.8.8/hook"}).status_code
            == 201
        )
        r = strict.patch(f"/v1/companies/{cuid}/services/s", json={"url": "https://192.168.0.1/"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "url"


def test_another_company_cannot_invoke_or_poll(events_client, service_host):  # noqa: F811
    service_host.reply = _echo
    cuid, path, defined = _service(events_client, service_host)
    customer = _customer(events_client, cuid)
    other = new_company(events_client)
    r = _invoke(events_client, other, defined["name"], body={})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    other_customer = _customer(events_client, other)
    r = _invoke(events_client, cuid, defined["name"], other_customer["customerGuid"], {})
    assert r.status_code == 404  # a customer of another company is not found either
    r = _invoke(events_client, cuid, defined["name"], customer["customerGuid"], {}, **{"async": "true"})
    assert r.status_code == 202
    poll = r.headers["Location"]
    assert events_client.get(poll, headers={"X-Company": other}).status_code == 404
    assert events_client.get(f"/v1/companies/{other}/services/{defined['name']}").status_code == 404
    assert _poll(events_client, poll, cuid)["status"] == "done"
    assert not [g for g in service_host.at(path) if json.loads(g.body)["company"] != cuid]


def test_erasure_forgets_the_customer_in_invocations_and_prune_removes_finished_ones(
    events_client,  # noqa: F811
    service_host,
    database_url,
):
    service_host.reply = _echo
    cuid, _path, defined = _service(events_client, service_host)
    customer = _customer(events_client, cuid)
    r = _invoke(events_client, cuid, defined["name"], customer["customerGuid"], {"n": 1}, **{"async": "true"})
    poll = r.headers["Location"]
    assert _poll(events_client, poll, cuid)["answer"]["customerGuid"] == customer["customerGuid"]
    base = f"/v1/companies/{cuid}/customers/{customer['customerGuid']}"
    assert events_client.post(f"{base}/erase", json={"reason": "GDPR art. 17"}).status_code == 200
    shown = events_client.get(poll, headers={"X-Company": cuid}).json()
    assert shown["status"] == "done" and shown["answer"] is None
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            body = conn.execute(  # the body names its invocation
                text("SELECT body FROM service_invocations WHERE body LIKE :id"),
                {"id": f"%{r.json()['invocationId']}%"},
            ).scalar_one()
    finally:
        engine.dispose()
    assert json.loads(body)["customer"] is None and "Virtanen" not in body
    done = custreg_cli(database_url, "prune", "--event-days", "0")
    assert done.returncode == 0, done.stderr
    assert events_client.get(poll, headers={"X-Company": cuid}).status_code == 404


def _poll(client, url: str, cuid: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url, headers={"X-Company": cuid})
        assert r.status_code == 200, r.text
        if r.json()["status"] != "pending" or time.monotonic() > deadline:
            return r.json()
        time.sleep(0.1)
