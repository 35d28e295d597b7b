"""The privilege model (docs/access.md): the platform administers companies and every API
client; a company's administrator only the clients of its own companies, granting no more
than it holds, and sees nothing of other companies."""

import pytest
from access_util import bearer, new_client, token_for
from conftest import assert_problem, new_company


@pytest.fixture
def two_companies(client):
    return new_company(client), new_company(client)


@pytest.fixture
def company_admin(client, anon, two_companies):
    """A client administering company A (with read on it) and a token of it."""
    a, _b = two_companies
    boss = new_client(client, [a], ["admin", "customers:read"], name="admin of A")
    return boss, bearer(token_for(anon, boss))


def test_company_admin_creates_within_its_own_grants_only(client, anon, two_companies, company_admin):
    a, b = two_companies
    _boss, h = company_admin
    made = anon.post("/v1/clients", json={"name": "reader", "companies": [a], "scopes": ["customers:read"]}, headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["companies"] == [a] and made.json()["scopes"] == ["customers:read"]
    refused = [
        ({"companies": [b], "scopes": ["customers:read"]}, "companies"),
        ({"companies": [a, b], "scopes": ["customers:read"]}, "companies"),
        ({"companies": [], "scopes": ["customers:read"]}, "companies"),
        ({"companies": [a], "scopes": ["customers:write"]}, "scopes"),  # not its own
        ({"companies": [a], "scopes": ["platform:admin"]}, "scopes"),
        ({"companies": [a], "scopes": ["admin", "customers:delete"]}, "scopes"),
    ]
    for body, field in refused:
        assert_problem(anon.post("/v1/clients", json={"name": "x", **body}, headers=h), 403, field)
    # Unknown scope names are a validation error, as for the platform.
    assert_problem(
        anon.post("/v1/clients", json={"name": "x", "companies": [a], "scopes": ["nope"]}, headers=h), 422, "scopes"
    )


def test_company_admin_sees_and_manages_only_clients_of_its_companies(client, anon, two_companies, company_admin):
    a, b = two_companies
    boss, h = company_admin
    own = new_client(client, [a], ["customers:read"], name="own")
    foreign = new_client(client, [b], ["customers:read"], name="foreign")
    shared = new_client(client, [a, b], ["customers:read"], name="shared")  # also reaches B
    stronger = new_client(client, [a], ["customers:read", "customers:write"], name="wider than the admin")
    platform = new_client(client, [a], ["platform:admin"], name="platform")
    nowhere = new_client(client, [], ["customers:read"], name="no company")

    listed, skip = [], 0
    while True:
        page = anon.get(f"/v1/clients?$top=100&$skip={skip}", headers=h)
        assert page.status_code == 200, page.text
        listed += [c["clientId"] for c in page.json()["value"]]
        if not page.json().get("nextLink"):
            break
        skip += 100
    assert page.json()["total"] == len(listed)
    assert own["clientId"] in listed and boss["clientId"] in listed
    for hidden in (foreign, shared, stronger, platform, nowhere):
        assert hidden["clientId"] not in listed
        cid = hidden["clientId"]
        assert_problem(anon.get(f"/v1/clients/{cid}", headers=h), 404)
        assert_problem(anon.patch(f"/v1/clients/{cid}", json={"name": "mine now"}, headers=h), 404)
        assert_problem(anon.delete(f"/v1/clients/{cid}", headers=h), 404)
        still = client.get(f"/v1/clients/{cid}").json()
        assert still["revokedAt"] is None and still["name"] == hidden["name"]

    assert anon.get(f"/v1/clients/{own['clientId']}", headers=h).status_code == 200
    # Its own client: may rename and narrow it, not widen it beyond the admin's grants.
    r = anon.patch(f"/v1/clients/{own['clientId']}", json={"name": "renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "renamed"
    assert_problem(anon.patch(f"/v1/clients/{own['clientId']}", json={"companies": [a, b]}, headers=h), 403)
    assert_problem(anon.patch(f"/v1/clients/{own['clientId']}", json={"scopes": ["customers:write"]}, headers=h), 403)
    assert anon.delete(f"/v1/clients/{own['clientId']}", headers=h).status_code == 204


def test_company_admin_cannot_create_companies_or_read_platform_figures(client, anon, company_admin):
    _boss, h = company_admin
    r = anon.post(
        "/v1/companies", json={"cuid": "co-escalate", "name": "Escalation Oy", "countryCode": "FI"}, headers=h
    )
    assert_problem(r, 403)
    assert client.get("/v1/companies/co-escalate").status_code == 404
    assert_problem(anon.get("/metrics", headers=h), 403)


def test_company_admin_sees_only_its_companies(client, anon, two_companies, company_admin):
    a, b = two_companies
    _boss, h = company_admin
    r = anon.get("/v1/companies?$top=100", headers=h)
    assert r.status_code == 200 and [c["cuid"] for c in r.json()["value"]] == [a]
    assert_problem(anon.get(f"/v1/companies/{b}", headers=h), 403)
    assert_problem(anon.get(f"/v1/companies/{b}/customers", headers=h), 403)


def test_platform_admin_client_administers_everything(client, anon, two_companies):
    a, b = two_companies
    platform = new_client(client, [], ["platform:admin"], name="platform operator")
    h = bearer(token_for(anon, platform))
    made = anon.post("/v1/companies", json={"cuid": f"{a}-p", "name": "Platform Oy", "countryCode": "FI"}, headers=h)
    assert made.status_code == 201, made.text
    other = new_client(client, [b], ["customers:write"])
    assert anon.get(f"/v1/clients/{other['clientId']}", headers=h).status_code == 200
    r = anon.post(
        "/v1/clients", json={"name": "any", "companies": [a, b, f"{a}-p"], "scopes": ["customers:delete"]}, headers=h
    )
    assert r.status_code == 201, r.text
    assert anon.patch(f"/v1/clients/{other['clientId']}", json={"companies": [a]}, headers=h).status_code == 200
    assert anon.delete(f"/v1/clients/{other['clientId']}", headers=h).status_code == 204
    assert anon.get("/metrics", headers=h).status_code == 200
    # Administration is not data: no customer scope, no customers.
    assert_problem(anon.get(f"/v1/companies/{a}/customers", headers=h), 403)


def test_bootstrap_admin_token_is_the_platform(client, two_companies):
    a, b = two_companies
    r = client.post("/v1/clients", json={"name": "p", "companies": [a, b], "scopes": ["platform:admin", "admin"]})
    assert r.status_code == 201 and sorted(r.json()["scopes"]) == ["admin", "platform:admin"]
    assert client.get("/metrics").status_code == 200
    r = client.patch(f"/v1/clients/{r.json()['clientId']}", json={"scopes": ["nope"]})
    assert_problem(r, 422, "scopes")
