"""Issue 24, item 6: the native CSV keeps the main address's c/o line (`careOf`) and the
default DELIVERY address (`delivery*`): an export imported into another company gives each
customer the same c/o and DELIVERY address; a re-import changes nothing; the rows are
checked with the address rules and named by their columns."""

import csv
import io

from conftest import assert_problem, new_company

from custreg.sync.csv_format import COLUMNS, DELIVERY_COLUMNS

DELIVERY = {
    "addressType": "DELIVERY",
    "fullName": "Aino V / Lager",
    "careOf": "Varasto Oy",
    "street": "Satamakatu",
    "houseNo": "3",
    "houseNoExtension": "B",
    "zipCode": "20100",
    "city": "Turku",
    "stateCode": None,
    "countryCode": "FI",
}
SHOWN = ("fullName", "careOf", "street", "houseNo", "houseNoExtension", "zipCode", "city", "stateCode", "countryCode")


def _export(client, cuid: str) -> str:
    r = client.get(f"/v1/companies/{cuid}/customers/export.csv")
    assert r.status_code == 200, r.text
    return r.text


def _import(client, cuid: str, text: str, mode: str = "all-or-nothing"):
    return client.post(
        f"/v1/companies/{cuid}/customers/import",
        params={"mode": mode},
        content=text.encode(),
        headers={"Content-Type": "text/csv"},
    )


def _addresses(client, cuid: str, guid: str) -> dict[str, dict]:
    full = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()
    return {a["addressType"]: {f: a[f] for f in SHOWN} for a in full["addresses"] if a["defaultAddress"]}


def test_export_import_keeps_care_of_and_the_delivery_address(client):
    source = new_company(client)
    url = f"/v1/companies/{source}/customers"
    one = client.post(url, json={"lastName": "Virtanen", "street": "Katu 1", "city": "Oulu", "zipCode": "90100"}).json()
    two = client.post(url, json={"lastName": "Korhonen"}).json()  # no main address: c/o makes one
    plain = client.post(url, json={"lastName": "Mäkinen", "city": "Espoo"}).json()
    main = next(a for a in client.get(f"{url}/{one['customerGuid']}/addresses").json()["value"])
    r = client.put(f"{url}/{one['customerGuid']}/addresses/{main['addressGuid']}", json={**main, "careOf": "c/o Lahti"})
    assert r.status_code == 200, r.text
    assert client.post(f"{url}/{one['customerGuid']}/addresses", json=DELIVERY).status_code == 201
    r = client.post(f"{url}/{two['customerGuid']}/addresses", json={"addressType": "LEGAL", "careOf": "Holvi"})
    assert r.status_code == 201, r.text
    text = _export(client, source)
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS) and {"careOf", *DELIVERY_COLUMNS} <= set(header)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["customerGuid"] == one["customerGuid"])
    assert (row["careOf"], row["deliveryStreet"], row["deliveryCareOf"]) == ("c/o Lahti", "Satamakatu", "Varasto Oy")

    target = new_company(client)
    r = _import(client, target, text)
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    for c in (one, two, plain):
        assert _addresses(client, target, c["customerGuid"]) == _addresses(client, source, c["customerGuid"])
    assert _addresses(client, target, one["customerGuid"])["DELIVERY"] == {f: DELIVERY[f] for f in SHOWN}
    assert _addresses(client, target, one["customerGuid"])["LEGAL"]["careOf"] == "c/o Lahti"
    assert _addresses(client, target, two["customerGuid"])["LEGAL"]["careOf"] == "Holvi"
    assert _rows(_export(client, target)) == _rows(text)

    # The same file again: every row updates its customer and nothing changes.
    before = {
        c["customerGuid"]: client.get(f"/v1/companies/{target}/customers/{c['customerGuid']}").json()
        for c in (one, two)
    }
    r = _import(client, target, text)
    assert r.status_code == 200 and r.json()["updated"] == 3, r.text
    for guid, body in before.items():
        assert client.get(f"/v1/companies/{target}/customers/{guid}").json()["version"] == body["version"]

    # Edited columns update the addresses; empty DELIVERY columns remove the DELIVERY address.
    rows = list(csv.DictReader(io.StringIO(text)))
    for r_ in rows:
        if r_["customerGuid"] == one["customerGuid"]:
            r_["deliveryCity"], r_["careOf"] = "Naantali", ""
        if r_["customerGuid"] == two["customerGuid"]:
            r_.update(dict.fromkeys(DELIVERY_COLUMNS, ""))
            r_["deliveryStreet"], r_["deliveryCountryCode"] = "Uusi tie 5", "SE"
    r = _import(client, target, _csv(rows))
    assert r.status_code == 200, r.text
    a = _addresses(client, target, one["customerGuid"])
    assert (
        a["DELIVERY"]["city"] == "Naantali" and a["DELIVERY"]["street"] == "Satamakatu" and a["LEGAL"]["careOf"] is None
    )
    assert _addresses(client, target, two["customerGuid"])["DELIVERY"]["countryCode"] == "SE"
    for r_ in rows:
        r_.update(dict.fromkeys(DELIVERY_COLUMNS, ""))
    assert _import(client, target, _csv(rows)).status_code == 200
    assert "DELIVERY" not in _addresses(client, target, one["customerGuid"])


