"""ETag and If-Match on every single resource (contract section 2), not only customers:
a customer's records (generic records router) and a company."""

import pytest
from conftest import assert_problem, create_customer

# (path, body of a create, body of a replace) for kinds served by the generic router.
KINDS = [
    (
        "addresses",
        {"addressType": "DELIVERY", "street": "Hämeenkatu 1"},
        {"addressType": "DELIVERY", "street": "Uusi 2"},
    ),
    # A real change: the BIC that IBAN derives (NDEAFIHH) sent again would be no change.
    ("bank-accounts", {"iban": "FI21 1234 5600 0007 85"}, {"iban": "FI21 1234 5600 0007 85", "defaultAccount": False}),
    ("contacts", {"name": "Sven", "phone": "+358401234567"}, {"name": "Sven Ek"}),
]


@pytest.mark.parametrize("path,body,change", KINDS, ids=[k[0] for k in KINDS])
def test_record_get_sends_etag_and_writes_honour_if_match(client, customers_url, path, body, change):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/{path}"
    made = client.post(url, json=body)
    assert made.status_code == 201, made.text
    item = made.headers["Location"]
    got = client.get(item)
    tag = got.headers["ETag"]
    assert tag.startswith('"') and tag == made.headers["ETag"]
    assert client.get(item).headers["ETag"] == tag  # stable while nothing changes

    assert_problem(client.put(item, json=change, headers={"If-Match": '"stale"'}), 412)
    assert client.get(item).json() == got.json()  # a refused write changes nothing
    r = client.put(item, json=change, headers={"If-Match": f"W/{tag}"})
    assert r.status_code == 200, r.text
    new_tag = r.headers["ETag"]
    assert new_tag != tag and client.get(item).headers["ETag"] == new_tag

    assert_problem(client.delete(item, headers={"If-Match": tag}), 412)  # the old tag
    assert client.get(item).status_code == 200
    assert client.delete(item, headers={"If-Match": f'"x", {new_tag}'}).status_code == 204
    assert_problem(client.get(item), 404)


def test_if_match_star_and_no_header(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/addresses"
    item = client.post(url, json={"addressType": "DELIVERY", "street": "A"}).headers["Location"]
    assert (
        client.put(item, json={"addressType": "DELIVERY", "street": "B"}, headers={"If-Match": "*"}).status_code == 200
    )
    assert client.put(item, json={"addressType": "DELIVERY", "street": "C"}).status_code == 200  # If-Match is optional
    assert client.delete(item, headers={"If-Match": "*"}).status_code == 204


def test_named_record_put_with_if_match_does_not_create(client, customers_url):
    c = create_customer(client, customers_url)
    item = f"{customers_url}/{c['customerGuid']}/parameters/CreditScore"
    assert_problem(client.put(item, json={"value": "600"}, headers={"If-Match": "*"}), 412)
    assert_problem(client.get(item), 404)
    r = client.put(item, json={"value": "600"})
    assert r.status_code == 201 and r.headers["ETag"] == client.get(item).headers["ETag"]
    assert_problem(client.put(item, json={"value": "700"}, headers={"If-Match": '"old"'}), 412)
    r = client.put(item, json={"value": "700"}, headers={"If-Match": r.headers["ETag"]})
    assert r.status_code == 200 and r.json()["value"] == "700"


def test_company_get_sends_etag(client, company):
    first = client.get(f"/v1/companies/{company}")
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert client.get(f"/v1/companies/{company}").headers["ETag"] == first.headers["ETag"]


def test_basic_details_etag_and_if_match(client, company):
    url = f"/v1/companies/{company}/basic-details"
    got = client.get(url)
    tag = got.headers["ETag"]
    groups = [{"code": "VIP", "name": "Very important"}]
    assert_problem(client.put(f"{url}/customerGroups", json=groups, headers={"If-Match": '"stale"'}), 412)
    assert client.get(url).json() == got.json()
    r = client.put(f"{url}/customerGroups", json=groups, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] != tag and client.get(url).headers["ETag"] == r.headers["ETag"]
    assert_problem(client.put(f"{url}/customerGroups", json=[], headers={"If-Match": tag}), 412)
