"""Addresses sub-resource: CRUD, replace-all, path id wins, one default per type."""

import uuid

from conftest import assert_problem, create_customer


def test_address_crud_and_replace_all(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/addresses"
    r = client.post(url, json={"addressType": "DELIVERY", "street": "Hämeenkatu 1", "city": "Tampere"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["defaultAddress"] is True and r.headers["Location"].endswith(a["addressGuid"])
    other = str(uuid.uuid4())
    r = client.put(
        f"{url}/{a['addressGuid']}",
        json={"street": "Satakunnankatu 2", "addressGuid": other, "addressType": "DELIVERY"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["addressGuid"] == a["addressGuid"]
    assert r.json()["city"] is None and r.json()["street"] == "Satakunnankatu 2"
    page = client.get(url, params={"$filter": "addressType eq 'DELIVERY'"}).json()
    assert page["total"] == 1 and page["value"][0]["street"] == "Satakunnankatu 2"
    assert client.delete(f"{url}/{a['addressGuid']}").status_code == 204
    assert_problem(client.get(f"{url}/{a['addressGuid']}"), 404)


def test_second_default_unsets_first_and_moves_customer(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/addresses"
    first = client.post(url, json={"addressType": "DELIVERY", "street": "A", "defaultAddress": True}).json()
    before = client.get(f"{customers_url}/{c['customerGuid']}").json()
    second = client.post(url, json={"addressType": "DELIVERY", "street": "B", "defaultAddress": True}).json()
    assert client.get(f"{url}/{first['addressGuid']}").json()["defaultAddress"] is False
    assert client.get(f"{url}/{second['addressGuid']}").json()["defaultAddress"] is True
    after = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert after["version"] > before["version"] and after["lastUpdatedAt"] >= before["lastUpdatedAt"]


def test_main_address_is_the_legal_address(client, customers_url):
    c = create_customer(client, customers_url, street="Mannerheimintie 1", city="Helsinki", countryCode="FI")
    legal = [a for a in c["addresses"] if a["addressType"] == "LEGAL"]
    assert len(legal) == 1 and legal[0]["city"] == "Helsinki" and legal[0]["defaultAddress"]
    r = client.put(f"{customers_url}/{c['customerGuid']}", json={"lastName": "V", "street": "Uusi 2"})
    legal = [a for a in r.json()["addresses"] if a["addressType"] == "LEGAL"]
    assert legal[0]["city"] is None and legal[0]["street"] == "Uusi 2"
    assert r.json()["street"] == "Uusi 2" and r.json()["city"] is None


def test_address_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/addresses"
    assert_problem(client.post(url, json={"countryCode": "QQ"}), 422, "countryCode")
    assert_problem(client.post(url, json={"validFrom": "2024-02-01", "validTo": "2024-01-01"}), 422, "validTo")
    assert_problem(client.get(url, params={"$filter": "nope eq 1"}), 400, "$filter")
    assert_problem(client.get(f"{url}/{uuid.uuid4()}"), 404)
