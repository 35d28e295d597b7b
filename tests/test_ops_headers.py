"""X-Request-Id on every answer, RateLimit-* on every answer to a rate-limited credential
(issue 22; docs/operations.md)."""

import re

import pytest
from access_util import bearer, new_client, own_app, token_for
from conftest import ADMIN, assert_problem, create_customer

REDIS_URL = "redis://127.0.0.1:6379/15"
GENERATED = re.compile(r"[0-9a-f]{32}")


def test_every_answer_has_a_request_id(client, anon, customers_url):
    made = create_customer(client, customers_url)
    answers = [
        anon.get("/health"),
        anon.get(customers_url),  # 401
        client.get(f"{customers_url}/999999"),  # 404
        client.get("/no/such/path"),  # 404 before any route
        client.get(f"{customers_url}/{made['customerNumber']}"),
        client.post(customers_url, json={"email": "x"}),  # 422
        anon.get("/problems/not_found"),
        anon.get("/openapi.json"),
        anon.post("/oauth/token", data={"grant_type": "password"}),
    ]
    ids = [r.headers.get("X-Request-Id") for r in answers]
    assert all(i and GENERATED.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("sent", ["abc-123", "0f8fa7d2-7ed1-4c35-9bb8-5e0b6d8e3f6c", "trace:1.2/x+y=z", "a" * 128])
def test_a_sent_request_id_is_echoed(anon, sent):
    assert anon.get("/health", headers={"X-Request-Id": sent}).headers["X-Request-Id"] == sent
    r = anon.get("/v1/companies", headers={"X-Request-Id": sent})  # a 401
    assert r.status_code == 401 and r.headers["X-Request-Id"] == sent


@pytest.mark.parametrize(
    "bad", ["a" * 129, "has space", 'quote"d', "semi;colon", "new\\nline", "ä-umlaut".encode(), "%0d%0aSet-Cookie: x"]
)
def test_a_bad_request_id_is_replaced(anon, bad):
    r = anon.get("/health", headers={"X-Request-Id": bad})
    assert r.status_code == 200 and GENERATED.fullmatch(r.headers["X-Request-Id"]), r.headers


def test_an_empty_request_id_is_replaced(anon):
    assert GENERATED.fullmatch(anon.get("/health", headers={"X-Request-Id": ""}).headers["X-Request-Id"])


def _limits(r) -> tuple[int, int, int]:
    return tuple(int(r.headers[f"RateLimit-{k}"]) for k in ("Limit", "Remaining", "Reset"))  # type: ignore[return-value]


def test_rate_limit_headers_count_down(client, database_url, company):
    made = new_client(client, [company], ["customers:read"])
    url = f"/v1/companies/{company}/customers"
    with own_app(database_url, rate_limit_per_second=0.5, rate_limit_burst=4) as http:
        h = bearer(token_for(http, made))
        answers = [http.get(url, headers=h) for _ in range(4)]
        assert [r.status_code for r in answers] == [200] * 4
        limits = [_limits(r) for r in answers]
        assert [lim for lim, _, _ in limits] == [4] * 4
        # Remaining counts down (a refill of 0.5/s may add one back between two requests).
        remaining = [rem for _, rem, _ in limits]
        assert remaining[0] == 3 and remaining[-1] <= 1 and remaining == sorted(remaining, reverse=True)
        # Reset: whole seconds until the bucket is full again, at most burst / rate.
        resets = [reset for _, _, reset in limits]
        assert all(1 <= s <= 8 for s in resets) and resets[-1] >= resets[0]
        # Any answer to the credential carries them: a 404, and the 429 itself.
        missing = http.get(f"{url}/999999", headers=h)
        assert missing.status_code in (404, 429) and _limits(missing)[0] == 4
        for _ in range(3):
            last = http.get(url, headers=h)
        assert_problem(last, 429)
        assert _limits(last)[:2] == (4, 0) and int(last.headers["Retry-After"]) >= 1
        assert last.headers["X-Request-Id"]


def test_unlimited_credentials_carry_no_rate_limit_headers(client, anon, database_url, company):
    """The admin token is never limited, and anonymous answers have no budget to report."""
    url = f"/v1/companies/{company}/customers"
    assert not any(k.lower().startswith("ratelimit-") for k in client.get(url).headers)
    assert not any(k.lower().startswith("ratelimit-") for k in anon.get(url).headers)
    made = new_client(client, [company], ["customers:read"])
    with own_app(database_url, rate_limit_per_second=0) as http:  # limits off
        r = http.get(url, headers=bearer(token_for(http, made)))
        assert r.status_code == 200 and "RateLimit-Limit" not in r.headers
        assert "RateLimit-Limit" not in http.get(url, headers=bearer(ADMIN)).headers


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_rate_limit_headers_come_from_the_shared_bucket_with_redis(client, database_url, company):
    made = new_client(client, [company], ["customers:read"])
    url = f"/v1/companies/{company}/customers"
    settings = {"rate_limit_per_second": 0.2, "rate_limit_burst": 6, "redis_url": REDIS_URL}
    with own_app(database_url, **settings) as w1, own_app(database_url, **settings) as w2:
        h = bearer(token_for(w1, made))
        answers = [(w1 if i % 2 == 0 else w2).get(url, headers=h) for i in range(7)]
    assert [r.status_code for r in answers] == [200] * 6 + [429]
    # One bucket for both workers: Remaining counts down across them (a refill of 0.2/s
    # may add one back), to 0 on the 429.
    remaining = [_limits(r)[1] for r in answers]
    assert remaining[0] == 5 and remaining[-1] == 0 and remaining == sorted(remaining, reverse=True), remaining
    assert all(_limits(r)[0] == 6 and 1 <= _limits(r)[2] <= 30 for r in answers)
