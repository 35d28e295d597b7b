"""Idempotency-Key on every creating POST (contract section 2)."""

import threading
import uuid

import pytest
from conftest import assert_problem, new_company
from sqlalchemy import update
from sync_util import http, live_server


def count(client, url) -> int:
    r = client.get(f"{url}/count", params={"includeExcluded": "true"})
    assert r.status_code == 200, r.text
    return r.json()["count"]


def test_repeat_returns_the_first_response_and_creates_nothing(client, customers_url):
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = {"lastName": "Korhonen", "email": "k@example.fi"}
    first = client.post(customers_url, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = client.post(
        customers_url, json={"email": "k@example.fi", "lastName": "Korhonen"}, headers=key
    )  # same body, other key order
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert count(client, customers_url) == 1

    other = client.post(customers_url, json={"lastName": "Someone else"}, headers=key)
    assert_problem(other, 409, "Idempotency-Key")
    assert count(client, customers_url) == 1

    assert client.post(customers_url, json=body).status_code == 201  # no key: a new one
    assert client.post(customers_url, json=body, headers={"Idempotency-Key": "another"}).status_code == 201
    assert count(client, customers_url) == 3


def test_keys_are_per_company(client, customers_url):
    key = {"Idempotency-Key": "same-key"}
    other_url = f"/v1/companies/{new_company(client)}/customers"
    a = client.post(customers_url, json={"lastName": "A"}, headers=key)
    b = client.post(other_url, json={"lastName": "A"}, headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json()["customerGuid"] != b.json()["customerGuid"]


def test_a_failed_request_stores_nothing(client, customers_url):
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    bad = client.post(customers_url, json={"firstName": "No last name"}, headers=key)
    assert_problem(bad, 422)
    good = client.post(customers_url, json={"lastName": "Fixed"}, headers=key)
    assert good.status_code == 201, good.text
    assert count(client, customers_url) == 1


def test_every_creating_post_honours_it(client, customers_url):
    """Generic: records of other domains and companies too, not just customers."""
    c = client.post(customers_url, json={"lastName": "Records"}).json()
    url = f"{customers_url}/{c['customerGuid']}/addresses"
    key = {"Idempotency-Key": f"a-{uuid.uuid4()}"}
    first = client.post(url, json={"addressType": "DELIVERY", "city": "Oulu"}, headers=key)
    again = client.post(url, json={"addressType": "DELIVERY", "city": "Oulu"}, headers=key)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    assert client.get(url).json()["total"] == 1
    assert_problem(client.post(url, json={"addressType": "DELIVERY", "city": "Kemi"}, headers=key), 409)

    cuid = f"co-{uuid.uuid4().hex[:10]}"
    key = {"Idempotency-Key": f"c-{uuid.uuid4()}"}
    body = {"cuid": cuid, "name": "Idem Oy", "countryCode": "FI"}
    assert client.post("/v1/companies", json=body, headers=key).status_code == 201
    replay = client.post("/v1/companies", json=body, headers=key)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"


def test_an_expired_key_can_be_used_again(app, client, customers_url):
    from custreg.db.idempotency import IdempotencyKey

    key = f"old-{uuid.uuid4()}"
    assert client.post(customers_url, json={"lastName": "Old"}, headers={"Idempotency-Key": key}).status_code == 201
    with app.state.db.session(write=True) as s:
        s.execute(update(IdempotencyKey).where(IdempotencyKey.key == key).values(expires_at=IdempotencyKey.created_at))
        s.commit()
    r = client.post(customers_url, json={"lastName": "New"}, headers={"Idempotency-Key": key})
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert count(client, customers_url) == 2


def test_bad_keys_are_400(client, customers_url):
    assert_problem(
        client.post(customers_url, json={"lastName": "X"}, headers={"Idempotency-Key": "x" * 256}),
        400,
        "Idempotency-Key",
    )


@pytest.mark.timeout(900)
def test_concurrent_repeats_create_one_customer(database_url, client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    with live_server(database_url, workers=2) as base:

        def send(barrier, results, body, key):
            with http(base) as h:
                barrier.wait()
                results.append(h.post(url, json=body, headers=key))

        for round_ in range(5):
            key = {"Idempotency-Key": f"race-{round_}-{uuid.uuid4()}"}
            body = {"lastName": f"Race {round_}", "cellularPhone": "+358401234567"}
            barrier = threading.Barrier(6)
            results = []
            threads = [threading.Thread(target=send, args=(barrier, results, body, key)) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert [r.status_code for r in results] == [201] * 6, [r.text for r in results]
            assert len({r.json()["customerGuid"] for r in results}) == 1
            assert len({r.headers["location"] for r in results}) == 1
            with http(base) as h:
                assert_problem(h.post(url, json={"lastName": "Different"}, headers=key), 409)
    assert count(client, url) == 5
