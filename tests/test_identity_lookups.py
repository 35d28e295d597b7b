"""Issue 4: external ids, lookups, client search, credential check, basic details, exclusion."""

from conftest import assert_problem, create_customer, new_company


def test_external_id_pair_lookup_and_uniqueness(client, customers_url):
    c = create_customer(client, customers_url, externalSystemId=6, externalSystemIdentifier="woo-123")
    assert c["externalSystemId"] == 6 and c["externalIds"][0]["externalSystemIdentifier"] == "woo-123"
    r = client.get(f"{customers_url}/lookup", params={"externalSystemId": 6, "externalSystemIdentifier": "woo-123"})
    assert r.status_code == 200, r.text
    assert r.json() == {"customerNumber": c["customerNumber"], "customerGuid": c["customerGuid"]}
    dup = client.post(
        customers_url, json={"lastName": "B", "externalSystemId": 6, "externalSystemIdentifier": "woo-123"}
    )
    body = assert_problem(dup, 409)
    assert str(c["customerNumber"]) in body["detail"]
    assert_problem(
        client.post(customers_url, json={"lastName": "B", "externalSystemId": 6}), 422, "externalSystemIdentifier"
    )
    assert_problem(
        client.post(customers_url, json={"lastName": "B", "externalSystemIdentifier": "x"}), 422, "externalSystemId"
    )
    assert client.get(f"{customers_url}/count").json() == {"count": 1}
    assert_problem(
        client.get(f"{customers_url}/lookup", params={"externalSystemId": 6}), 422, "externalSystemIdentifier"
    )
    assert_problem(
        client.get(f"{customers_url}/lookup", params={"externalSystemId": 6, "externalSystemIdentifier": "nope"}), 404
    )


def test_tehden_style_string_system_id_and_patch(client, customers_url):
    c = create_customer(client, customers_url, externalSystemId="5", externalSystemIdentifier="mcf-1")
    r = client.patch(
        f"{customers_url}/{c['customerNumber']}", json={"externalSystemId": 5, "externalSystemIdentifier": "mcf-2"}
    )
    assert r.status_code == 200, r.text
    assert [e["externalSystemIdentifier"] for e in r.json()["externalIds"]] == ["mcf-2"]
    r = client.patch(
        f"{customers_url}/{c['customerNumber']}", json={"externalSystemId": 6, "externalSystemIdentifier": "woo-9"}
    )
    assert len(r.json()["externalIds"]) == 2
    assert_problem(
        client.post(customers_url, json={"lastName": "X", "externalSystemId": 99, "externalSystemIdentifier": "a"}),
        422,
        "externalSystemId",
    )


def test_external_ids_sub_resource_and_nested(client, customers_url):
    c = create_customer(
        client,
        customers_url,
        externalIds=[
            {"externalSystemId": 1, "externalSystemIdentifier": "m-1"},
            {"externalSystemId": 2, "externalSystemIdentifier": "p-1"},
        ],
    )
    assert len(c["externalIds"]) == 2
    url = f"{customers_url}/{c['customerGuid']}/external-ids"
    r = client.post(url, json={"externalSystemId": 7, "externalSystemIdentifier": "shop-1"})
    assert r.status_code == 201, r.text
    assert client.get(url).json()["total"] == 3
    assert_problem(client.post(url, json={"externalSystemId": 7}), 422)
    other = create_customer(client, customers_url, lastName="Other")
    body = assert_problem(
        client.post(
            f"{customers_url}/{other['customerGuid']}/external-ids",
            json={"externalSystemId": 7, "externalSystemIdentifier": "shop-1"},
        ),
        409,
    )
    assert str(c["customerNumber"]) in body["detail"]
    nested = client.post(
        customers_url,
        json={
            "lastName": "N",
            "externalIds": [
                {"externalSystemId": 3, "externalSystemIdentifier": "ok"},
                {"externalSystemId": 1, "externalSystemIdentifier": "m-1"},
            ],
        },
    )
    assert_problem(nested, 409, "externalIds[1].externalSystemIdentifier")
    assert client.get(f"{customers_url}/count").json() == {"count": 2}


