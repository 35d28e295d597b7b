"""Self-service within one company (docs/access.md): a user reaches the customers of the
company its token names, else of the company that attached its user id first; another
company attaching the same id changes nothing for that user."""

import time
import uuid

import jwt
import pytest
from access_util import IDP, bearer, own_app
from conftest import assert_problem, create_customer, new_company


@pytest.fixture(scope="module")
def idp_http(database_url):
    with own_app(database_url, rate_limit_per_second=0, **IDP) as http:
        yield http


def user_token(sub: str, **claims) -> str:
    base = {"iss": IDP["idp_issuer"], "aud": IDP["idp_audience"], "sub": sub, "exp": int(time.time()) + 600}
    return jwt.encode({**base, **claims}, IDP["idp_hs256_secret"], algorithm="HS256")


def test_another_company_attaching_the_user_changes_nothing(client, idp_http):
    a, b = new_company(client), new_company(client)
    user = f"shared-{uuid.uuid4().hex[:8]}"
    mine = create_customer(client, f"/v1/companies/{a}/customers", lastName="Oma", attachedUsers=[user])
    h = bearer(user_token(user))
    before = idp_http.get("/v1/customer/info", headers=h)
    assert before.status_code == 200 and before.json()["company"] == a

    # Company B attaches the same user id, twice even.
    for name in ("Vieras", "Toinen vieras"):
        create_customer(client, f"/v1/companies/{b}/customers", lastName=name, attachedUsers=[user])
    after = idp_http.get("/v1/customer/info", headers=h)
    assert after.status_code == 200, after.text
    assert after.json() == before.json()
    assert_problem(idp_http.get(f"/v1/customer/info?company={b}", headers=h), 404)
    assert_problem(idp_http.post(f"/v1/customer/info?company={b}", json={"name": {"lastName": "X"}}, headers=h), 404)
    r = idp_http.post("/v1/customer/info", json={"name": {"lastName": "Päivitetty"}}, headers=h)
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/companies/{a}/customers/{mine['customerNumber']}").json()["lastName"] == "Päivitetty"
    theirs = client.get(f"/v1/companies/{b}/customers?$top=10").json()["value"]
    assert sorted(c["lastName"] for c in theirs) == ["Toinen vieras", "Vieras"]


def test_company_claim_picks_the_company(client, idp_http):
    a, b = new_company(client), new_company(client)
    user = f"claimed-{uuid.uuid4().hex[:8]}"
    create_customer(client, f"/v1/companies/{a}/customers", lastName="Aan", attachedUsers=[user])
    create_customer(client, f"/v1/companies/{b}/customers", lastName="Bee", attachedUsers=[user])
    for cuid, name in ((a, "Aan"), (b, "Bee")):
        r = idp_http.get("/v1/customer/info", headers=bearer(user_token(user, cuid=cuid)))
        assert r.status_code == 200 and r.json()["name"]["lastName"] == name and r.json()["company"] == cuid
    # The claim binds: the query cannot leave it.
    assert_problem(idp_http.get(f"/v1/customer/info?company={b}", headers=bearer(user_token(user, cuid=a))), 404)
    # A company with nothing attached to the user: 404, whatever other companies attach.
    c = new_company(client)
    assert_problem(idp_http.get("/v1/customer/info", headers=bearer(user_token(user, cuid=c))), 404)


def test_several_customers_within_the_company_still_need_a_number(client, idp_http):
    a, b = new_company(client), new_company(client)
    user = f"multi-{uuid.uuid4().hex[:8]}"
    one = create_customer(client, f"/v1/companies/{a}/customers", lastName="Yksi", attachedUsers=[user])
    create_customer(client, f"/v1/companies/{b}/customers", lastName="Muu", attachedUsers=[user])
    h = bearer(user_token(user))
    assert idp_http.get("/v1/customer/info", headers=h).json()["customerNumber"] == one["customerNumber"]
    create_customer(client, f"/v1/companies/{a}/customers", lastName="Kaksi", attachedUsers=[user])
    assert_problem(idp_http.get("/v1/customer/info", headers=h), 409, "customerNumber")
    r = idp_http.get(f"/v1/customer/info?customerNumber={one['customerNumber']}", headers=h)
    assert r.status_code == 200 and r.json()["company"] == a
