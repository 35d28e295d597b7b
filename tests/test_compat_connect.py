"""Seed 004 (Connect) compatibility endpoints, through HTTP."""

import uuid

import pytest
from access_util import IDP, bearer, new_client, own_app, token_for
from conftest import assert_problem, create_customer
from test_access_selfservice import user_token

V1 = "/compat/connect/v1"


@pytest.fixture
def register(client, company, customers_url):
    made = [
        create_customer(
            client,
            customers_url,
            firstName="Ola",
            lastName="Nordmann",
            street="Grubbegata 6",
            zipCode="0179",
            city="Oslo",
            countryCode="NO",
            email=f"ola{i}@company.com",
            cellularPhone=f"+479123456{i}",
        )
        for i in range(6)
    ]
    create_customer(
        client,
        customers_url,
        companyName="Søstrene Åsen AS",
        street="Storgata 1",
        zipCode="0155",
        city="Oslo",
        countryCode="NO",
        workPhone="+4722334455",
        email="post@asen.no",
    )
    return made


QUERIES = [
    {"companyName": "sostrene asen as", "streetAddress": "storgata", "postalCode": "0155"},
    {"lastName": "Nordmann", "streetAddress": "Grubbegata", "postalPlace": "Oslo"},  # 6 match → 403
    {"lastName": "Nordmann", "firstName": "Ola", "streetAddress": "Grubbegata", "postalCode": "9999"},
    {"phoneNumber": "+4791234563"},
    {"phoneNumber": "91234563"},  # not E.164 → 400
    {"email": "OLA2@company.com"},
    {"lastName": "Nordmann"},  # missing street and postal → 400
    {"lastName": "x" * 31, "streetAddress": "a", "postalCode": "1"},  # too long → 400
    {"unknownField": "x", "email": "a@b.no"},
    {"productCode": "CO27409", "email": "post@asen.no", "postalCode": 155},
]


def test_client_search_is_the_native_search_exactly(client, company, register):
    reader = new_client(client, [company], ["customers:read"])
    h = bearer(token_for(client, reader))
    for q in QUERIES:
        compat = client.post(f"{V1}/client/customer/search", json=q, headers=h)
        native = client.post(f"/v1/companies/{company}/customers/search", json=q, headers=h)
        assert compat.status_code == native.status_code, (q, compat.text, native.text)
        if compat.status_code == 200:
            assert compat.json() == native.json()
        else:
            assert compat.json().get("errors") == native.json().get("errors")
            assert compat.json()["detail"] == native.json()["detail"]
    statuses = [client.post(f"{V1}/client/customer/search", json=q, headers=h).status_code for q in QUERIES]
    assert statuses == [200, 403, 200, 200, 400, 200, 400, 400, 400, 200]
    found = client.post(f"{V1}/client/customer/search", json=QUERIES[0], headers=h).json()["customers"]
    assert found[0]["name"]["companyName"] == "Søstrene Åsen AS"
    assert set(found[0]) >= {"customerNumber", "name", "phoneNumbers", "emails"}
    assert client.post(f"{V1}/client/customer/search", json=QUERIES[2], headers=h).json() == {"customers": []}


def test_client_check_and_info(client, company, register):
    h = {"X-Company": company}
    r = client.post(
        f"{V1}/client/credential/customers/check",
        json={"credentials": ["1", "ola3@company.com", "+4791234565", "nobody@x.no"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["customers"] == [
        {"credential": "1", "customerNumber": 1},
        {"credential": "ola3@company.com", "customerNumber": 4},
        {"credential": "+4791234565", "customerNumber": 6},
    ]
    r = client.get(f"{V1}/client/customer/info/7", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["customerNumber"] == 7 and body["name"]["companyName"] == "Søstrene Åsen AS"
    assert body["phoneNumbers"] == [{"type": "WORK", "number": "+4722334455"}]
    assert body["emails"] == ["post@asen.no"] and body["attachedUsers"] == []
    assert_problem(client.get(f"{V1}/client/customer/info/999", headers=h), 404)
    assert_problem(client.get(f"{V1}/client/customer/info/7"), 400, "X-Company")


def test_user_customer_info(client, database_url, customers_url):
    user = f"user-{uuid.uuid4().hex[:8]}"
    c = create_customer(
        client, customers_url, firstName="Kari", lastName="Nordmann", attachedUsers=[user], email="kari@example.no"
    )
    with own_app(database_url, **IDP) as http:
        h = bearer(user_token(user))
        r = http.get(f"{V1}/customer/info", headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["customerNumber"] == c["customerNumber"]
        assert r.json()["attachedUsers"] == [{"userId": user}] and r.json()["emails"] == ["kari@example.no"]
        r = http.post(
            f"{V1}/customer/info",
            headers=h,
            json={
                "name": {"firstName": "Kari", "lastName": "Hansen"},
                "phoneNumbers": [{"type": "MOBILE", "number": "+4791234567"}],
                "emails": ["kari@hansen.no"],
                "invoiceEmailAddress": "faktura@hansen.no",
            },
        )
        assert r.status_code == 200 and r.json() == {"success": True}
        native = client.get(f"{customers_url}/{c['customerNumber']}").json()
        assert native["lastName"] == "Hansen" and native["cellularPhone"] == "+4791234567"
        r = http.post(f"{V1}/customer/info", headers=h, json={"name": {"firstName": "Only"}})
        assert_problem(r, 400, "name.lastName")
        r = http.post(f"{V1}/customer/info", headers=h, json={})
        assert r.status_code == 200
        assert client.get(f"{customers_url}/{c['customerNumber']}").json()["lastName"] == "-"
        # a client token is not a user token
        assert http.get(f"{V1}/customer/info", headers={"Authorization": "Bearer test-admin-token"}).status_code == 403


def test_seed_samples(client, company, register):
    h = {"X-Company": company}
    # The seed's search sample (its phone replaced by a valid Norwegian number): accepted.
    sample = {
        "productCode": "CO27409",
        "companyName": "Company International Ltd",
        "departmentName": "Support",
        "firstName": "Ola",
        "middleName": "Fjordstrand",
        "lastName": "Nordmann",
        "careOfAddress": "",
        "streetAddress": "Grubbegata",
        "streetNumber": 6,
        "entrance": "A",
        "postalCode": 179,
        "postalPlace": "Oslo",
        "countryCode": "NO",
        "phoneNumber": "+4791234561",
        "email": "ola.nordmann@company.com",
    }
    r = client.post(f"{V1}/client/customer/search", json=sample, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"customers": []}  # phone and e-mail both must match
    r = client.post(
        f"{V1}/client/customer/search",
        json={"lastName": "Nordmann", "phoneNumber": "+4791234561", "email": "ola1@company.com"},
        headers=h,
    )
    assert [c["customerNumber"] for c in r.json()["customers"]] == [2]
    r = client.post(f"{V1}/client/credential/customers/check", json={"credentials": ["string"]}, headers=h)
    assert r.status_code == 200 and r.json() == {"customers": []}
    r = client.post(f"{V1}/client/credential/customers/check", json={"credentials": []}, headers=h)
    assert_problem(r, 400, "credentials")  # the seed documents 400
