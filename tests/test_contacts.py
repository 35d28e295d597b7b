"""Contacts: phone in E.164 read in the customer's country, e-mail normalized, one default."""

import uuid

import pytest
from conftest import assert_problem, create_customer


@pytest.fixture
def contacts_url(client, customers_url) -> str:
    c = create_customer(client, customers_url)
    return f"{customers_url}/{c['customerGuid']}/contacts"


def test_contact_crud_normalizes_phone_and_email(client, contacts_url):
    r = client.post(
        contacts_url,
        json={
            "name": " Maija Meikäläinen ",
            "title": "CFO",
            "role": "invoicing",
            "phone": "040 123 4567",
            "email": "Maija@Example.COM",
            "languageCode": "FI",
            "notes": "Mornings only",
        },
    )
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["name"] == "Maija Meikäläinen" and c["phone"] == "+358401234567"
    assert c["email"] == "Maija@example.com" and c["languageCode"] == "fi"
    assert c["isDefault"] is False and r.headers["Location"].endswith(c["contactGuid"])
    assert client.get(f"{contacts_url}/{c['contactGuid']}").json() == c
    page = client.get(contacts_url, params={"$filter": "startswith(phone, '+358')"}).json()
    assert page["total"] == 1
    assert client.delete(f"{contacts_url}/{c['contactGuid']}").status_code == 204
    assert_problem(client.get(f"{contacts_url}/{c['contactGuid']}"), 404)


def test_phone_is_read_in_the_customers_country(client, customers_url):
    c = create_customer(client, customers_url, countryCode="SE", city="Stockholm")
    url = f"{customers_url}/{c['customerGuid']}/contacts"
    r = client.post(url, json={"name": "Sven", "phone": "070-123 45 67"})
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == "+46701234567"


def test_replace_all_clears_and_path_id_wins(client, contacts_url):
    c = client.post(contacts_url, json={"name": "A", "phone": "+358401234567", "title": "CEO"}).json()
    r = client.put(f"{contacts_url}/{c['contactGuid']}", json={"name": "B", "contactGuid": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    assert r.json()["contactGuid"] == c["contactGuid"]
    assert r.json()["name"] == "B" and r.json()["phone"] is None and r.json()["title"] is None


def test_one_default_contact_and_customer_moves(client, customers_url):
    cust = create_customer(client, customers_url)
    url = f"{customers_url}/{cust['customerGuid']}/contacts"
    first = client.post(url, json={"name": "A", "isDefault": True}).json()
    before = client.get(f"{customers_url}/{cust['customerGuid']}").json()
    second = client.post(url, json={"name": "B", "isDefault": True}).json()
    after = client.get(f"{customers_url}/{cust['customerGuid']}").json()
    assert [x["contactGuid"] for x in after["contacts"] if x["isDefault"]] == [second["contactGuid"]]
    assert client.get(f"{url}/{first['contactGuid']}").json()["isDefault"] is False
    assert after["version"] > before["version"] and after["lastUpdatedAt"] >= before["lastUpdatedAt"]
    assert {"rel": "contacts", "href": f"{customers_url}/{cust['customerGuid']}/contacts"} in after["links"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"title": "CEO"}, "name"),  # one of name, phone or email
        ({"name": "A", "phone": "12"}, "phone"),
        ({"name": "A", "phone": "not a phone"}, "phone"),
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"name": "A", "languageCode": "xx"}, "languageCode"),
        ({"name": "x" * 256}, "name"),
        ({"name": "A", "unknown": 1}, "unknown"),
    ],
)
def test_contact_errors(client, contacts_url, body, field):
    assert_problem(client.post(contacts_url, json=body), 422, field)
