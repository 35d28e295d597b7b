"""Seed 000 (Fivaldi) compatibility endpoints, through HTTP."""

from access_util import bearer, new_client, token_for
from conftest import assert_problem


def base(company):
    return f"/compat/fivaldi/companies/{company}/customers"


def make(client, company, **fields):
    body = {
        "firstName": "Maija",
        "lastName": "Meikäläinen",
        "email": "maija@example.fi",
        "street": "Mannerheimintie 1",
        "zipCode": "00100",
        "city": "Helsinki",
        "countryCode": "FI",
        "addresses": [{"addressType": "DELIVERY", "street": "Satamakatu 3", "zipCode": "00160", "city": "Helsinki"}],
        "bankAccounts": [{"iban": "FI21 1234 5600 0007 85"}],
        **fields,
    }
    r = client.post(f"{base(company)}/createCustomer", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_get_list_and_basic_details(client, company):
    created = make(client, company)
    assert created["id"] == created["customerNumber"] >= 1
    assert created["bankAccounts"][0]["bic"] and created["bankAccounts"][0]["bban"]
    assert {a["addressType"] for a in created["addresses"]} == {"LEGAL", "DELIVERY"}
    got = client.get(f"{base(company)}/{created['id']}")
    assert got.status_code == 200 and got.json()["id"] == created["id"]
    assert got.json()["email"] == "maija@example.fi"
    second = make(client, company, firstName="Matti", lastName="Virtanen", email="matti@example.fi")
    assert second["id"] == created["id"] + 1  # the next customer number
    page = client.get(base(company), params={"searchWord": "virtanen"}).json()
    assert [c["id"] for c in page["value"]] == [second["id"]] and page["total"] == 1
    page = client.get(base(company), params={"fromDate": "2000-01-01"}).json()
    assert page["total"] == 2
    details = client.get(f"{base(company)}/getCustomerRegisterBasicDetails").json()
    assert {"code": "NET30", "name": "30 days net"} in details["paymentTerms"]
    assert client.get(f"{base(company)}/999999").status_code == 404


def test_update_customer_ignores_nulls_and_all_fields_clears(client, company):
    c = make(client, company, customerReference="REF-1", notes="keep me")
    url = f"{base(company)}/{c['id']}"
    r = client.post(
        f"{url}/updateCustomer", json={"name": None, "lastName": None, "email": None, "notes": "changed", "id": 12345}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lastName"] == "Meikäläinen" and body["email"] == "maija@example.fi"
    assert body["notes"] == "changed" and body["customerReference"] == "REF-1"
    assert len(body["addresses"]) == 2 and len(body["bankAccounts"]) == 1

    assert_problem(client.post(f"{url}/updateCustomer", json={"email": "not-an-email"}), 422, "email")
    assert_problem(client.post(f"{url}/updateCustomer", json={"nosuch": "x"}), 422, "nosuch")
    r = client.post(f"{url}/updateCustomerAllFields", json={"id": 999, "lastName": "Uusi", "email": None})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lastName"] == "Uusi" and body["firstName"] is None and body["email"] is None
    assert body["customerReference"] is None and body["notes"] is None
    # addresses (the main address included) and bank accounts untouched
    assert body["street"] == "Mannerheimintie 1" and body["city"] == "Helsinki"
    assert len(body["addresses"]) == 2 and len(body["bankAccounts"]) == 1
    native = client.get(f"/v1/companies/{company}/customers/{c['id']}").json()
    assert native["lastName"] == "Uusi" and native["street"] == "Mannerheimintie 1"
    assert len(native["addresses"]) == 2 and len(native["bankAccounts"]) == 1


def test_addresses_and_bank_accounts(client, company):
    c = make(client, company)
    url = f"{base(company)}/{c['id']}"
    r = client.post(f"{url}/createAddress", json={"addressType": "INVOICE", "street": "Laskukuja 5", "city": "Espoo"})
    assert r.status_code == 201, r.text
    guid = r.json()["addressGuid"]
    r = client.post(
        f"{url}/address/{guid}/updateAddressAllFields",
        json={"addressGuid": "00000000-0000-0000-0000-000000000000", "addressType": "INVOICE", "street": "Laskukuja 7"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["addressGuid"] == guid  # the path's id wins
    assert r.json()["street"] == "Laskukuja 7" and r.json()["city"] is None  # missing deletes

    r = client.post(f"{url}/createBankAccount", json={"bban": "50009420028730", "countryCode": "FI"})
    assert r.status_code == 201, r.text
    account = r.json()
    assert account["iban"] == "FI4950009420028730" and account["bic"] == "OKOYFIHH"
    other = c["bankAccounts"][0]["accountGuid"]
    r = client.post(
        f"{url}/bank-account/{other}/updateBankAccountAllFields",
        json={"accountGuid": account["accountGuid"], "iban": "FI5810171000000122"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["accountGuid"] == other  # the path's id wins
    assert r.json()["bban"] == "10171000000122" and r.json()["bic"] == "NDEAFIHH"
    r = client.post(f"{url}/bank-account/{other}/updateBankAccountAllFields", json={"iban": "FI00 0000"})
    assert_problem(r, 422, "iban")


def test_access_levels(client, company):
    c = make(client, company)
    reader = new_client(client, [company], ["customers:read"])
    headers = bearer(token_for(client, reader))
    assert client.get(f"{base(company)}/{c['id']}", headers=headers).status_code == 200
    r = client.post(f"{base(company)}/{c['id']}/updateCustomer", json={"notes": "x"}, headers=headers)
    assert_problem(r, 403)
    r = client.post(f"{base(company)}/createCustomer", json={"lastName": "X"}, headers=headers)
    assert_problem(r, 403)
