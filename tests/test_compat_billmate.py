"""Seed 003 (Billmate) compatibility endpoints, through HTTP."""

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import assert_problem, new_company

B = "/compat/billmate/customers"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# The seed's sample customer, its placeholders replaced by valid values of the same shape.
SAMPLE = {
    "mexcParamvaluesetsid": 1000,
    "date": "2022-08-07T15:50:57.000Z",
    "customerid": "CUST-0042",
    "name": "Test AB",
    "address": "Storgatan 1",
    "postcode": "111 22",
    "postoffice": "Stockholm",
    "state": "AB",
    "countrycode": "se",
    "telephone": "08-123 456 78",
    "fax": "08-123 456 79",
    "mobile": "070-123 45 67",
    "deliveryaddress": "Lagervägen 5",
    "deliverypostcode": "123 45",
    "deliverypostoffice": "Farsta",
    "email": "test@billmate.se",
    "reference": "Kalle Svensson",
    "companyno": "556012-5790",
    "vatregno": "SE556012579001",
    "paymentterms": "NET30",
    "rebate": "10",
    "currency": "SEK",
    "language": "sv",
    "export": "0",
    "handlingcharge": "1",
    "reversetax": "0",
    "mexcModulesid": 1000,
    "mm3servicesid": 1000,
    "country": "Sweden",
    "creditlimit": "5000",
    "customertypecode": "BUSINESS",
    "deliveryterms": "FCA",
    "deliverymethod": "POST",
    "deliveryname": "Test AB Lager",
    "deliveryaddress2": "Port 4",
    "deliverycountrycode": "se",
    "deliverycountry": "Sweden",
    "profile": "RETAIL",
    "name2": "Testbolaget",
    "address2": "c/o Ekonomi",
    "propertydesignation": "Stockholm Tegelbruket 1",
    "housingassociationregno": "769600-1234",
    "status": "ACTIVE",
    "statuslog": "created by import",
    "longitude": "18.0686",
    "latitude": "59.3293",
    "glncode": "7350053850019",
    "reference_order": "Order ref",
    "email_order": "order@test.se",
    "reference_offer": "Offer ref",
    "email_offer": "offer@test.se",
    "notes": "Important customer",
    "origin": "webshop",
    "pricelist": "STANDARD",
    "crediflowPartyId": "cf-123",
}


# The sample's fields of seed 003, in its order (read from ../shared/seeds when it is there).
SEED_FIELDS = [
    "mexcParamvaluesetsid",
    "date",
    "customerid",
    "name",
    "address",
    "postcode",
    "postoffice",
    "state",
    "countrycode",
    "telephone",
    "fax",
    "mobile",
    "deliveryaddress",
    "deliverypostcode",
    "deliverypostoffice",
    "email",
    "reference",
    "companyno",
    "vatregno",
    "paymentterms",
    "rebate",
    "currency",
    "language",
    "export",
    "handlingcharge",
    "reversetax",
    "mexcModulesid",
    "mm3servicesid",
    "country",
    "creditlimit",
    "customertypecode",
    "deliveryterms",
    "deliverymethod",
    "deliveryname",
    "deliveryaddress2",
    "deliverycountrycode",
    "deliverycountry",
    "profile",
    "name2",
    "address2",
    "propertydesignation",
    "housingassociationregno",
    "status",
    "statuslog",
    "longitude",
    "latitude",
    "glncode",
    "reference_order",
    "email_order",
    "reference_offer",
    "email_offer",
    "notes",
    "origin",
    "pricelist",
    "crediflowPartyId",
]


def seed_fields() -> list[str]:
    found = sorted(SEED.glob("003_*")) if SEED.is_dir() else []
    if not found:
        return SEED_FIELDS
    text = found[0].read_text()
    start = text.index("{", text.index("Returns a list of customers"))
    fields = list(json.loads(text[start : text.index("}", start) + 1]))
    assert fields == SEED_FIELDS
    return fields


@pytest.fixture
def company(client):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/basic-details"
    for category, code in (
        ("deliveryTerms", "FCA"),
        ("deliveryMethods", "POST"),
        ("customerGroups", "RETAIL"),
        ("priceLists", "STANDARD"),
    ):
        assert client.put(f"{url}/{category}", json=[{"code": code, "name": code}]).status_code == 200
    return cuid


def hdr(company):
    return {"X-Company": company}


