"""Issue 24, item 4: an organisation named only by `fullName` is not nameless — Billmate's
`name`, searchByOrgNumber's `company`, Connect's `companyName` (docs/customers.md)."""

from conftest import create_customer, new_company


def test_organisation_named_only_by_full_name(client):
    cuid = new_company(client, "SE")
    hdr = {"X-Company": cuid}
    c = create_customer(
        client,
        f"/v1/companies/{cuid}/customers",
        customerType="COMPANY",
        fullName="Volvo Personvagnar AB",
        idNumber="5560360793",
        street="Assar Gabrielssons väg 1",
        zipCode="40531",
        city="Göteborg",
        email="info@volvo.example",
    )
    assert c["companyName"] is None and c["fullName"] == "Volvo Personvagnar AB"
    n = c["customerNumber"]
    billmate = client.get(f"/compat/billmate/customers/{n}", headers=hdr)
    assert billmate.status_code == 200 and billmate.json()["name"] == "Volvo Personvagnar AB"
    for url in (
        "/compat/billmate/customers/searchByOrgNumber/556036-0793",
        f"/v1/companies/{cuid}/customers/search-by-org-number/5560360793",
    ):
        r = client.get(url, headers=hdr)
        assert r.status_code == 200 and r.json()["company"] == "Volvo Personvagnar AB", r.text
    info = client.get(f"/compat/connect/v1/client/customer/info/{n}", headers=hdr)
    assert info.status_code == 200 and info.json()["name"]["companyName"] == "Volvo Personvagnar AB"
    found = client.post(
        "/compat/connect/v1/client/customer/search",
        json={"companyName": "Volvo Personvagnar AB", "streetAddress": "Assar", "postalCode": "405 31"},
        headers=hdr,
    )
    assert found.status_code == 200, found.text
    assert [(x["customerNumber"], x["name"]["companyName"]) for x in found.json()["customers"]] == [
        (n, "Volvo Personvagnar AB")
    ]
    # A person stays without a company name.
    p = create_customer(client, f"/v1/companies/{cuid}/customers", firstName="Kalle", lastName="Svensson")
    info = client.get(f"/compat/connect/v1/client/customer/info/{p['customerNumber']}", headers=hdr)
    assert info.json()["name"]["companyName"] is None
