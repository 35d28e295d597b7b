"""Relations: same company, not itself, one per (customer, related, role); the derived
views on the customer GET in both directions; parentCustomer cycles."""

import uuid

from conftest import assert_problem, create_customer, new_company


def test_guarantor_shows_in_both_customers(client, customers_url):
    a = create_customer(client, customers_url, lastName="Debtor")
    b = create_customer(
        client,
        customers_url,
        customerType="COMPANY",
        companyName="Takaaja Oy",
        idNumber="0112038-9",
        email="info@takaaja.fi",
    )
    r = client.post(
        f"{customers_url}/{a['customerGuid']}/relations",
        json={"relatedCustomer": b["customerGuid"], "roleCode": "guarantor"},
    )
    assert r.status_code == 201, r.text
    rel = r.json()
    assert rel["roleCode"] == "GUARANTOR" and rel["relatedCustomer"] == b["customerGuid"]

    a_full = client.get(f"{customers_url}/{a['customerGuid']}").json()
    assert [g["guarantorGuid"] for g in a_full["myGuarantors"]] == [b["customerGuid"]]
    g = a_full["myGuarantors"][0]
    assert g["fullName"] == "Takaaja Oy" and g["juridicalType"] == 1 and g["email"] == "info@takaaja.fi"
    assert g["idNumber"] == b["idNumber"] and g["links"][0]["href"].endswith(b["customerGuid"])
    assert a_full["guaranteeFor"] == []
    assert [
        (x["customerGuid"], x["customerRoleCode"], x["relationDirection"]) for x in a_full["allRelatedCustomers"]
    ] == [(b["customerGuid"], "GUARANTOR", "OUTGOING")]

    b_full = client.get(f"{customers_url}/{b['customerGuid']}").json()
    assert [x["customerGuid"] for x in b_full["guaranteeFor"]] == [a["customerGuid"]]
    assert b_full["guaranteeFor"][0]["fullName"] == "Debtor" and b_full["guaranteeFor"][0]["juridicalType"] == 0
    assert b_full["myGuarantors"] == []
    assert [
        (x["customerGuid"], x["customerRoleCode"], x["relationDirection"]) for x in b_full["allRelatedCustomers"]
    ] == [(a["customerGuid"], "GUARANTOR", "INCOMING")]
    # Both customers moved: the relation changes what both GETs show.
    assert a_full["version"] > a["version"] and b_full["version"] > b["version"]


def test_all_related_customers_carry_the_role(client, customers_url):
    a = create_customer(client, customers_url)
    b = create_customer(client, customers_url, lastName="B")
    c = create_customer(client, customers_url, lastName="C")
    url = f"{customers_url}/{a['customerNumber']}/relations"
    for related, role in ((b, "CONTACT_PERSON"), (b, "CO_DEBTOR"), (c, "SUBSIDIARY")):
        r = client.post(url, json={"relatedCustomer": related["customerGuid"], "roleCode": role})
        assert r.status_code == 201, r.text
    # relatedCustomer may name the customer by number too; the GUID is stored.
    r = client.post(url, json={"relatedCustomer": str(c["customerNumber"]), "roleCode": "GUARANTOR"})
    assert r.status_code == 201 and r.json()["relatedCustomer"] == c["customerGuid"]
    full = client.get(f"{customers_url}/{a['customerGuid']}").json()
    roles = sorted((x["customerGuid"], x["customerRoleCode"]) for x in full["allRelatedCustomers"])
    assert roles == sorted(
        [
            (b["customerGuid"], "CONTACT_PERSON"),
            (b["customerGuid"], "CO_DEBTOR"),
            (c["customerGuid"], "SUBSIDIARY"),
            (c["customerGuid"], "GUARANTOR"),
        ]
    )
    assert [g["guarantorGuid"] for g in full["myGuarantors"]] == [c["customerGuid"]]
    page = client.get(url, params={"$filter": f"relatedCustomer eq {b['customerGuid']}", "$orderby": "roleCode"})
    assert [x["roleCode"] for x in page.json()["value"]] == ["CONTACT_PERSON", "CO_DEBTOR"]