def test_sample_is_stored_and_comes_back_from_billmate_and_native(client, company):
    assert set(SAMPLE) == set(seed_fields())
    r = client.post(B, json=SAMPLE, headers=hdr(company))
    assert r.status_code == 200, r.text
    created = r.json()
    assert list(created) == seed_fields()  # the sample response's fields, in its order
    number = created["mexcParamvaluesetsid"]
    got = client.get(f"{B}/{number}", headers=hdr(company)).json()
    assert got == created
    expected = dict(
        SAMPLE,
        mexcParamvaluesetsid=number,
        date=got["date"],
        telephone="+46812345678",
        fax="+46812345679",
        mobile="+46701234567",
        companyno="556012-5790",
        postcode="111 22",
    )
    assert got == expected
    native = client.get(f"/v1/companies/{company}/customers/{number}").json()
    assert native["customerType"] == "COMPANY" and native["companyName"] == "Test AB"
    assert native["idNumber"] == "556012-5790" and native["vatNumber"] == "SE556012579001"
    assert native["customerReference"] == "CUST-0042" and native["clientReference"] == "Kalle Svensson"
    assert native["street"] == "Storgatan 1" and native["city"] == "Stockholm" and native["countryCode"] == "SE"
    assert native["workPhone"] == "+46812345678" and native["cellularPhone"] == "+46701234567"
    assert native["rebate"] == 10 and native["creditLimit"] == 5000 and native["handlingCharge"] is True
    assert native["glnNumber"] == "7350053850019" and native["priceList"] == "STANDARD"
    delivery = [a for a in native["addresses"] if a["addressType"] == "DELIVERY"]
    assert delivery[0]["street"] == "Lagervägen 5" and delivery[0]["fullName"] == "Test AB Lager"
    assert delivery[0]["careOf"] == "Port 4" and delivery[0]["city"] == "Farsta"
    legal = [a for a in native["addresses"] if a["addressType"] == "LEGAL"]
    assert legal[0]["careOf"] == "c/o Ekonomi"
    params = {p["name"]: p["value"] for p in native["parameters"]}
    assert params["billmate.crediflowPartyId"] == "cf-123" and params["billmate.statuslog"] == "created by import"
    assert created["date"].startswith(native["regDate"][:19])
    assert [c["mexcParamvaluesetsid"] for c in client.get(B, headers=hdr(company)).json()] == [number]


def test_person_when_companyno_is_not_an_org_number(client, company):
    r = client.post(
        B, json={"name": "Kalle Svensson", "companyno": "19811218-9876", "countrycode": "se"}, headers=hdr(company)
    )
    assert r.status_code == 200, r.text
    native = client.get(f"/v1/companies/{company}/customers/{r.json()['mexcParamvaluesetsid']}").json()
    assert native["customerType"] == "PERSON" and native["fullName"] == "Kalle Svensson"
    assert native["companyName"] is None


def test_placeholders_are_422_naming_the_seed_field(client, company):
    for field, placeholder in (
        ("creditlimit", "Test-Credit limit"),
        ("rebate", "Test-Rebate"),
        ("telephone", "Test-Telephone"),
        ("countrycode", "Test-Country"),
        ("glncode", "Test-Gln code"),
        ("paymentterms", "Test-Payment"),
        ("deliverycountrycode", "Test-Delivery country code"),
        ("handlingcharge", "Test-Charge"),
    ):
        r = client.post(B, json={"name": "X", field: placeholder}, headers=hdr(company))
        assert_problem(r, 422, field)
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    r = client.post(B, json={"name": "X", "statuslog": {"a": 1}}, headers=hdr(company))
    assert_problem(r, 422, "statuslog")
    r = client.post(B, json={"name": "X", "country": "Atlantis"}, headers=hdr(company))
    assert_problem(r, 422, "country")
    r = client.post(B, json={"name": "X", "unknown": 1}, headers=hdr(company))
    assert_problem(r, 422, "unknown")