def test_lookup_by_number_and_id_number(client, customers_url):
    p = create_customer(client, customers_url, lastName="Pekkala", idNumber="131052-308T")
    co = create_customer(client, customers_url, customerType="COMPANY", companyName="Oy Ab", idNumber="1572860-0")
    assert (
        client.get(f"{customers_url}/lookup", params={"identifier": p["customerNumber"]}).json()["customerGuid"]
        == p["customerGuid"]
    )
    assert (
        client.get(f"{customers_url}/lookup", params={"idNumber": "131052-308t"}).json()["customerNumber"]
        == p["customerNumber"]
    )
    assert (
        client.get(f"{customers_url}/lookup", params={"idNumber": "15728600"}).json()["customerNumber"]
        == co["customerNumber"]
    )
    assert_problem(client.get(f"{customers_url}/lookup"), 400)


def test_search_by_org_number(client, customers_url):
    create_customer(
        client,
        customers_url,
        customerType="COMPANY",
        companyName="Test AB",
        idNumber="556036-0793",
        countryCode="SE",
        street="Teststreet",
        zipCode="12341",
        city="Testcity",
        email="billing@testcompany.com",
        workPhone="+46701234678",
    )
    r = client.get(f"{customers_url}/search-by-org-number/5560360793")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "firstname": None,
        "lastname": None,
        "company": "Test AB",
        "street": "Teststreet",
        "zip": "12341",
        "city": "Testcity",
        "country": "SE",
        "phone": "+46701234678",
        "email": "billing@testcompany.com",
    }
    assert_problem(client.get(f"{customers_url}/search-by-org-number/556036-0794"), 422, "orgNumber")
    assert_problem(client.get(f"{customers_url}/search-by-org-number/2331972-7"), 404)


def test_client_search_rules(client, customers_url):
    c = create_customer(
        client,
        customers_url,
        firstName="Åsa",
        lastName="Åström",
        street="Grubbegata 6",
        zipCode="0179",
        city="Oslo",
        countryCode="NO",
        cellularPhone="+4791234567",
        email="asa@example.no",
    )
    create_customer(
        client,
        customers_url,
        lastName="Müller",
        street="Hauptstraße 1",
        zipCode="10115",
        city="Berlin",
        countryCode="DE",
    )
    create_customer(client, customers_url, lastName="Mäkelä", cellularPhone="040 123 4567")  # company FI
    search = f"{customers_url}/search"
    assert_problem(client.post(search, json={"lastName": "Åström"}), 400, "streetAddress")
    assert_problem(client.post(search, json={}), 400)
    r = client.post(search, json={"lastName": "astrom", "streetAddress": "GRUBBEGATA", "postalCode": "0179"})
    assert r.status_code == 200, r.text
    assert [x["customerNumber"] for x in r.json()["customers"]] == [c["customerNumber"]]
    found = r.json()["customers"][0]
    assert set(found) == {"customerNumber", "name", "phoneNumbers", "emails", "invoiceEmailAddress"}
    r = client.post(search, json={"lastName": "MULLER", "streetAddress": "hauptstrasse", "postalPlace": "berlin"})
    assert [x["name"]["lastName"] for x in r.json()["customers"]] == ["Müller"]
    r = client.post(search, json={"phoneNumber": "+358401234567"})
    assert [x["name"]["lastName"] for x in r.json()["customers"]] == ["Mäkelä"]
    assert r.json()["customers"][0]["phoneNumbers"] == [{"type": "MOBILE", "number": "+358401234567"}]
    assert_problem(client.post(search, json={"phoneNumber": "040 123 4567"}), 400, "phoneNumber")
    assert_problem(
        client.post(search, json={"lastName": "x" * 31, "streetAddress": "a", "postalCode": "1"}), 400, "lastName"
    )
    assert_problem(client.post(search, json={"email": "a@b.fi", "productCode": "x" * 13}), 400, "productCode")
    assert client.post(search, json={"email": "nobody@example.no"}).json() == {"customers": []}


