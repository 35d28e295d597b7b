"""Rate limits per client: 429 with Retry-After, other clients still served, shared through
Redis across workers (two app instances stand in for two worker processes)."""

import uuid

import pytest
from access_util import bearer, new_client, own_app, token_for
from conftest import ADMIN, assert_problem

from custreg.access.ratelimit import LocalBuckets, RateLimiter

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


def _flood(http, path, token, n) -> list:
    return [http.get(path, headers=bearer(token)) for _ in range(n)]


def test_flooding_one_client_gives_429_while_another_is_served(client, database_url, company):
    a = new_client(client, [company], ["customers:read"], name="flooder")
    b = new_client(client, [company], ["customers:read"], name="neighbour")
    path = f"/v1/companies/{company}/customers"
    with own_app(database_url, rate_limit_per_second=0.5, rate_limit_burst=5) as http:
        ta, tb = token_for(http, a), token_for(http, b)
        answers = _flood(http, path, ta, 8)
        assert [r.status_code for r in answers[:5]] == [200] * 5
        limited = answers[5]
        body = assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 1
        assert "Rate limit" in body["detail"]
        assert all(r.status_code == 429 for r in answers[5:])
        # Another client of the same app is still served.
        assert http.get(path, headers=bearer(tb)).status_code == 200
        # The admin token is never limited.
        assert all(r.status_code == 200 for r in _flood(http, path, ADMIN, 12))


def test_token_bucket_refills():
    now = [100.0]
    buckets = LocalBuckets(rate=2.0, burst=2)
    import custreg.access.ratelimit as rl

    real = rl.time.monotonic
    rl.time.monotonic = lambda: now[0]
    try:
        assert buckets.take("k") == 0 and buckets.take("k") == 0
        wait = buckets.take("k")
        assert 0 < wait <= 0.5
        now[0] += 0.5
        assert buckets.take("k") == 0
        assert buckets.take("other") == 0
    finally:
        rl.time.monotonic = real
    assert RateLimiter(0, 1, None).check("x") is None  # 0 turns limiting off


@pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_limit_holds_across_two_workers_with_redis(client, database_url, company):
    a = new_client(client, [company], ["customers:read"], name="two-workers")
    path = f"/v1/companies/{company}/customers"
    settings = {"rate_limit_per_second": 0.2, "rate_limit_burst": 6, "redis_url": REDIS_URL}
    with own_app(database_url, **settings) as w1, own_app(database_url, **settings) as w2:
        token = token_for(w1, a)
        statuses = []
        for i in range(12):  # alternate between the two workers
            statuses.append((w1 if i % 2 == 0 else w2).get(path, headers=bearer(token)).status_code)
        assert statuses.count(200) == 6, statuses  # one bucket of 6, not 6 per worker
        assert statuses[6:] == [429] * 6
        r = w2.get(path, headers=bearer(token))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # Without Redis each process would have allowed its own 6: the limit really is shared.
    with own_app(database_url, rate_limit_per_second=0.2, rate_limit_burst=6) as w3:
        assert w3.get(path, headers=bearer(token)).status_code == 200


def test_redis_down_falls_back_to_process_limits(client, database_url, company):
    a = new_client(client, [company], ["customers:read"])
    path = f"/v1/companies/{company}/customers"
    dead = f"redis://127.0.0.1:1/{uuid.uuid4().int % 10}"
    with own_app(database_url, rate_limit_per_second=0.5, rate_limit_burst=2, redis_url=dead) as http:
        token = token_for(http, a)
        statuses = [r.status_code for r in _flood(http, path, token, 3)]
        assert statuses == [200, 200, 429]
