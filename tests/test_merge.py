"""Issue 26, merge: customers folded into a survivor with their records, aliases that lead
to it, the change feed and audit trail saying so, all or nothing."""

from conftest import assert_problem, create_customer, new_company


def _three(client, url):
    a = create_customer(client, url, lastName="Aalto", firstName="Aino", email="a@example.fi", city="Oulu")
    b = create_customer(
        client,
        url,
        lastName="Aalto",
        firstName="Aino",
        email="aino@example.fi",
        cellularPhone="+358401234567",
        idNumber="131052-308T",
        externalSystemId=6,
        externalSystemIdentifier="woo-7",
        contacts=[{"name": "Boss", "email": "boss@example.fi"}],
    )
    c = create_customer(client, url, lastName="Aalto", firstName="A.", street="Katu 1", city="Turku")
    for key, iban in ((b, "FI21 1234 5600 0007 85"), (a, "FI21 1234 5600 0007 85"), (c, "NO93 8601 1117 947")):
        r = client.post(f"{url}/{key['customerNumber']}/bank-accounts", json={"iban": iban})
        assert r.status_code == 201, r.text
    consents = f"{url}/{b['customerNumber']}/consents"
    assert client.put(f"{consents}/EMAIL", json={"granted": True, "source": "shop"}).status_code in (200, 201)
    assert client.put(f"{consents}/EMAIL", json={"granted": False, "source": "unsubscribe"}).status_code == 200
    other = create_customer(client, url, lastName="Guarantor")
    r = client.post(
        f"{url}/{other['customerNumber']}/relations",
        json={"relatedCustomer": c["customerGuid"], "roleCode": "GUARANTOR"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"{url}/{c['customerNumber']}/relations", json={"relatedCustomer": a["customerGuid"], "roleCode": "GUARANTOR"}
    )
    assert r.status_code == 201, r.text
    return a, b, c, other


def _etag(client, url, c):
    return client.get(f"{url}/{c['customerNumber']}").headers["ETag"]


def test_merge_of_three_leaves_one_customer_with_everything(client, company, customers_url):
    url = customers_url
    a, b, c, other = _three(client, url)
    cursor = client.get(f"/v1/companies/{company}/changes", params={"limit": 1000}).json()["nextCursor"]
    body = {
        "from": [str(b["customerNumber"]), c["customerGuid"]],
        "fields": {"email": str(b["customerNumber"]), "street": c["customerGuid"], "city": c["customerGuid"]},
        "ifMatch": {str(b["customerNumber"]): _etag(client, url, b), c["customerGuid"]: _etag(client, url, c)},
    }
    r = client.post(f"{url}/{a['customerNumber']}/merge", json=body, headers={"If-Match": _etag(client, url, a)})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["customerNumber"] == a["customerNumber"]
    assert merged["email"] == "aino@example.fi" and merged["street"] == "Katu 1" and merged["city"] == "Turku"
    assert r.headers["ETag"] == f'"{merged["version"]}"'
    got = client.get(f"{url}/{a['customerNumber']}").json()
    assert sorted(x["iban"] for x in got["bankAccounts"]) == ["FI2112345600000785", "NO9386011117947"]
    assert [x["name"] for x in got["contacts"]] == ["Boss"]
    assert [(x["externalSystemId"], x["externalSystemIdentifier"]) for x in got["externalIds"]] == [(6, "woo-7")]
    assert [(x["channel"], x["granted"]) for x in got["consents"]] == [("EMAIL", False)]
    history = client.get(f"{url}/{a['customerNumber']}/consents/EMAIL/history").json()
    assert [h["granted"] for h in history["value"]] in ([True, False], [False, True])
    assert got["relations"] == []  # c → a would relate a to itself: dropped
    guarantor = client.get(f"{url}/{other['customerNumber']}/relations").json()["value"]
    assert [x["relatedCustomer"] for x in guarantor] == [a["customerGuid"]]
    assert client.get(f"{url}/count").json() == {"count": 2}
    # The merged customers' numbers, GUIDs and external id lead to the survivor.
    for key in (str(b["customerNumber"]), b["customerGuid"], c["customerGuid"]):
        old = client.get(f"{url}/{key}")
        assert old.status_code == 200 and old.json()["customerNumber"] == a["customerNumber"]
        assert old.json()["mergedFrom"] == key
    assert_problem(client.delete(f"{url}/{b['customerNumber']}"), 404)  # never the survivor
    assert_problem(client.request("DELETE", url, json=[b["customerGuid"]]), 404)
    found = client.get(f"{url}/lookup", params={"identifier": b["customerNumber"]}).json()
    assert found == {
        "customerNumber": a["customerNumber"],
        "customerGuid": a["customerGuid"],
        "mergedFrom": b["customerNumber"],
    }
    found = client.get(f"{url}/lookup", params={"externalSystemId": 6, "externalSystemIdentifier": "woo-7"}).json()
    assert found["customerNumber"] == a["customerNumber"]
    # The change feed: both merged ones deleted, the survivor (and the re-pointed one) changed.
    changes = client.get(f"/v1/companies/{company}/changes", params={"cursor": cursor}).json()["changes"]
    ops = {(ch["customerNumber"], ch["op"]) for ch in changes}
    assert {(b["customerNumber"], "delete"), (c["customerNumber"], "delete"), (a["customerNumber"], "upsert")} <= ops
    assert (other["customerNumber"], "upsert") in ops
    # The audit trail says so on every customer involved.
    trail = client.get(f"{url}/{a['customerNumber']}/history").json()["value"]
    mark = [e for e in trail if e["operation"] == "merge"]
    assert mark and mark[0]["changes"][0]["new"] == [b["customerNumber"], c["customerNumber"]]
    for gone in (b, c):
        trail = client.get(f"/v1/companies/{company}/customers/{gone['customerGuid']}/history").json()["value"]
        assert any(e["operation"] == "merge" and e["changes"][0]["new"] == a["customerNumber"] for e in trail)
    # The survivor took b's identity number only through the merge; a new one may not.
    r = client.patch(f"{url}/{a['customerNumber']}", json={"idNumber": "131052-308T"})
    assert r.status_code == 200, r.text
    assert_problem(client.post(url, json={"lastName": "X", "idNumber": "131052-308T"}), 409, "idNumber")


def test_a_failing_if_match_leaves_everything_as_it_was(client, company, customers_url):
    url = customers_url
    a, b, c, _ = _three(client, url)
    before = {k["customerNumber"]: client.get(f"{url}/{k['customerNumber']}").json() for k in (a, b, c)}
    body = {"from": [str(b["customerNumber"]), str(c["customerNumber"])], "ifMatch": {str(c["customerNumber"]): '"99"'}}
    assert_problem(client.post(f"{url}/{a['customerNumber']}/merge", json=body), 412)
    r = client.post(
        f"{url}/{a['customerNumber']}/merge", json={"from": [str(b["customerNumber"])]}, headers={"If-Match": '"99"'}
    )
    assert_problem(r, 412)
    for number, doc in before.items():
        assert client.get(f"{url}/{number}").json() == doc
    assert client.get(f"{url}/count").json() == {"count": 4}


def test_self_merge_other_company_and_bad_fields_are_refused(client, customers_url):
    a = create_customer(client, customers_url, lastName="Self")
    b = create_customer(client, customers_url, lastName="Other")
    merge = f"{customers_url}/{a['customerNumber']}/merge"
    assert_problem(client.post(merge, json={"from": [a["customerGuid"]]}), 422, "from[0]")
    foreign = create_customer(client, f"/v1/companies/{new_company(client)}/customers", lastName="Foreign")
    assert_problem(client.post(merge, json={"from": [foreign["customerGuid"]]}), 422, "from[0]")
    assert_problem(
        client.post(merge, json={"from": [b["customerGuid"]], "fields": {"nope": a["customerGuid"]}}),
        422,
        "fields.nope",
    )
    assert_problem(
        client.post(merge, json={"from": [b["customerGuid"]], "fields": {"email": "123456"}}), 422, "fields.email"
    )
    assert client.get(f"{customers_url}/count").json() == {"count": 2}
