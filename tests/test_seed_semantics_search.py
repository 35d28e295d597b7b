"""Issue 24, item 10: searchWord finds street and postal code (what the lists show); a
consent is a JSON boolean ("yes" is refused, Tehden included); an address replaced without
addressType keeps its type and default flag (docs/customers.md, docs/records.md)."""

import pytest
from conftest import assert_problem, create_customer

T = "/compat/tehden/company_customer"


def _found(client, url, word) -> list[int]:
    r = client.get(url, params={"searchWord": word})
    assert r.status_code == 200, r.text
    return sorted(c["customerNumber"] for c in r.json()["value"])


def test_search_word_matches_street_and_postal_code(client, company, customers_url):
    a = create_customer(
        client, customers_url, lastName="Aalto", street="Mannerheimintie 12", zipCode="00100", city="Helsinki"
    )
    b = create_customer(
        client, customers_url, lastName="Berg", street="Storgatan 1", zipCode="111 22", city="Stockholm"
    )
    assert _found(client, customers_url, "mannerheim") == [a["customerNumber"]]
    assert _found(client, customers_url, "00100") == [a["customerNumber"]]
    assert _found(client, customers_url, "storgatan 1") == [b["customerNumber"]]
    assert _found(client, customers_url, "111 22") == [b["customerNumber"]]
    # A changed address is searched by its new street; the old one no longer finds it.
    r = client.patch(f"{customers_url}/{a['customerGuid']}", json={"street": "Aleksanterinkatu 3"})
    assert r.status_code == 200, r.text
    assert _found(client, customers_url, "aleksanterin") == [a["customerNumber"]]
    assert _found(client, customers_url, "mannerheim") == []
    # The count agrees with the page.
    r = client.get(f"{customers_url}/count", params={"searchWord": "aleksanterinkatu"})
    assert r.json() == {"count": 1}


@pytest.mark.parametrize("value", ["yes", "no", 1, "true", None])
def test_consent_must_be_a_json_boolean(client, company, customers_url, value):
    c = create_customer(client, customers_url, lastName="Consent")
    r = client.post(f"{customers_url}/{c['customerGuid']}/consents", json={"channel": "EMAIL", "granted": value})
    assert_problem(r, 422, "granted")
    hdr = {"X-Company": company}
    r = client.post(
        f"{T}/createTehdenCustomer", json={"lastName": "T", "marketing_authorizations": {"SMS": value}}, headers=hdr
    )
    assert_problem(r, 422, "marketing_authorizations.SMS")
    r = client.post(
        f"{T}/updateTehdenCustomer",
        json={"identifier": c["customerNumber"], "marketing_authorizations": {"EMAIL": value}},
        headers=hdr,
    )
    assert_problem(r, 422, "marketing_authorizations.EMAIL")
    assert client.get(f"{customers_url}/{c['customerGuid']}/consents").json()["value"] == []
    r = client.post(
        f"{T}/updateTehdenCustomer",
        json={"identifier": c["customerNumber"], "marketing_authorizations": {"EMAIL": True}},
        headers=hdr,
    )
    assert r.status_code == 200 and r.json()["marketing_authorizations"] == {"EMAIL": True}


def test_address_replaced_without_type_keeps_type_and_default(client, customers_url):
    c = create_customer(client, customers_url, lastName="Osoite", street="Kotikatu 1", city="Turku")
    url = f"{customers_url}/{c['customerGuid']}/addresses"
    main = client.get(url).json()["value"][0]
    assert (main["addressType"], main["defaultAddress"]) == ("LEGAL", True)
    d = client.post(url, json={"addressType": "DELIVERY", "street": "Varasto 5", "city": "Vantaa"}).json()
    r = client.put(f"{url}/{d['addressGuid']}", json={"street": "Varasto 7", "city": "Vantaa"})
    assert r.status_code == 200, r.text
    assert (r.json()["addressType"], r.json()["defaultAddress"], r.json()["street"]) == ("DELIVERY", True, "Varasto 7")
    # The main address, replaced without its type, stays the customer's main address.
    r = client.put(f"{url}/{main['addressGuid']}", json={"street": "Kotikatu 2", "city": "Turku"})
    assert (r.json()["addressType"], r.json()["defaultAddress"]) == ("LEGAL", True)
    got = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert got["street"] == "Kotikatu 2"
    legal = [a for a in got["addresses"] if a["addressType"] == "LEGAL"]
    assert len(legal) == 1 and legal[0]["defaultAddress"] is True
    # Named, the type changes (and the first of its type is its default).
    r = client.put(f"{url}/{d['addressGuid']}", json={"addressType": "INVOICE", "street": "Lasku 1"})
    assert (r.json()["addressType"], r.json()["defaultAddress"]) == ("INVOICE", True)
