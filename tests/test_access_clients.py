"""API clients, POST /oauth/token, scopes and company grants, revocation."""

import base64
import time

import jwt
import pytest
from access_util import bearer, new_client, token_for
from conftest import assert_problem, create_customer, new_company


@pytest.fixture
def reader(client, company):
    return new_client(client, [company], ["customers:read"], name="reader")


def test_read_client_lists_and_gets_but_cannot_create_or_touch_other_company(
    client, anon, company, customers_url, reader
):
    other = new_company(client)
    c = create_customer(client, customers_url, lastName="Korhonen")
    other_c = create_customer(client, f"/v1/companies/{other}/customers", lastName="Muu")
    h = bearer(token_for(anon, reader))

    r = anon.get(customers_url, headers=h)
    assert r.status_code == 200, r.text
    assert [x["lastName"] for x in r.json()["value"]] == ["Korhonen"]
    r = anon.get(f"{customers_url}/{c['customerNumber']}", headers=h)
    assert r.status_code == 200 and r.json()["customerGuid"] == c["customerGuid"]

    assert_problem(anon.post(customers_url, json={"lastName": "Uusi"}, headers=h), 403)
    assert_problem(anon.patch(f"{customers_url}/{c['customerNumber']}", json={"firstName": "X"}, headers=h), 403)
    assert_problem(anon.delete(f"{customers_url}/{c['customerNumber']}", headers=h), 403)
    # Another company: 403, and nothing of it in the body.
    for path in (
        f"/v1/companies/{other}/customers",
        f"/v1/companies/{other}/customers/{other_c['customerNumber']}",
        f"/v1/companies/{other}",
    ):
        r = anon.get(path, headers=h)
        body = assert_problem(r, 403)
        assert "Muu" not in r.text and other_c["customerGuid"] not in r.text, body
    # A company that does not exist is no different from one not granted.
    assert_problem(anon.get("/v1/companies/no-such-co/customers", headers=h), 403)
    # Companies: only the granted one.
    r = anon.get("/v1/companies", headers=h)
    assert r.status_code == 200 and [x["cuid"] for x in r.json()["value"]] == [company]
    assert r.json()["total"] == 1
    assert anon.get(f"/v1/companies/{company}", headers=h).status_code == 200
    # Admin endpoints.
    assert_problem(anon.get("/v1/clients", headers=h), 403)
    assert_problem(anon.post("/v1/companies", json={"cuid": "x-y", "name": "X", "countryCode": "FI"}, headers=h), 403)


def test_write_client_creates(client, anon, company, customers_url):
    writer = new_client(client, [company], ["customers:read", "customers:write"])
    h = bearer(token_for(anon, writer))
    r = anon.post(customers_url, json={"lastName": "Kirjoittaja"}, headers=h)
    assert r.status_code == 201, r.text
    number = r.json()["customerNumber"]
    r = anon.patch(f"{customers_url}/{number}", json={"email": "k@example.fi"}, headers=h)
    assert r.status_code == 200 and r.json()["email"] == "k@example.fi"
    assert_problem(anon.delete(f"{customers_url}/{number}", headers=h), 403)


def test_token_scope_parameter_narrows_and_unknown_scope_is_invalid_scope(client, anon, company, customers_url):
    writer = new_client(client, [company], ["customers:read", "customers:write"])
    h = bearer(token_for(anon, writer, scope="customers:read"))
    assert anon.get(customers_url, headers=h).status_code == 200
    assert_problem(anon.post(customers_url, json={"lastName": "X"}, headers=h), 403)
    r = anon.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": writer["clientId"],
            "client_secret": writer["clientSecret"],
            "scope": "customers:read admin",
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


def test_revoked_client_token_is_401_at_once(client, anon, company, customers_url, reader):
    token = token_for(anon, reader)
    assert anon.get(customers_url, headers=bearer(token)).status_code == 200
    r = client.delete(f"/v1/clients/{reader['clientId']}")
    assert r.status_code == 204
    r = anon.get(customers_url, headers=bearer(token))
    body = assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in body["detail"]
    # Also where the scope would have been missing (401 wins over 403), and no new token.
    assert_problem(anon.post(customers_url, json={"lastName": "X"}, headers=bearer(token)), 401)
    r = anon.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": reader["clientId"],
            "client_secret": reader["clientSecret"],
        },
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    listed = {c["clientId"]: c for c in client.get("/v1/clients?$top=100").json()["value"]}
    assert listed[reader["clientId"]]["revokedAt"] is not None
    assert_problem(client.delete("/v1/clients/cl_nosuchclient"), 404)


def test_bad_secret_and_unknown_client_answer_alike(anon, reader):
    bad = anon.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": reader["clientId"], "client_secret": "wrong"},
    )
    unknown = anon.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "cl_doesnotexist", "client_secret": "wrong"},
    )
    for r in (bad, unknown):
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert r.headers["cache-control"] == "no-store"
        assert set(r.json()) == {"error", "error_description"}
        assert r.json()["error"] == "invalid_client"
    assert bad.json() == unknown.json()