def test_client_search_more_than_five_is_403(client, customers_url):
    for i in range(6):
        create_customer(client, customers_url, lastName=f"Same{i}", email="shared@example.fi")
    assert_problem(client.post(f"{customers_url}/search", json={"email": "shared@example.fi"}), 403)
    client.patch(f"{customers_url}/6", json={"excluded": True})
    r = client.post(f"{customers_url}/search", json={"email": "SHARED@example.fi"})
    assert r.status_code == 200 and len(r.json()["customers"]) == 5


def test_check_credentials(client, customers_url):
    a = create_customer(client, customers_url, email="a@example.fi", cellularPhone="040 123 4567")
    b = create_customer(client, customers_url, lastName="B")
    r = client.post(
        f"{customers_url}/check",
        json={"credentials": [str(b["customerNumber"]), "A@example.fi", "+358401234567", "nobody@example.fi", "999"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["customers"] == [
        {"credential": str(b["customerNumber"]), "customerNumber": b["customerNumber"]},
        {"credential": "A@example.fi", "customerNumber": a["customerNumber"]},
        {"credential": "+358401234567", "customerNumber": a["customerNumber"]},
    ]
    assert_problem(client.post(f"{customers_url}/check", json={"credentials": []}), 422)


def test_basic_details_defaults_and_codes(client, company, customers_url):
    url = f"/v1/companies/{company}/basic-details"
    details = client.get(url).json()
    assert {"LEGAL", "DELIVERY", "INVOICE", "VISITING"} <= {c["code"] for c in details["addressTypes"]}
    assert {"GUARANTOR", "CO_DEBTOR"} <= {c["code"] for c in details["relationRoles"]}
    assert {"6", "22"} <= {c["code"] for c in details["externalSystems"]}
    for key in (
        "customerGroups",
        "segments",
        "customerTypes",
        "dimensions",
        "postingGroups",
        "deliveryTerms",
        "deliveryMethods",
        "paymentTerms",
        "priceLists",
        "vatStatuses",
    ):
        assert key in details
    r = client.put(f"{url}/customerGroups", json=[{"code": "RETAIL", "name": "Retail"}])
    assert r.status_code == 200, r.text
    assert_problem(
        client.post(customers_url, json={"lastName": "W", "customerGroup": "WHOLESALE"}), 422, "customerGroup"
    )
    c = create_customer(client, customers_url, lastName="R", customerGroup="RETAIL")
    body = assert_problem(client.put(f"{url}/customerGroups", json=[]), 409)
    assert "1" in body["detail"] and "RETAIL" in body["detail"]
    client.patch(f"{customers_url}/{c['customerNumber']}", json={"customerGroup": None})
    assert client.put(f"{url}/customerGroups", json=[]).status_code == 200


def test_dimensions_and_address_types(client, company, customers_url):
    url = f"/v1/companies/{company}/basic-details"
    r = client.put(
        f"{url}/dimensions", json=[{"code": "CC", "name": "Cost centre", "values": [{"code": "100", "name": "Sales"}]}]
    )
    assert r.status_code == 200, r.text
    assert r.json()["dimensions"][0]["values"] == [{"code": "100", "name": "Sales"}]
    create_customer(client, customers_url, lastName="D", dimensions={"CC": "100"})
    assert_problem(
        client.post(customers_url, json={"lastName": "D", "dimensions": {"CC": "999"}}), 422, "dimensions.CC"
    )
    assert_problem(client.post(customers_url, json={"lastName": "D", "dimensions": {"XX": "1"}}), 422, "dimensions.XX")
    assert_problem(client.put(f"{url}/dimensions", json=[{"code": "CC", "name": "Cost centre", "values": []}]), 409)
    assert_problem(client.put(f"{url}/nonsense", json=[]), 400)
    c = create_customer(client, customers_url)
    assert_problem(
        client.post(f"{customers_url}/{c['customerNumber']}/addresses", json={"addressType": "SUMMER"}),
        422,
        "addressType",
    )
    client.put(
        f"{url}/addressTypes",
        json=[
            {"code": "LEGAL", "name": "Legal"},
            {"code": "DELIVERY", "name": "D"},
            {"code": "SUMMER", "name": "Summer cottage"},
        ],
    )
    assert (
        client.post(f"{customers_url}/{c['customerNumber']}/addresses", json={"addressType": "SUMMER"}).status_code
        == 201
    )


def test_excluded_customer_is_hidden_unless_asked(client, customers_url):
    visible = create_customer(client, customers_url, lastName="Visible", email="v@example.fi")
    hidden = create_customer(
        client,
        customers_url,
        lastName="Hidden",
        email="h@example.fi",
        excluded=True,
        externalSystemId=7,
        externalSystemIdentifier="h-1",
    )
    assert [c["customerNumber"] for c in client.get(customers_url).json()["value"]] == [visible["customerNumber"]]
    assert client.get(f"{customers_url}/count").json() == {"count": 1}
    assert client.get(f"{customers_url}/count", params={"includeExcluded": True}).json() == {"count": 2}
    assert client.get(customers_url, params={"includeExcluded": True}).json()["total"] == 2
    assert client.post(f"{customers_url}/search", json={"email": "h@example.fi"}).json() == {"customers": []}
    assert_problem(client.get(f"{customers_url}/lookup", params={"identifier": hidden["customerNumber"]}), 404)
    assert_problem(
        client.get(f"{customers_url}/lookup", params={"externalSystemId": 7, "externalSystemIdentifier": "h-1"}), 404
    )
    assert (
        client.get(
            f"{customers_url}/lookup", params={"identifier": hidden["customerNumber"], "includeExcluded": True}
        ).status_code
        == 200
    )
    assert client.get(f"{customers_url}/{hidden['customerNumber']}").json()["excluded"] is True
    assert client.get(customers_url, params={"searchWord": "hidden"}).json()["total"] == 0


def test_company_isolation_of_lookups(client, customers_url):
    create_customer(client, customers_url, externalSystemId=6, externalSystemIdentifier="iso-1")
    other = new_company(client)
    assert_problem(
        client.get(
            f"/v1/companies/{other}/customers/lookup",
            params={"externalSystemId": 6, "externalSystemIdentifier": "iso-1"},
        ),
        404,
    )
    create_customer(client, f"/v1/companies/{other}/customers", externalSystemId=6, externalSystemIdentifier="iso-1")


def test_relation_roles_and_consent_channels_come_from_the_register(client, company, customers_url):
    url = f"/v1/companies/{company}/basic-details"
    a = create_customer(client, customers_url, lastName="A")
    b = create_customer(client, customers_url, lastName="B")
    rel = f"{customers_url}/{a['customerGuid']}/relations"
    assert_problem(
        client.post(rel, json={"relatedCustomer": b["customerGuid"], "roleCode": "SPONSOR"}), 422, "roleCode"
    )
    roles = client.get(url).json()["relationRoles"] + [{"code": "SPONSOR", "name": "Sponsor"}]
    assert client.put(f"{url}/relationRoles", json=roles).status_code == 200
    assert client.post(rel, json={"relatedCustomer": b["customerGuid"], "roleCode": "SPONSOR"}).status_code == 201
    body = assert_problem(client.put(f"{url}/relationRoles", json=roles[:-1]), 409)
    assert "SPONSOR" in body["detail"]
    consent = f"{customers_url}/{a['customerGuid']}/consents"
    assert_problem(client.put(f"{consent}/WHATSAPP", json={"granted": True}), 422, "channel")
    channels = client.get(url).json()["consentChannels"] + [{"code": "WHATSAPP", "name": "WhatsApp"}]
    client.put(f"{url}/consentChannels", json=channels)
    assert client.put(f"{consent}/WHATSAPP", json={"granted": True}).status_code in (200, 201)
    assert_problem(client.put(f"{url}/consentChannels", json=channels[:-1]), 409)
