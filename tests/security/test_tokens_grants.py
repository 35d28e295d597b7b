"""Tokens hold what their client holds now (docs/access.md): shrunk grants and revocation
take effect on the next request; claims are checked strictly, by type; POST /oauth/token
is rate-limited per client id and per source address."""

import time
import uuid

import jwt
import pytest
from access_util import IDP, bearer, new_client, own_app, token_for
from conftest import assert_problem, create_customer, new_company

SIGNING_KEY = "test-signing-key-" + "0" * 32
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="module")
def keyed(database_url):
    """An app whose client tokens are signed with a key the test knows, and an IdP."""
    with own_app(database_url, token_signing_key=SIGNING_KEY, rate_limit_per_second=0, **IDP) as http:
        yield http


def test_token_loses_scopes_and_companies_when_the_client_shrinks(client, anon):
    a, b = new_company(client), new_company(client)
    create_customer(client, f"/v1/companies/{b}/customers", lastName="Toinen")
    both = new_client(client, [a, b], ["customers:read", "customers:write"])
    h = bearer(token_for(anon, both))
    assert anon.post(f"/v1/companies/{a}/customers", json={"lastName": "Eka"}, headers=h).status_code == 201
    assert anon.get(f"/v1/companies/{b}/customers", headers=h).status_code == 200

    r = client.patch(f"/v1/clients/{both['clientId']}", json={"scopes": ["customers:read"], "companies": [a]})
    assert r.status_code == 200, r.text
    assert_problem(anon.post(f"/v1/companies/{a}/customers", json={"lastName": "Toka"}, headers=h), 403)
    assert_problem(anon.get(f"/v1/companies/{b}/customers", headers=h), 403)
    assert_problem(anon.get(f"/v1/companies/{b}", headers=h), 403)
    listed = anon.get("/v1/companies", headers=h).json()["value"]
    assert [c["cuid"] for c in listed] == [a]
    assert anon.get(f"/v1/companies/{a}/customers", headers=h).status_code == 200

    # Grants given back: the old token regains at most what it was issued with.
    client.patch(f"/v1/clients/{both['clientId']}", json={"scopes": ["customers:read", "customers:write", "admin"]})
    assert anon.post(f"/v1/companies/{a}/customers", json={"lastName": "Kolmas"}, headers=h).status_code == 201
    assert_problem(anon.get("/v1/clients", headers=h), 403)  # `admin` is not in the token
    client.patch(f"/v1/clients/{both['clientId']}", json={"companies": [a, b]})
    assert anon.get(f"/v1/companies/{b}/customers", headers=h).status_code == 200
    # A new token holds the new grants.
    assert anon.get("/v1/clients", headers=bearer(token_for(anon, both))).status_code == 200


def test_company_admin_token_loses_admin_at_once(client, anon):
    a = new_company(client)
    boss = new_client(client, [a], ["admin", "customers:read"])
    h = bearer(token_for(anon, boss))
    assert anon.get("/v1/clients", headers=h).status_code == 200
    client.patch(f"/v1/clients/{boss['clientId']}", json={"scopes": ["customers:read"]})
    assert_problem(anon.get("/v1/clients", headers=h), 403)
    body = {"name": "x", "companies": [a], "scopes": ["customers:read"]}
    assert_problem(anon.post("/v1/clients", json=body, headers=h), 403)
    client.delete(f"/v1/clients/{boss['clientId']}")
    assert_problem(anon.get(f"/v1/companies/{a}/customers", headers=h), 401)


def _client_token(**claims) -> str:
    now = int(time.time())
    base = {"iss": "custreg", "aud": "custreg-api", "typ": "client", "scope": "customers:read", "iat": now}
    return jwt.encode({**base, "exp": now + 600, **claims}, SIGNING_KEY, algorithm="HS256")


