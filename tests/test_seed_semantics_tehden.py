"""Issue 24, item 7: Tehden does not write a customer excluded from it — no update by id,
identifier or external pair, no contacts — and creating it again is a 409 that says so
(docs/compat.md, Tehden)."""

import pytest
from conftest import assert_problem

T = "/compat/tehden/company_customer"
PAIR = {"externalsystem_id": "6", "externalsystemidentifier": "woo-55"}


@pytest.fixture
def excluded(client, company):
    hdr = {"X-Company": company}
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "Piilo", **PAIR}, headers=hdr)
    assert r.status_code == 201, r.text
    made = r.json()
    r = client.post(f"{T}/updateTehdenCustomer", json={"id": made["id"], "excluded": True}, headers=hdr)
    assert r.status_code == 200 and r.json()["excluded"] is True
    return made


@pytest.mark.parametrize(
    ("key", "field"), [("id", "id"), ("identifier", "identifier"), ("pair", "externalsystemidentifier")]
)
def test_excluded_customer_is_not_updated_nor_given_contacts(client, company, customers_url, excluded, key, field):
    hdr = {"X-Company": company}
    which = PAIR if key == "pair" else {key: excluded[key]}
    before = client.get(f"{customers_url}/{excluded['id']}").json()
    r = client.post(f"{T}/updateTehdenCustomer", json={**which, "email": "x@example.fi"}, headers=hdr)
    body = assert_problem(r, 409, field)
    assert "excluded" in body["detail"] and str(excluded["identifier"]) in body["detail"]
    if key != "pair":
        r = client.post(f"{T}/createTehdenCustomerContactInfo", json={**which, "name": "Pekka"}, headers=hdr)
        assert_problem(r, 409, field)
    after = client.get(f"{customers_url}/{excluded['id']}").json()
    assert after["version"] == before["version"] and after["email"] is None and after["contacts"] == []


def test_creating_an_excluded_customer_again_is_a_clear_409(client, company, customers_url, excluded):
    hdr = {"X-Company": company}
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "Piilo", **PAIR}, headers=hdr)
    body = assert_problem(r, 409, "externalsystemidentifier")
    assert "excluded from Tehden" in body["detail"] and str(excluded["identifier"]) in body["detail"]
    assert client.get(f"{customers_url}/count", params={"includeExcluded": "true"}).json() == {"count": 1}
    # Included again by the register, Tehden writes it again; a second create still names it.
    assert client.patch(f"{customers_url}/{excluded['id']}", json={"excluded": False}).status_code == 200
    r = client.post(f"{T}/updateTehdenCustomer", json={**PAIR, "email": "x@example.fi"}, headers=hdr)
    assert r.status_code == 200 and r.json()["email"] == "x@example.fi"
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "Piilo", **PAIR}, headers=hdr)
    body = assert_problem(r, 409, "externalsystemidentifier")
    assert "updateTehdenCustomer" in body["detail"]
