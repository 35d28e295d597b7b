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


CREATE = {  # the seed's create sample, its placeholders as valid values
    "insuranceCompanyReferenceCode": "ATRADIUS",
    "insuranceCompanyNumber": "A-100",
    "insuranceCompanyCustomerNumber": "C-200",
    "note": "first",
    "endDate": "2099-08-24T14:15:22Z",
    "currencyCode": "SEK",
    "amount": 100000,
    "extraLimitAmount": 5000,
    "extraLimitEndDate": "2098-08-24T14:15:22Z",
    "paymentTerm": 30,
    "graceDays": 5,
}


def test_credit_insurance_update_keeps_what_the_seed_update_lacks(client, company):
    """Item 2: the seed's update has no reference code: its replace keeps it (and the date
    and insurer name); insuranceDate and insuranceCompanyName are filled."""
    hdr = {"X-Company": company}
    guid = client.post(C, json={"fullName": "Kalle Svensson", "lastname": "Svensson"}, headers=hdr).json()[
        "customerGuid"
    ]
    url = f"{C}/{guid}/creditinsurances"
    r = client.post(url, json=CREATE, headers=hdr)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["insuranceCompanyReferenceCode"] == "ATRADIUS" and made["insuranceCompanyName"] == "Atradius"
    assert made["insuranceDate"] is not None
    update = {k: v for k, v in CREATE.items() if k != "insuranceCompanyReferenceCode"} | {"note": "second"}
    r = client.put(f"{url}/{made['insuranceGuid']}", json=update, headers=hdr)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["note"] == "second" and got["insuranceCompanyReferenceCode"] == "ATRADIUS"
    assert (got["insuranceDate"], got["insuranceCompanyName"]) == (made["insuranceDate"], "Atradius")
    # The seed's update clears what it has: a missing note is cleared.
    r = client.put(f"{url}/{made['insuranceGuid']}", json={"amount": 1}, headers=hdr)
    assert r.json()["note"] is None and r.json()["insuranceCompanyReferenceCode"] == "ATRADIUS"
    # The native replace owns every field: the reference code goes, the date stays.
    native = f"/v1/companies/{company}/customers/{guid}/credit-insurances/{made['insuranceGuid']}"
    r = client.put(native, json={"amount": 2})
    assert r.status_code == 200, r.text
    assert r.json()["insuranceCompanyReferenceCode"] is None and r.json()["insuranceDate"] == made["insuranceDate"][:10]