def _user_token(**claims) -> str:
    base = {"iss": IDP["idp_issuer"], "aud": IDP["idp_audience"], "sub": "u-strict", "exp": int(time.time()) + 600}
    return jwt.encode({**base, **claims}, IDP["idp_hs256_secret"], algorithm="HS256")


def test_claims_of_the_wrong_type_are_refused(client, keyed):
    a = new_company(client)
    reader = new_client(client, [a], ["customers:read"])
    path = f"/v1/companies/{a}/customers"
    good = _client_token(sub=reader["clientId"], cuids=[a])
    assert keyed.get(path, headers=bearer(good)).status_code == 200
    exp = int(time.time()) + 600
    for bad in (
        {"exp": str(exp)},
        {"exp": float("inf")},
        {"exp": 10**30},
        {"exp": True},
        {"iat": str(int(time.time()))},
        {"nbf": "0"},
        {"sub": 12345},
        {"cuids": [a, 7]},
        {"scope": ["customers:read"]},
    ):
        claims = {"sub": reader["clientId"], "cuids": [a], **bad}
        r = keyed.get(path, headers=bearer(_client_token(**claims)))
        assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"] == "Bearer"

    user = f"u-{uuid.uuid4().hex[:8]}"
    create_customer(client, f"{path}", lastName="Strict", attachedUsers=[user])
    assert keyed.get("/v1/customer/info", headers=bearer(_user_token(sub=user))).status_code == 200
    for bad in (
        {"exp": str(exp)},
        {"exp": f"{exp}.0"},
        {"iat": "now"},
        {"sub": 1},
        {"cuid": 5},
        {"cuid": "NOT A CUID"},
    ):
        assert_problem(keyed.get("/v1/customer/info", headers=bearer(_user_token(**{"sub": user, **bad}))), 401)


def _token_request(http, client_id: str, secret: str = "wrong"):
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return http.post("/oauth/token", data=data)


def test_token_endpoint_is_rate_limited_per_client_id(client, database_url):
    a = new_company(client)
    target = new_client(client, [a], ["customers:read"])
    other = new_client(client, [a], ["customers:read"])
    settings = {"token_rate_limit_per_second": 0.01, "token_rate_limit_burst": 3}
    with own_app(database_url, **settings) as http:
        answers = [_token_request(http, target["clientId"]) for _ in range(3)]
        assert [r.status_code for r in answers] == [401] * 3  # wrong secret, but counted
        limited = _token_request(http, target["clientId"], target["clientSecret"])  # even the right one
        body = assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 1 and "token" in body["detail"]
        assert limited.headers["Cache-Control"] == "no-store"
        # Guessing ids: each unknown id has its own bucket, the known client is unaffected.
        assert _token_request(http, other["clientId"], other["clientSecret"]).status_code == 200


def test_token_endpoint_is_rate_limited_per_source_address(client, database_url):
    settings = {"token_address_rate_limit_per_second": 0.01, "token_address_rate_limit_burst": 4}
    with own_app(database_url, **settings) as http:
        answers = [_token_request(http, f"cl_{uuid.uuid4().hex[:20]}") for _ in range(6)]
        assert [r.status_code for r in answers[:4]] == [401] * 4
        for r in answers[4:]:
            assert_problem(r, 429)
            assert int(r.headers["Retry-After"]) >= 1
        # Not even a body is read: malformed requests are limited too.
        assert_problem(http.post("/oauth/token", content=b"x"), 429)


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_token_limit_is_shared_by_workers_through_redis(client, database_url):
    cid = f"cl_{uuid.uuid4().hex[:20]}"
    settings = {"redis_url": REDIS_URL, "token_rate_limit_per_second": 0.01, "token_rate_limit_burst": 4}
    with own_app(database_url, **settings) as one, own_app(database_url, **settings) as two:
        statuses = [_token_request(http, cid).status_code for http in (one, two, one, two, one, two)]
    assert statuses == [401, 401, 401, 401, 429, 429]
