"""Issue 24, item 9 (Connect): requests in the seed's own shapes are accepted — several
e-mails, a FAX number, a Norwegian mobile as plain digits in the credential check, the
seed's own search sample with its integer postalCode — and a refused request is a 400 as the
seed documents (docs/compat.md, Connect)."""

import uuid

import pytest
from access_util import IDP, bearer, own_app
from conftest import assert_problem, create_customer, new_company
from test_access_selfservice import user_token

V1 = "/compat/connect/v1"
SAMPLE = {  # the seed's search request sample, byte for byte
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
    "phoneNumber": "+4712345678",
    "email": "ola.nordmann@company.com",
}


@pytest.fixture(scope="module")
def idp_http(database_url):
    with own_app(database_url, **IDP) as http:
        yield http


@pytest.fixture
def oslo(client):
    cuid = new_company(client, "NO")
    c = create_customer(
        client,
        f"/v1/companies/{cuid}/customers",
        firstName="Ola",
        middleName="Fjordstrand",
        lastName="Nordmann",
        companyName="Company International Ltd",
        departmentName="Support",
        street="Grubbegata 6",
        zipCode="0179",
        city="Oslo",
        countryCode="NO",
        cellularPhone="91234567",
        email="ola.nordmann@company.com",
    )
    return cuid, c


def test_the_seed_search_sample_and_an_integer_postal_code(client, oslo):
    cuid, c = oslo
    hdr = {"X-Company": cuid}
    r = client.post(f"{V1}/client/customer/search", json=SAMPLE, headers=hdr)
    assert r.status_code == 200, r.text
    assert r.json() == {"customers": []}  # +4712345678 is nobody's number: all criteria must match
    without_phone = {k: v for k, v in SAMPLE.items() if k != "phoneNumber"}
    r = client.post(f"{V1}/client/customer/search", json=without_phone, headers=hdr)
    assert [x["customerNumber"] for x in r.json()["customers"]] == [c["customerNumber"]]
    by_address = {"lastName": "Nordmann", "streetAddress": "Grubbegata", "postalCode": 179}
    r = client.post(f"{V1}/client/customer/search", json=by_address, headers=hdr)
    assert [x["customerNumber"] for x in r.json()["customers"]] == [c["customerNumber"]]


def test_credential_check_takes_a_mobile_as_plain_digits(client, oslo):
    cuid, c = oslo
    creds = ["91234567", "+4791234567", str(c["customerNumber"]), "ola.nordmann@company.com", "98765432"]
    r = client.post(f"{V1}/client/credential/customers/check", json={"credentials": creds}, headers={"X-Company": cuid})
    assert r.status_code == 200, r.text
    assert [x["credential"] for x in r.json()["customers"]] == creds[:4]
    assert {x["customerNumber"] for x in r.json()["customers"]} == {c["customerNumber"]}


def test_refused_requests_are_400(client, oslo):
    cuid, _ = oslo
    hdr = {"X-Company": cuid}
    assert_problem(
        client.post(f"{V1}/client/credential/customers/check", json={"credentials": "x"}, headers=hdr),
        400,
        "credentials",
    )
    assert_problem(client.post(f"{V1}/client/customer/search", json={"lastName": 5}, headers=hdr), 400, "lastName")


def test_several_emails_and_a_fax_number(client, idp_http, oslo):
    cuid, c = oslo
    user = f"u-{uuid.uuid4().hex[:8]}"
    url = f"/v1/companies/{cuid}/customers/{c['customerNumber']}"
    assert client.patch(url, json={"attachedUsers": [user]}).status_code == 200
    h = bearer(user_token(user))
    body = {
        "name": {"firstName": "Ola", "lastName": "Nordmann"},
        "phoneNumbers": [{"type": "MOBILE", "number": "91234567"}, {"type": "FAX", "number": "22334455"}],
        "emails": ["ola@company.com", "ola.private@example.no", "ola@company.com"],
    }
    r = idp_http.post(f"{V1}/customer/info", json=body, headers=h)
    assert r.status_code == 200, r.text
    got = idp_http.get(f"{V1}/customer/info", headers=h).json()
    assert got["emails"] == ["ola@company.com", "ola.private@example.no"]
    assert {"type": "FAX", "number": "+4722334455"} in got["phoneNumbers"]
    native = client.get(url).json()
    assert native["email"] == "ola@company.com" and native["telefax"] == "+4722334455"
    assert [(x["role"], x["email"]) for x in native["contacts"]] == [("EMAIL", "ola.private@example.no")]
    # Posting it back is no change; dropping the second e-mail removes it.
    version = native["version"]
    assert idp_http.post(f"{V1}/customer/info", json=body, headers=h).status_code == 200
    assert client.get(url).json()["version"] == version
    body["emails"] = ["ola@company.com"]
    assert idp_http.post(f"{V1}/customer/info", json=body, headers=h).status_code == 200
    assert client.get(url).json()["contacts"] == []
    # A bad one is a 400 naming it; nothing changes.
    body["emails"] = ["ola@company.com", "not-an-email"]
    assert_problem(idp_http.post(f"{V1}/customer/info", json=body, headers=h), 400, "emails[1]")
    assert idp_http.get(f"{V1}/customer/info", headers=h).json()["emails"] == ["ola@company.com"]
