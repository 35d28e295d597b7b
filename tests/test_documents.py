"""The stored customer document stays equal to a live rendering after every kind of write."""

from conftest import create_customer

from custreg.customers.schemas import CustomerDetail


def _get(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    return r


def test_get_equals_the_write_response(client, customers_url):
    c = create_customer(client, customers_url, firstName="Aino", city="Oulu", email="a@example.fi")
    url = f"{customers_url}/{c['customerNumber']}"
    assert _get(client, url).json() == c
    patched = client.patch(url, json={"email": "b@example.fi"})
    got = _get(client, url)
    assert got.json() == patched.json() and got.headers["ETag"] == patched.headers["ETag"]
    put = client.put(url, json={"lastName": "Uusi"})
    assert _get(client, url).json() == put.json()


def test_record_writes_show_in_the_customer(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}"
    address = client.post(f"{url}/addresses", json={"addressType": "DELIVERY", "city": "Turku"}).json()
    got = _get(client, url).json()
    assert [a["city"] for a in got["addresses"]] == ["Turku"] and got["version"] > c["version"]
    client.put(f"{url}/addresses/{address['addressGuid']}", json={"addressType": "DELIVERY", "city": "Pori"})
    assert [a["city"] for a in _get(client, url).json()["addresses"]] == ["Pori"]
    client.delete(f"{url}/addresses/{address['addressGuid']}")
    assert _get(client, url).json()["addresses"] == []
    client.post(f"{url}/external-ids", json={"externalSystemId": 6, "externalSystemIdentifier": "w-1"})
    assert _get(client, url).json()["externalSystemIdentifier"] == "w-1"


def test_related_customers_see_each_others_changes(client, customers_url):
    a = create_customer(client, customers_url, lastName="Debtor")
    b = create_customer(client, customers_url, lastName="Guarantor")
    r = client.post(
        f"{customers_url}/{a['customerGuid']}/relations",
        json={"relatedCustomer": b["customerGuid"], "roleCode": "GUARANTOR"},
    )
    assert r.status_code == 201, r.text
    a_url, b_url = f"{customers_url}/{a['customerGuid']}", f"{customers_url}/{b['customerGuid']}"
    assert [g["fullName"] for g in _get(client, a_url).json()["myGuarantors"]] == ["Guarantor"]
    assert [g["fullName"] for g in _get(client, b_url).json()["guaranteeFor"]] == ["Debtor"]
    client.patch(b_url, json={"lastName": "Renamed"})
    assert [g["fullName"] for g in _get(client, a_url).json()["myGuarantors"]] == ["Renamed"]
    client.patch(a_url, json={"lastName": "Debtor2"})
    assert [g["fullName"] for g in _get(client, b_url).json()["guaranteeFor"]] == ["Debtor2"]
    client.delete(b_url)
    assert _get(client, a_url).json()["myGuarantors"] == []


def test_the_document_is_what_validating_it_gives(client, customers_url):
    """The body GET gives, stored or live, is exactly what the full schema makes of it (a
    fixed point: nothing is normalized only on the way out), for a customer with records of
    many kinds."""
    other = create_customer(client, customers_url, lastName="Takaaja")
    c = create_customer(
        client,
        customers_url,
        firstName="Aino",
        city="Oulu",
        email="a@example.fi",
        rebate="12.5",
        creditLimit="15000",
        latitude=65.01,
        dateOfBirth="1980-02-03",
    )
    url = f"{customers_url}/{c['customerGuid']}"
    for sub, body in (
        ("addresses", {"addressType": "DELIVERY", "city": "Turku", "street": "Katu 1"}),
        ("bank-accounts", {"iban": "FI21 1234 5600 0007 85"}),
        ("contacts", {"name": "Sven", "phone": "070-123 45 67"}),
        ("external-ids", {"externalSystemId": 6, "externalSystemIdentifier": "w-1"}),
        ("consents", {"channel": "SMS", "granted": True, "source": "shop"}),
        ("parameters", {"name": "Risk class", "type": "STRING", "value": "B"}),
        ("relations", {"relatedCustomer": other["customerGuid"], "roleCode": "GUARANTOR"}),
        (
            "actions",
            {
                "actionItemCode": "CONFIRM_ADDRESS",
                "message": "Is your address still valid?",
                "processAt": "2026-12-01T08:00:00Z",
                "allowPostpone": False,
                "responses": ["ACCEPT", "REJECT"],
            },
        ),
    ):
        r = client.post(f"{url}/{sub}", json=body)
        assert r.status_code == 201, (sub, r.text)
    for customer in (url, f"{customers_url}/{other['customerGuid']}"):
        body = _get(client, customer).text
        assert CustomerDetail.model_validate_json(body).model_dump_json() == body
    got = _get(client, url).json()
    assert len(got["bankAccounts"]) == 1 and len(got["contacts"]) == 1 and len(got["actions"]) == 1
    assert got["rebate"] == 12.5 and got["creditLimit"] == 15000.0 and len(got["addresses"]) == 2