def test_patch_count_search_delete_and_export(client, company):
    a = client.post(B, json=SAMPLE, headers=hdr(company)).json()["mexcParamvaluesetsid"]
    b = client.post(B, json={"name": "Per Persson", "email": "per@example.se"}, headers=hdr(company)).json()[
        "mexcParamvaluesetsid"
    ]
    c = client.post(B, json={"name": "Tredje"}, headers=hdr(company)).json()["mexcParamvaluesetsid"]
    r = client.patch(
        f"{B}/{a}", json={"deliverypostoffice": "Solna", "notes": None, "statuslog": None}, headers=hdr(company)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deliverypostoffice"] == "Solna" and body["deliveryaddress"] == "Lagervägen 5"
    assert body["notes"] == "" and body["statuslog"] == "" and body["email"] == "test@billmate.se"
    assert client.get(f"{B}/count", headers=hdr(company)).json() == {"count": 3}
    assert client.get(f"{B}/count", params={"searchWord": "persson"}, headers=hdr(company)).json() == {"count": 1}
    r = client.get(
        B,
        params={"$filter": "postoffice eq 'Stockholm'", "$orderby": "mexcParamvaluesetsid desc"},
        headers=hdr(company),
    )
    assert [x["mexcParamvaluesetsid"] for x in r.json()] == [a]
    r = client.get(f"{B}/count", params={"$filter": "startswith(name2, 'Test')"}, headers=hdr(company))
    assert r.json() == {"count": 1}
    r = client.get(B, params={"$orderby": "mexcParamvaluesetsid desc", "$top": 2}, headers=hdr(company))
    assert [x["mexcParamvaluesetsid"] for x in r.json()] == [c, b]
    r = client.get(f"{B}/searchByOrgNumber/556012-5790", headers=hdr(company))
    assert r.status_code == 200 and r.json()["company"] == "Test AB" and r.json()["city"] == "Stockholm"
    assert isinstance(r.json()["zip"], int) and None not in r.json().values()  # as the published schema types it
    assert_problem(client.get(f"{B}/searchByOrgNumber/123", headers=hdr(company)), 422, "orgNum")
    xml = client.get(f"{B}/export/xml", headers=hdr(company))
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "<name>Per Persson</name>" in xml.text and "<deliverypostoffice>Solna</deliverypostoffice>" in xml.text
    assert f"<mexcParamvaluesetsid>{a}</mexcParamvaluesetsid>" in xml.text
    out = client.post(f"{B}/export/csv", json=[b, a], headers=hdr(company))
    assert out.status_code == 200 and out.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(out.text)))
    assert list(rows[0]) == seed_fields() and [r["mexcParamvaluesetsid"] for r in rows] == [str(a), str(b)]
    assert rows[0]["deliveryaddress"] == "Lagervägen 5" and rows[0]["address2"] == "c/o Ekonomi"
    assert rows[0]["crediflowPartyId"] == "cf-123" and rows[0]["companyno"] == "556012-5790"
    assert rows[0]["telephone"] == "'+46812345678"  # neutralized as the native export does (OWASP)
    assert rows[1]["name"] == "Per Persson" and rows[1]["deliveryaddress"] == ""
    assert_problem(client.post(f"{B}/export/csv", json=[b, 99999], headers=hdr(company)), 404)
    r = client.delete(f"{B}/{c}", headers=hdr(company))
    assert r.json() == {"result": "Removed", "mexcParamvaluesetsid": c}
    assert client.get(f"{B}/{c}", headers=hdr(company)).status_code == 404
    r = client.request("DELETE", B, json=[a, b], headers=hdr(company))
    assert r.json() == {"result": "Removed", "count": 2}
    assert client.get(f"{B}/count", headers=hdr(company)).json() == {"count": 0}


def test_patch_with_the_sample_turns_a_person_into_the_company(client, company):
    n = client.post(B, json={"name": "Kalle Svensson", "countrycode": "se"}, headers=hdr(company)).json()
    r = client.patch(f"{B}/{n['mexcParamvaluesetsid']}", json=SAMPLE, headers=hdr(company))
    assert r.status_code == 200, r.text
    assert r.json()["mexcParamvaluesetsid"] == n["mexcParamvaluesetsid"]  # the path wins
    assert r.json()["name"] == "Test AB" and r.json()["deliveryname"] == "Test AB Lager"
    native = client.get(f"/v1/companies/{company}/customers/{n['mexcParamvaluesetsid']}").json()
    assert native["customerType"] == "COMPANY" and native["companyName"] == "Test AB" and native["fullName"]
    r = client.patch(f"{B}/{n['mexcParamvaluesetsid']}", json={"companyno": None}, headers=hdr(company))
    assert r.status_code == 200, r.text
    native = client.get(f"/v1/companies/{company}/customers/{n['mexcParamvaluesetsid']}").json()
    assert native["customerType"] == "PERSON" and native["fullName"] == "Test AB" and native["companyName"] is None