def test_bad_address_columns_are_named_and_write_nothing(client):
    cuid = new_company(client)
    rows = [
        {"lastName": "Virtanen", "deliveryStreet": "Katu 2", "deliveryCountryCode": "XX"},
        {"lastName": "Korhonen", "careOf": "x" * 101},
    ]
    r = _import(client, cuid, _csv(rows, ["lastName", "careOf", "deliveryStreet", "deliveryCountryCode"]))
    assert r.status_code in (200, 422), r.text
    report = r.json()
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(2, "deliveryCountryCode"), (3, "careOf")}
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 0
    r = _import(client, cuid, _csv(rows, ["lastName", "careOf", "deliveryStreet", "deliveryCountryCode"]), "valid-rows")
    assert r.json()["failed"] == 2 and r.json()["created"] == 0
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 0
    assert_problem(_import(client, cuid, "lastName,deliveryPlanet\r\nX,Mars\r\n"), 400, "deliveryPlanet")


def _rows(text: str) -> list[dict]:
    skip = {"customerNumber", "regDate", "lastUpdatedAt", "version"}
    return sorted(
        ({k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(text))),
        key=lambda r: r["customerGuid"],
    )


def _csv(rows: list[dict], header: list[str] | None = None) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header or list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def test_a_billmate_customer_round_trips_through_the_native_csv(client):
    source, target = new_company(client, "SE"), new_company(client, "SE")
    body = {
        "name": "Test AB",
        "address": "Storgatan 1",
        "postcode": "111 22",
        "postoffice": "Stockholm",
        "address2": "c/o Ekonomi",
        "deliveryname": "Test AB Lager",
        "deliveryaddress": "Lagervägen 5",
        "deliveryaddress2": "Port 4",
        "deliverypostcode": "123 45",
        "deliverypostoffice": "Farsta",
        "deliverycountrycode": "se",
    }
    r = client.post("/compat/billmate/customers", json=body, headers={"X-Company": source})
    assert r.status_code == 200, r.text
    number = r.json()["mexcParamvaluesetsid"]
    before = client.get(f"/compat/billmate/customers/{number}", headers={"X-Company": source}).json()
    r = _import(client, target, _export(client, source))
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    after = client.get(f"/compat/billmate/customers/{number}", headers={"X-Company": target}).json()
    kept = ("address2", "deliveryname", "deliveryaddress", "deliveryaddress2", "deliverypostcode", "deliverypostoffice")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert after["address2"] == "c/o Ekonomi" and after["deliveryaddress2"] == "Port 4"
    assert after["deliverycountrycode"] == before["deliverycountrycode"]
