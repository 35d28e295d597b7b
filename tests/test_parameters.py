"""Party parameters and extra fields: named records, created or replaced by PUT."""

from conftest import assert_problem, create_customer


def test_put_parameter_twice_leaves_one_with_the_second_value(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/parameters"
    r = client.put(f"{url}/CreditScore", json={"type": "INTEGER", "value": "600"})
    assert r.status_code == 201, r.text
    assert r.json() == {**r.json(), "name": "CreditScore", "type": "INTEGER", "value": "600"}
    r = client.put(f"{url}/CreditScore", json={"name": "ignored", "value": "720"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "CreditScore" and r.json()["value"] == "720"
    assert r.json()["type"] is None  # PUT replaces all fields
    page = client.get(url).json()
    assert page["total"] == 1 and page["value"][0]["value"] == "720"
    assert client.get(f"{url}/CreditScore").json()["value"] == "720"
    full = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert [(p["name"], p["value"]) for p in full["parameters"]] == [("CreditScore", "720")]
    assert full["version"] > c["version"]


def test_parameter_list_create_delete(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/parameters"
    r = client.post(url, json={"name": "Risk class", "type": "STRING", "value": "B"})
    assert r.status_code == 201 and r.headers["Location"].endswith("/parameters/Risk%20class")
    assert_problem(client.post(url, json={"name": "Risk class", "value": "C"}), 409, "name")
    assert_problem(client.post(url, json={"value": "C"}), 422, "name")
    for i in range(3):
        client.put(f"{url}/p{i}", json={"type": "INTEGER", "value": str(i)})
    page = client.get(url, params={"$filter": "type eq 'INTEGER'", "$orderby": "name desc", "$top": 2}).json()
    assert page["total"] == 3 and page["count"] == 2 and [p["name"] for p in page["value"]] == ["p2", "p1"]
    assert [p["name"] for p in client.get(url, params={"$skip": 3}).json()["value"]] == ["p2"]  # creation order
    assert client.delete(f"{url}/p0").status_code == 204
    assert_problem(client.get(f"{url}/p0"), 404)
    assert_problem(client.get(url, params={"$orderby": "secret"}), 400, "$orderby")
    assert_problem(client.put(f"{url}/x", json={"value": "v" * 4001}), 422, "value")


def test_extra_fields_hold_arrays_of_strings(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/extra-fields"
    r = client.put(f"{url}/Hobbies", json={"value": ["sailing", " chess "]})
    assert r.status_code == 201, r.text
    assert r.json()["value"] == ["sailing", "chess"]
    r = client.put(f"{url}/Hobbies", json={"value": ["golf"]})
    assert r.status_code == 200 and r.json()["value"] == ["golf"]
    assert client.post(url, json={"name": "Empty"}).json()["value"] == []
    page = client.get(url, params={"$orderby": "name"}).json()
    assert [(f["name"], f["value"]) for f in page["value"]] == [("Empty", []), ("Hobbies", ["golf"])]
    full = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert {f["name"] for f in full["extraFields"]} == {"Empty", "Hobbies"}
    assert_problem(client.put(f"{url}/Bad", json={"value": "not a list"}), 422, "value")
    assert_problem(client.put(f"{url}/Bad", json={"value": [1, None]}), 422)
    assert client.delete(f"{url}/Hobbies").status_code == 204
    assert client.get(url).json()["total"] == 1