def test_relation_rules(client, customers_url):
    a = create_customer(client, customers_url)
    b = create_customer(client, customers_url, lastName="B")
    url = f"{customers_url}/{a['customerGuid']}/relations"
    assert_problem(
        client.post(url, json={"relatedCustomer": a["customerGuid"], "roleCode": "GUARANTOR"}), 422, "relatedCustomer"
    )
    other = create_customer(client, f"/v1/companies/{new_company(client)}/customers")
    status = client.post(url, json={"relatedCustomer": other["customerGuid"], "roleCode": "GUARANTOR"})
    assert status.status_code in (404, 422)
    assert_problem(status, status.status_code, "relatedCustomer")
    assert_problem(
        client.post(url, json={"relatedCustomer": str(uuid.uuid4()), "roleCode": "GUARANTOR"}), 422, "relatedCustomer"
    )
    assert_problem(
        client.post(url, json={"relatedCustomer": "nonsense", "roleCode": "GUARANTOR"}), 422, "relatedCustomer"
    )
    body = assert_problem(
        client.post(url, json={"relatedCustomer": b["customerGuid"], "roleCode": "FRIEND"}), 422, "roleCode"
    )
    assert "GUARANTOR" in body["errors"][0]["message"] and "CO_DEBTOR" in body["errors"][0]["message"]
    assert_problem(client.post(url, json={"roleCode": "GUARANTOR"}), 422, "relatedCustomer")
    first = client.post(url, json={"relatedCustomer": b["customerGuid"], "roleCode": "GUARANTOR"}).json()
    assert_problem(
        client.post(url, json={"relatedCustomer": b["customerGuid"], "roleCode": "GUARANTOR"}), 409, "relatedCustomer"
    )
    second = client.post(url, json={"relatedCustomer": b["customerGuid"], "roleCode": "CO_DEBTOR"}).json()
    # Replacing into an existing (customer, related, role) is a conflict too; into a new role is fine.
    assert_problem(
        client.put(
            f"{url}/{second['relationGuid']}", json={"relatedCustomer": b["customerGuid"], "roleCode": "GUARANTOR"}
        ),
        409,
    )
    r = client.put(
        f"{url}/{first['relationGuid']}", json={"relatedCustomer": b["customerGuid"], "roleCode": "CONTACT_PERSON"}
    )
    assert r.status_code == 200 and r.json()["roleCode"] == "CONTACT_PERSON"
    # The reverse direction is another relation, not a duplicate.
    back = client.post(
        f"{customers_url}/{b['customerGuid']}/relations",
        json={"relatedCustomer": a["customerGuid"], "roleCode": "GUARANTOR"},
    )
    assert back.status_code == 201
    assert client.delete(f"{url}/{first['relationGuid']}").status_code == 204
    assert client.get(url).json()["total"] == 1


def test_deleting_a_customer_removes_its_relations_everywhere(client, customers_url):
    a = create_customer(client, customers_url)
    b = create_customer(client, customers_url, lastName="B")
    client.post(
        f"{customers_url}/{a['customerGuid']}/relations",
        json={"relatedCustomer": b["customerGuid"], "roleCode": "GUARANTOR"},
    )
    before = client.get(f"{customers_url}/{a['customerGuid']}").json()
    assert client.delete(f"{customers_url}/{b['customerGuid']}").status_code == 204
    after = client.get(f"{customers_url}/{a['customerGuid']}").json()
    assert after["myGuarantors"] == [] and after["allRelatedCustomers"] == []
    assert after["version"] > before["version"]
    assert client.get(f"{customers_url}/{a['customerGuid']}/relations").json()["total"] == 0


def test_parent_customer_cycles_are_refused(client, customers_url):
    a = create_customer(client, customers_url, lastName="A")
    b = create_customer(client, customers_url, lastName="B", parentCustomer=a["customerGuid"])
    c = create_customer(client, customers_url, lastName="C", parentCustomer=b["customerGuid"])
    # a → c would close a → c → b → a.
    r = client.patch(f"{customers_url}/{a['customerGuid']}", json={"parentCustomer": c["customerGuid"]})
    assert_problem(r, 409, "parentCustomer")
    r = client.put(f"{customers_url}/{a['customerGuid']}", json={"lastName": "A", "parentCustomer": b["customerGuid"]})
    assert_problem(r, 409, "parentCustomer")
    assert_problem(
        client.patch(f"{customers_url}/{a['customerGuid']}", json={"parentCustomer": a["customerGuid"]}), 422
    )
    assert_problem(
        client.patch(f"{customers_url}/{a['customerGuid']}", json={"parentCustomer": str(uuid.uuid4())}), 422
    )
    # A parent that is not a descendant is fine.
    d = create_customer(client, customers_url, lastName="D")
    r = client.patch(f"{customers_url}/{a['customerGuid']}", json={"parentCustomer": d["customerGuid"]})
    assert r.status_code == 200 and r.json()["parentCustomer"] == d["customerGuid"]
    # Moving c under a (its grandparent) stays a tree.
    r = client.patch(f"{customers_url}/{c['customerGuid']}", json={"parentCustomer": a["customerGuid"]})
    assert r.status_code == 200
