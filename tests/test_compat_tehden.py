"""Seed 001 (Tehden) compatibility endpoints, through HTTP."""

from access_util import bearer, new_client, token_for
from conftest import assert_problem, new_company

T = "/compat/tehden/company_customer"


def hdr(company):
    return {"X-Company": company}


def test_created_with_external_system_is_found_by_tehden_and_native_lookups(client, company):
    body = {
        "lastName": "Korhonen",
        "firstName": "Liisa",
        "email": "liisa@example.fi",
        "externalsystem_id": "6",
        "externalsystemidentifier": "woo-1001",
        "customerTypeCode": "CONSUMER",
        "vatStatus": "DOMESTIC",
        "marketing_authorizations": {"EMAIL": True, "SMS": False},
    }
    r = client.post(f"{T}/createTehdenCustomer", json=body, headers=hdr(company))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["externalsystem_id"] == "6" and created["externalsystemidentifier"] == "woo-1001"
    assert created["marketing_authorizations"] == {"EMAIL": True, "SMS": False}
    assert created["vatStatus"] == "DOMESTIC" and created["customerTypeCode"] == "CONSUMER"

    r = client.get(
        f"{T}/getCustomerIdByExternalSystemIdentifier",
        params={"externalsystem_id": "6", "externalsystemidentifier": "woo-1001"},
        headers=hdr(company),
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"id": created["id"], "identifier": created["identifier"]}
    native = client.get(
        f"/v1/companies/{company}/customers/lookup",
        params={"externalSystemId": 6, "externalSystemIdentifier": "woo-1001"},
    )
    assert native.status_code == 200
    assert native.json() == {"customerNumber": created["identifier"], "customerGuid": created["id"]}
    r = client.get(f"{T}/getCustomerIdByIdentifier", params={"identifier": created["identifier"]}, headers=hdr(company))
    assert r.json()["id"] == created["id"]
    consents = client.get(f"/v1/companies/{company}/customers/{created['id']}/consents").json()
    assert {c["channel"]: c["granted"] for c in consents["value"]} == {"EMAIL": True, "SMS": False}


def test_pair_rule_and_enum(client, company):
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "A", "externalsystem_id": "6"}, headers=hdr(company))
    assert_problem(r, 422, "externalsystemidentifier")
    r = client.post(
        f"{T}/createTehdenCustomer", json={"lastName": "A", "externalsystemidentifier": "x"}, headers=hdr(company)
    )
    assert_problem(r, 422, "externalsystem_id")
    r = client.post(
        f"{T}/createTehdenCustomer",
        json={"lastName": "A", "externalsystem_id": "99", "externalsystemidentifier": "x"},
        headers=hdr(company),
    )
    assert_problem(r, 422, "externalsystem_id")
    r = client.post(
        f"{T}/createTehdenCustomer",
        json={"lastName": "A", "externalsystem_id": "string", "externalsystemidentifier": "x"},
        headers=hdr(company),
    )
    assert_problem(r, 422, "externalsystem_id")
    ok = client.post(
        f"{T}/createTehdenCustomer",
        json={"lastName": "A", "externalsystem_id": "22", "externalsystemidentifier": "res-1"},
        headers=hdr(company),
    )
    assert ok.status_code == 201
    again = client.post(
        f"{T}/createTehdenCustomer",
        json={"lastName": "B", "externalsystem_id": "22", "externalsystemidentifier": "res-1"},
        headers=hdr(company),
    )
    assert_problem(again, 409, "externalsystemidentifier")


def test_update_contact_info_exclusion_and_find(client, company):
    r = client.post(
        f"{T}/createTehdenCustomer",
        json={
            "lastName": "Nieminen",
            "email": "n@example.fi",
            "externalsystem_id": "5",
            "externalsystemidentifier": "mcf-7",
        },
        headers=hdr(company),
    )
    created = r.json()
    # by the external pair: only the fields sent change
    r = client.post(
        f"{T}/updateTehdenCustomer",
        json={
            "externalsystem_id": "5",
            "externalsystemidentifier": "mcf-7",
            "vatStatus": "EU",
            "marketing_authorizations": {"POST": True},
        },
        headers=hdr(company),
    )
    assert r.status_code == 200, r.text
    assert r.json()["vatStatus"] == "EU" and r.json()["email"] == "n@example.fi"
    assert r.json()["marketing_authorizations"] == {"POST": True}
    r = client.post(
        f"{T}/updateTehdenCustomer",
        json={"identifier": created["identifier"], "vatStatus": "NOPE"},
        headers=hdr(company),
    )
    assert_problem(r, 422, "vatStatus")
    r = client.post(
        f"{T}/createTehdenCustomerContactInfo",
        json={"identifier": created["identifier"], "name": "Pekka", "phone": "040 1234567"},
        headers=hdr(company),
    )
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == "+358401234567"
    found = client.get(f"{T}/findCustomer", params={"searchWord": "nieminen"}, headers=hdr(company)).json()
    assert [c["identifier"] for c in found["value"]] == [created["identifier"]]
    r = client.post(f"{T}/updateTehdenCustomer", json={"id": created["id"], "excluded": True}, headers=hdr(company))
    assert r.status_code == 200 and r.json()["excluded"] is True
    found = client.get(f"{T}/findCustomer", params={"searchWord": "nieminen"}, headers=hdr(company)).json()
    assert found["total"] == 0
    r = client.get(f"{T}/getCustomerIdByIdentifier", params={"identifier": created["identifier"]}, headers=hdr(company))
    assert r.status_code == 404


def test_company_from_credentials_or_header(client, company):
    r = client.get(f"{T}/findCustomer")  # the admin token reaches every company
    assert_problem(r, 400, "X-Company")
    one = new_client(client, [company], ["customers:read", "customers:write"])
    headers = bearer(token_for(client, one))
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "Own"}, headers=headers)
    assert r.status_code == 201, r.text
    assert client.get(f"/v1/companies/{company}/customers/{r.json()['id']}").status_code == 200
    other = new_company(client)
    r = client.get(f"{T}/findCustomer", headers=headers | {"X-Company": other})
    assert_problem(r, 403)
    two = new_client(client, [company, other], ["customers:read"])
    headers2 = bearer(token_for(client, two))
    assert_problem(client.get(f"{T}/findCustomer", headers=headers2), 400, "X-Company")
    assert client.get(f"{T}/findCustomer", headers=headers2 | {"X-Company": other}).status_code == 200
    r = client.post(f"{T}/createTehdenCustomer", json={"lastName": "No"}, headers=headers2 | {"X-Company": other})
    assert_problem(r, 403)  # read scope only
