"""Issue 2 acceptance: numbers, PUT/PATCH semantics, filters, paging, ETags, bulk delete."""

import concurrent.futures

from conftest import ADMIN, assert_problem, create_customer, new_company


def test_no_token_is_401_problem(anon, customers_url):
    assert_problem(anon.get(customers_url), 401)
    assert_problem(anon.get(customers_url, headers={"Authorization": "Bearer wrong"}), 401)


def test_health_and_openapi_need_no_token(anon):
    assert anon.get("/health").json()["status"] == "ok"
    assert "/v1/companies/{cuid}/customers" in anon.get("/openapi.json").json()["paths"]


def test_numbers_are_sequential_and_never_reused(client, customers_url):
    numbers = [create_customer(client, customers_url)["customerNumber"] for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert client.delete(f"{customers_url}/3").status_code == 204
    assert create_customer(client, customers_url)["customerNumber"] == 4


def test_numbers_are_per_company(client):
    a, b = new_company(client), new_company(client)
    assert create_customer(client, f"/v1/companies/{a}/customers")["customerNumber"] == 1
    assert create_customer(client, f"/v1/companies/{b}/customers")["customerNumber"] == 1


def test_concurrent_creates_get_distinct_numbers(client, customers_url):
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda i: client.post(customers_url, json={"lastName": f"N{i}"}), range(50)))
    assert all(r.status_code == 201 for r in results), [r.text for r in results if r.status_code != 201]
    numbers = sorted(r.json()["customerNumber"] for r in results)
    assert numbers == list(range(1, 51))


def test_location_and_etag(client, customers_url):
    r = client.post(customers_url, json={"lastName": "Virtanen"})
    assert r.headers["Location"].endswith(r.json()["customerGuid"])
    got = client.get(r.headers["Location"])
    assert got.status_code == 200 and got.headers["ETag"] == f'"{got.json()["version"]}"'


def test_put_clears_missing_patch_keeps_and_null_clears(client, customers_url):
    c = create_customer(
        client, customers_url, lastName="Virtanen", firstName="Aino", email="aino@example.fi", city="Helsinki"
    )
    url = f"{customers_url}/{c['customerNumber']}"
    r = client.put(url, json={"lastName": "Virtanen"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] is None and r.json()["firstName"] is None and r.json()["city"] is None
    r = client.patch(url, json={"email": "new@example.fi"})
    assert r.json()["lastName"] == "Virtanen" and r.json()["email"] == "new@example.fi"
    r = client.patch(url, json={"email": None})
    assert r.json()["email"] is None and r.json()["lastName"] == "Virtanen"


def test_full_name_is_derived_and_follows_parts(client, customers_url):
    c = create_customer(client, customers_url, firstName="Aino", lastName="Virtanen")
    assert c["fullName"] == "Aino Virtanen"
    r = client.patch(f"{customers_url}/{c['customerGuid']}", json={"lastName": "Korhonen"})
    assert r.json()["fullName"] == "Aino Korhonen"
    r = client.patch(f"{customers_url}/{c['customerGuid']}", json={"fullName": "A. K."})
    assert r.json()["fullName"] == "A. K."


def test_a_name_is_required(client, customers_url):
    assert_problem(client.post(customers_url, json={"firstName": "Aino"}), 422, "lastName")
    c = create_customer(client, customers_url)
    assert_problem(client.put(f"{customers_url}/{c['customerNumber']}", json={"email": "a@b.fi"}), 422, "lastName")


def test_client_guid_accepted_once(client, customers_url):
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert create_customer(client, customers_url, customerGuid=guid)["customerGuid"] == guid
    assert client.get(f"{customers_url}/{guid}").status_code == 200
    assert_problem(client.post(customers_url, json={"lastName": "X", "customerGuid": guid}), 409)
    assert_problem(client.post(customers_url, json={"lastName": "X", "customerGuid": "nope"}), 422, "customerGuid")


def test_other_company_sees_404(client, customers_url):
    c = create_customer(client, customers_url)
    other = new_company(client)
    assert_problem(client.get(f"/v1/companies/{other}/customers/{c['customerGuid']}"), 404)
    assert_problem(client.get(f"/v1/companies/no-such-co/customers/{c['customerGuid']}"), 404)
    assert_problem(client.get("/v1/companies/no-such-co"), 404)


def test_stale_if_match_is_412_and_changes_nothing(client, customers_url):
    c = create_customer(client, customers_url, email="a@example.fi")
    url = f"{customers_url}/{c['customerNumber']}"
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, json={"email": "b@example.fi"}, headers={"If-Match": etag}).status_code == 200
    assert_problem(client.patch(url, json={"email": "c@example.fi"}, headers={"If-Match": etag}), 412)
    assert_problem(client.put(url, json={"lastName": "Z"}, headers={"If-Match": etag}), 412)
    assert_problem(client.request("DELETE", url, headers={"If-Match": etag}), 412)
    assert client.get(url).json()["email"] == "b@example.fi"


def test_bulk_delete_all_or_nothing(client, customers_url):
    a = create_customer(client, customers_url)
    b = create_customer(client, customers_url)
    r = client.request("DELETE", customers_url, json=[a["customerNumber"], 999])
    assert_problem(r, 404)
    assert "999" in r.json()["detail"]
    assert client.get(f"{customers_url}/count").json() == {"count": 2}
    r = client.request("DELETE", customers_url, json=[a["customerNumber"], b["customerGuid"]])
    assert r.json() == {"result": "Removed", "count": 2}
    assert client.get(f"{customers_url}/count").json() == {"count": 0}


def test_validation_errors_name_the_field(client, customers_url):
    assert_problem(client.post(customers_url, json={"lastName": "x" * 101}), 422, "lastName")
    assert_problem(client.post(customers_url, json={"lastName": "X", "countryCode": "XX"}), 422, "countryCode")
    assert_problem(client.post(customers_url, json={"lastName": "X", "languageCode": "zz"}), 422, "languageCode")
    assert_problem(client.post(customers_url, json={"lastName": "X", "currencyCode": "EUX"}), 422, "currencyCode")
    assert_problem(client.post(customers_url, json={"lastName": "X", "rebate": 101}), 422, "rebate")
    assert_problem(client.post(customers_url, json={"lastName": "X", "dateOfBirth": "2999-01-01"}), 422, "dateOfBirth")
    assert_problem(client.post(customers_url, json={"lastName": "X", "secret": 1}), 422, "secret")
    assert_problem(client.post(customers_url, json={"lastName": "\u0000"}), 422, "lastName")
    r = client.post(customers_url, content=b'{"lastName": ', headers={"Content-Type": "application/json"})
    assert_problem(r, 400)


def test_unknown_customer_key_is_404(client, customers_url):
    assert_problem(client.get(f"{customers_url}/12345"), 404)
    assert_problem(client.get(f"{customers_url}/not-a-key"), 404)


def test_token_from_settings_is_the_admin(client):
    assert client.get("/v1/companies", headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 200
