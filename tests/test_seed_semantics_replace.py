"""Issue 24, item 1: a replace (native PUT, a compat API's replace) owns the customer's own
fields and its main address, not what belongs to other integrations or to the register:
attached users, exclusion and external ids stay unless the body names them
(docs/customers.md, "What a replace owns")."""

from conftest import assert_problem, create_customer

T = "/compat/tehden/company_customer"


def test_native_put_keeps_attached_users_exclusion_and_external_ids(client, company, customers_url):
    c = create_customer(
        client,
        customers_url,
        lastName="Laine",
        attachedUsers=["user-1"],
        externalSystemId=6,
        externalSystemIdentifier="woo-7",
        excluded=True,
    )
    url = f"{customers_url}/{c['customerGuid']}"
    r = client.put(url, json={"lastName": "Laine", "firstName": "Kaisa", "email": "kaisa@example.fi"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["firstName"] == "Kaisa" and got["attachedUsers"] == ["user-1"] and got["excluded"] is True
    assert [(e["externalSystemId"], e["externalSystemIdentifier"]) for e in got["externalIds"]] == [(6, "woo-7")]
    # The own fields are replaced: missing ones cleared.
    r = client.put(url, json={"lastName": "Laine"})
    assert r.json()["firstName"] is None and r.json()["email"] is None
    assert r.json()["attachedUsers"] == ["user-1"] and r.json()["excluded"] is True
    # Still hidden from Tehden's lookups (the exclusion stays).
    hdr = {"X-Company": company}
    found = client.get(
        f"{T}/getCustomerIdByExternalSystemIdentifier",
        params={"externalsystem_id": "6", "externalsystemidentifier": "woo-7"},
        headers=hdr,
    )
    assert_problem(found, 404)
    # Named, they change: false un-excludes, [] detaches.
    r = client.put(url, json={"lastName": "Laine", "excluded": False, "attachedUsers": []})
    assert r.json()["excluded"] is False and r.json()["attachedUsers"] == []
    found = client.get(
        f"{T}/getCustomerIdByExternalSystemIdentifier",
        params={"externalsystem_id": "6", "externalsystemidentifier": "woo-7"},
        headers=hdr,
    )
    assert found.status_code == 200, found.text


def test_put_of_what_get_gave_keeps_everything(client, customers_url):
    c = create_customer(client, customers_url, firstName="Eero", lastName="Mäki", attachedUsers=["u-9"], city="Oulu")
    url = f"{customers_url}/{c['customerGuid']}"
    got = client.get(url).json()
    r = client.put(url, json=got)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["attachedUsers"] == ["u-9"] and after["city"] == "Oulu" and after["fullName"] == "Eero Mäki"
    assert after["version"] == got["version"]  # nothing changed
    # The derived fullName sent back stays derived: a new first name re-derives it.
    r = client.patch(url, json={"firstName": "Eelis"})
    assert r.json()["fullName"] == "Eelis Mäki"
