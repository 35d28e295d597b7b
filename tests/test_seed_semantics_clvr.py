"""Issue 24, item 9 (CLVR): parameters in the seed's own shapes — the read-only `href` a
GET gave sent back, the array body on update — and an identical update is no change."""

C = "/compat/clvr/customers"


def test_parameters_with_href_and_the_array_body_on_update(client, company):
    hdr = {"X-Company": company}
    r = client.post(C, json={"fullName": "Kalle Svensson", "lastname": "Svensson"}, headers=hdr)
    guid = r.json()["customerGuid"]
    url = f"{C}/{guid}/parameters"
    r = client.post(url, json=[{"name": "risk", "type": "string", "value": "low", "href": "string"}], headers=hdr)
    assert r.status_code == 201, r.text
    made = r.json()[0]
    assert made["href"] == f"{url}/risk" and made["value"] == "low"
    # The seed's update sends the list shape; the read-only href is ignored.
    r = client.put(f"{url}/risk", json=[{"name": "risk", "type": "string", "value": "high", "href": "x"}], headers=hdr)
    assert r.status_code == 200, r.text
    assert (r.json()["value"], r.json()["href"]) == ("high", f"{url}/risk")
    # What a GET gave, sent back: accepted, nothing changes (not even lastUpdatedAt).
    got = client.get(f"{url}/risk", headers=hdr).json()
    r = client.put(f"{url}/risk", json=got, headers=hdr)
    assert r.status_code == 200 and r.json() == got
    two = [{"name": "risk", "value": "a"}, {"name": "risk", "value": "b"}]
    r = client.put(f"{url}/risk", json=two, headers=hdr)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    assert client.get(f"{url}/risk", headers=hdr).json()["value"] == "high"
