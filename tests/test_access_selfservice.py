"""Self-service (seed 004): an end user's token, attachedUsers, GET/POST /v1/customer/info."""

import time
import uuid

import jwt
import pytest
from access_util import IDP, bearer, own_app
from conftest import assert_problem, create_customer

from custreg.access.tokens import IdentityProvider
from custreg.settings import Settings


@pytest.fixture(scope="module")
def idp_http(database_url):
    with own_app(database_url, **IDP) as http:
        yield http


def user_token(sub: str, **claims) -> str:
    return (
        IdentityProvider(Settings(**IDP)).issue_dev_token(sub)
        if not claims
        else jwt.encode(
            {"iss": IDP["idp_issuer"], "aud": IDP["idp_audience"], "sub": sub, "exp": int(time.time()) + 600, **claims},
            IDP["idp_hs256_secret"],
            algorithm="HS256",
        )
    )


@pytest.fixture
def seven_and_eight(client, customers_url):
    """Customers 7 and 8 of a fresh company; user U is attached to 7 only."""
    user = f"user-{uuid.uuid4().hex[:8]}"
    made = [create_customer(client, customers_url, lastName=f"Asiakas{i}") for i in range(1, 9)]
    assert [c["customerNumber"] for c in made][6:] == [7, 8]
    r = client.patch(
        f"{customers_url}/7",
        json={
            "attachedUsers": [user],
            "firstName": "Ola",
            "lastName": "Nordmann",
            "cellularPhone": "+4791234567",
            "email": "ola@example.no",
            "invoiceEmailAddress": "faktura@example.no",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["attachedUsers"] == [user]
    client.patch(f"{customers_url}/8", json={"attachedUsers": ["someone-else"], "email": "eight@example.no"})
    return user


def test_user_sees_and_replaces_only_its_customer(client, idp_http, customers_url, seven_and_eight):
    user = seven_and_eight
    h = bearer(user_token(user))
    r = idp_http.get("/v1/customer/info", headers=h)
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["customerNumber"] == 7
    assert info["name"] == {"firstName": "Ola", "middleName": None, "lastName": "Nordmann", "companyName": None}
    assert info["phoneNumbers"] == [{"type": "MOBILE", "number": "+4791234567"}]
    assert info["emails"] == ["ola@example.no"]
    assert info["invoiceEmailAddress"] == "faktura@example.no"
    assert info["attachedUsers"] == [{"userId": user}]
    assert "eight@example.no" not in r.text and "someone-else" not in r.text

    # Replace: fields not sent become null.
    r = idp_http.post(
        "/v1/customer/info",
        headers=h,
        json={
            "name": {"firstName": "Kari", "lastName": "Hansen"},
            "phoneNumbers": [{"type": "HOME", "number": "+47 22 12 34 56"}],
        },
    )
    assert r.status_code == 200 and r.json() == {"success": True}
    c7 = client.get(f"{customers_url}/7").json()
    assert (c7["firstName"], c7["lastName"], c7["fullName"]) == ("Kari", "Hansen", "Kari Hansen")
    assert c7["homePhone"] == "+4722123456" and c7["cellularPhone"] is None
    assert c7["email"] is None and c7["invoiceEmailAddress"] is None
    assert c7["attachedUsers"] == [user]  # not writable by the user
    c8 = client.get(f"{customers_url}/8").json()
    assert c8["lastName"] == "Asiakas8" and c8["email"] == "eight@example.no"

    # Nothing of 8: naming it is a 404, as for any customer not attached.
    assert_problem(idp_http.get("/v1/customer/info?customerNumber=8", headers=h), 404)
    assert_problem(idp_http.post("/v1/customer/info?customerNumber=8", headers=h, json={}), 404)
    # And a user token reaches no company endpoint.
    assert_problem(idp_http.get(customers_url, headers=h), 403)
    assert_problem(idp_http.get(f"{customers_url}/8", headers=h), 403)


def test_empty_post_sets_last_name_dash(client, idp_http, customers_url, seven_and_eight):
    h = bearer(user_token(seven_and_eight))
    for body in (None, {}):
        r = (
            idp_http.post("/v1/customer/info", headers=h, json=body)
            if body is not None
            else idp_http.post("/v1/customer/info", headers=h)
        )
        assert r.status_code == 200, r.text
        c7 = client.get(f"{customers_url}/7").json()
        assert c7["lastName"] == "-" and c7["firstName"] is None and c7["email"] is None
    # No name but a phone: lastName "-" too.
    r = idp_http.post(
        "/v1/customer/info", headers=h, json={"phoneNumbers": [{"number": "+4791234567"}], "emails": ["a@example.no"]}
    )
    assert r.status_code == 200, r.text
    info = idp_http.get("/v1/customer/info", headers=h).json()
    assert info["name"]["lastName"] == "-" and info["emails"] == ["a@example.no"]
    assert info["phoneNumbers"] == [{"type": "MOBILE", "number": "+4791234567"}]


def test_names_without_last_or_company_name_is_400_naming_both(idp_http, seven_and_eight):
    h = bearer(user_token(seven_and_eight))
    r = idp_http.post("/v1/customer/info", headers=h, json={"name": {"firstName": "Kari"}})
    body = assert_problem(r, 400)
    assert {e["field"] for e in body["errors"]} == {"name.lastName", "name.companyName"}
    r = idp_http.post("/v1/customer/info", headers=h, json={"name": {"companyName": "Hansen AS"}})
    assert r.status_code == 200


def test_info_validation(idp_http, seven_and_eight):
    h = bearer(user_token(seven_and_eight))
    long_mail = "a" * 50 + "@example.no"
    r = idp_http.post("/v1/customer/info", headers=h, json={"invoiceEmailAddress": long_mail})
    assert_problem(r, 422, "invoiceEmailAddress")
    r = idp_http.post("/v1/customer/info", headers=h, json={"emails": ["not-an-email"]})
    assert_problem(r, 422, "emails[0]")
    r = idp_http.post("/v1/customer/info", headers=h, json={"phoneNumbers": [{"type": "MOBILE", "number": "123"}]})
    assert_problem(r, 422, "phoneNumbers")
    r = idp_http.post("/v1/customer/info", headers=h, json={"surprise": 1})
    assert_problem(r, 422)
    r = idp_http.post("/v1/customer/info", content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert_problem(r, 400)


def test_user_tokens_checked(idp_http, seven_and_eight):
    user = seven_and_eight
    assert_problem(idp_http.get("/v1/customer/info"), 401)
    expired = user_token(user, exp=int(time.time()) - 600)
    assert_problem(idp_http.get("/v1/customer/info", headers=bearer(expired)), 401)
    wrong_aud = user_token(user, aud="someone-else")
    assert_problem(idp_http.get("/v1/customer/info", headers=bearer(wrong_aud)), 401)
    forged = jwt.encode(
        {"iss": IDP["idp_issuer"], "aud": IDP["idp_audience"], "sub": user, "exp": int(time.time()) + 600},
        "not-the-idp-secret-" * 3,
        algorithm="HS256",
    )
    assert_problem(idp_http.get("/v1/customer/info", headers=bearer(forged)), 401)
    # A user attached to nothing: 404; the admin token has no user identity: 403.
    r = idp_http.get("/v1/customer/info", headers=bearer(user_token("nobody-" + user)))
    assert_problem(r, 404)
    from conftest import ADMIN

    assert_problem(idp_http.get("/v1/customer/info", headers=bearer(ADMIN)), 403)


def test_user_on_several_customers_names_one(client, idp_http, customers_url):
    user = f"multi-{uuid.uuid4().hex[:8]}"
    a = create_customer(client, customers_url, lastName="Eka", attachedUsers=[user])
    b = create_customer(client, customers_url, lastName="Toka", attachedUsers=[user, "x"])
    assert a["attachedUsers"] == [user] and sorted(b["attachedUsers"]) == sorted([user, "x"])
    h = bearer(user_token(user))
    assert_problem(idp_http.get("/v1/customer/info", headers=h), 409, "customerNumber")
    r = idp_http.get(f"/v1/customer/info?customerNumber={b['customerNumber']}", headers=h)
    assert r.status_code == 200 and r.json()["name"]["lastName"] == "Toka"
    # PUT and PATCH without attachedUsers keep them (a replace does not own them); [] clears.
    url = f"{customers_url}/{a['customerNumber']}"
    assert client.patch(url, json={"firstName": "X"}).json()["attachedUsers"] == [user]
    assert client.put(url, json={"lastName": "Eka"}).json()["attachedUsers"] == [user]
    assert client.put(url, json={"lastName": "Eka", "attachedUsers": []}).json()["attachedUsers"] == []
    r = idp_http.get("/v1/customer/info", headers=h)
    assert r.status_code == 200 and r.json()["customerNumber"] == b["customerNumber"]


def test_attached_users_validation(client, customers_url):
    r = client.post(customers_url, json={"lastName": "X", "attachedUsers": [""]})
    assert_problem(r, 422)
    r = client.post(customers_url, json={"lastName": "X", "attachedUsers": "abc"})
    assert_problem(r, 422)
    r = client.post(customers_url, json={"lastName": "X", "attachedUsers": ["a", "a", " b "]})
    assert r.status_code == 201 and r.json()["attachedUsers"] == ["a", "b"]


def test_post_is_audited_as_the_user(client, idp_http, customers_url, seven_and_eight):
    user = seven_and_eight
    r = idp_http.post("/v1/customer/info", headers=bearer(user_token(user)), json={"name": {"lastName": "Berg"}})
    assert r.status_code == 200, r.text
    latest = client.get(f"{customers_url}/7/history").json()["value"][0]
    assert (latest["actorType"], latest["actorId"], latest["operation"]) == ("user", user, "update")
    assert {"field": "lastName", "old": "Nordmann", "new": "Berg"} in latest["changes"]


def test_jwks_identity_provider(client, database_url, customers_url, tmp_path):
    import json

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    user = f"rsa-{uuid.uuid4().hex[:8]}"
    create_customer(client, customers_url, lastName="Rsa", attachedUsers=[user])
    claims = {"iss": "https://rsa-idp.test", "sub": user, "exp": int(time.time()) + 600}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"})
    hs = jwt.encode(claims, "guess-the-secret" * 3, algorithm="HS256")
    with own_app(database_url, idp_issuer="https://rsa-idp.test", idp_jwks_file=str(path)) as http:
        r = http.get("/v1/customer/info", headers=bearer(good))
        assert r.status_code == 200 and r.json()["name"]["lastName"] == "Rsa", r.text
        assert_problem(http.get("/v1/customer/info", headers=bearer(bad)), 401)
        assert_problem(http.get("/v1/customer/info", headers=bearer(hs)), 401)