def test_oauth_request_errors(anon, reader):
    def post(data=None, **kw):
        return anon.post("/oauth/token", data=data, **kw)

    r = post({"client_id": reader["clientId"], "client_secret": reader["clientSecret"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = post({"grant_type": "password", "username": "a", "password": "b"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = anon.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = post({"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = anon.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&grant_type=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = anon.post(
        "/oauth/token", content=b"\xff\xfe=\xff", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # HTTP Basic client authentication works too.
    basic = base64.b64encode(f"{reader['clientId']}:{reader['clientSecret']}".encode()).decode()
    r = anon.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    r = anon.post("/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic !!!"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_missing_invalid_and_expired_tokens_are_401(app, anon, customers_url, reader):
    assert_problem(anon.get(customers_url), 401)
    assert_problem(anon.get(customers_url, headers=bearer("nonsense")), 401)
    assert_problem(anon.get(customers_url, headers=bearer("a.b.c")), 401)
    token = token_for(anon, reader)
    claims = jwt.decode(token, options={"verify_signature": False})
    key = app.state.auth.keys.get()
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, key, algorithm="HS256"
    )
    body = assert_problem(anon.get(customers_url, headers=bearer(expired)), 401)
    assert "expired" in body["detail"]
    # Forged: more companies, signed with another key.
    forged = jwt.encode({**claims, "cuids": ["other"], "scope": "admin"}, "x" * 40, algorithm="HS256")
    assert_problem(anon.get("/v1/clients", headers=bearer(forged)), 401)
    none_alg = jwt.encode({**claims, "scope": "admin"}, None, algorithm="none")
    assert_problem(anon.get("/v1/clients", headers=bearer(none_alg)), 401)


def test_client_admin_validation_and_secret_never_listed(client, anon, company):
    r = client.post("/v1/clients", json={"name": "x", "companies": [company], "scopes": ["root"]})
    assert_problem(r, 422, "scopes")
    r = client.post("/v1/clients", json={"name": "x", "companies": ["no-such-co"], "scopes": ["customers:read"]})
    assert_problem(r, 422, "companies")
    r = client.post("/v1/clients", json={"name": "x", "companies": ["Bad Cuid"], "scopes": ["customers:read"]})
    assert_problem(r, 422)
    r = client.post("/v1/clients", json={"name": "", "companies": [], "scopes": []})
    assert_problem(r, 422)
    created = new_client(client, [company], ["customers:read"])
    assert created["clientSecret"] and created["clientId"].startswith("cl_")
    listed = client.get("/v1/clients?$top=100").json()
    assert created["clientSecret"] not in str(listed)
    assert all("clientSecret" not in c and "secretHash" not in c for c in listed["value"])
    r = client.get(f"/v1/clients/{created['clientId']}")
    assert r.status_code == 200 and "clientSecret" not in r.json()
    assert_problem(anon.get("/v1/clients"), 401)


def test_every_endpoint_declares_one_scope():
    """One dependency (access.context.requires) enforces scope and company: each endpoint
    must name exactly one scope; only the token endpoint is open."""
    from fastapi.routing import APIRoute

    from custreg.routers import ROUTERS

    def scopes_of(dependant):
        found = []
        for d in dependant.dependencies:
            if getattr(d.call, "required_scope", None):
                found.append(d.call.required_scope)
            found += scopes_of(d)
        return found

    open_paths = {"/oauth/token"}
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                declared = scopes_of(route.dependant)
                if route.path in open_paths:
                    assert declared == [], route.path
                else:
                    assert len(declared) == 1, (route.path, route.methods, declared)


def test_admin_scoped_client_cannot_grant_beyond_its_companies(client, anon, company):
    other = new_company(client)
    boss = new_client(client, [company], ["admin", "customers:read"])
    h = bearer(token_for(anon, boss))
    r = anon.post("/v1/clients", json={"name": "sub", "companies": [company], "scopes": ["customers:read"]}, headers=h)
    assert r.status_code == 201, r.text
    r = anon.post(
        "/v1/clients", json={"name": "escalate", "companies": [company, other], "scopes": ["customers:read"]}, headers=h
    )
    assert_problem(r, 403)
    foreign = new_client(client, [other], ["customers:read"])
    # Another company's client is not there for a company administrator (docs/access.md).
    assert_problem(anon.delete(f"/v1/clients/{foreign['clientId']}", headers=h), 404)


def test_hostile_client_input_is_never_a_5xx(client, anon):
    r = client.post("/v1/clients", json={"name": "a\x00b", "companies": [], "scopes": ["admin"]})
    assert_problem(r, 422, "name")
    assert client.get("/v1/clients/cl_%00x").status_code in (400, 404)  # NUL: refused early
    assert_problem(client.delete("/v1/clients/" + "x" * 300), 404)
    for cid in ("cl_\x00", "ä" * 10, "x" * 5000):
        r = anon.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": cid, "client_secret": "s"})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = anon.post("/oauth/token", content=b"a" * 9000, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code in (400, 413)
