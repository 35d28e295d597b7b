"""Pledges: guarantees and collaterals (seed 002), told apart by pledgeKind."""

from conftest import assert_problem, create_customer

GUARANTEE = {
    "pledgeKind": "GUARANTEE",
    "pledgeType": 1,
    "referenceNumber": "G-1",
    "guaranteeDate": "2026-01-01",
    "originalGuaranteeAmount": 10000,
    "guaranteeAmount": 8000.25,
    "description": "Bank guarantee",
    "note": "n",
    "validUntil": "2027-01-01",
    "guaranteeType": 2,
    "currencyCode": "EUR",
}
COLLATERAL = {
    "pledgeKind": "collateral",
    "pledgeType": 3,
    "referenceNumber": "C-1",
    "pledgeDate": "2026-01-02",
    "pledgeAmount": 5000,
    "description": "Car",
    "insurer": "If",
    "insuranceNumber": "I-9",
    "insuredAmount": 4500,
    "insuranceExpiryDate": "2026-12-31",
    "realized": False,
}


def test_guarantees_and_collaterals(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/pledges"
    g = client.post(url, json=GUARANTEE)
    assert g.status_code == 201, g.text
    assert g.json()["guaranteeAmount"] == 8000.25 and g.json()["pledgeKind"] == "GUARANTEE"
    k = client.post(url, json=COLLATERAL)
    assert k.status_code == 201, k.text
    assert k.json()["pledgeKind"] == "COLLATERAL" and k.json()["realized"] is False
    assert client.get(url, params={"$filter": "pledgeKind eq 'COLLATERAL'"}).json()["total"] == 1
    full = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert [x["guaranteeGuid"] for x in full["guarantees"]] == [g.json()["pledgeGuid"]]
    assert full["guarantees"][0]["originalGuaranteeAmount"] == 10000
    assert [x["collateralGuid"] for x in full["collaterals"]] == [k.json()["pledgeGuid"]]
    assert full["collaterals"][0]["insurer"] == "If"
    r = client.put(f"{url}/{k.json()['pledgeGuid']}", json={**COLLATERAL, "realized": True, "insurer": None})
    assert r.status_code == 200 and r.json()["realized"] is True and r.json()["insurer"] is None
    assert client.delete(f"{url}/{g.json()['pledgeGuid']}").status_code == 204
    assert client.get(url).json()["total"] == 1


def test_pledge_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/pledges"
    body = assert_problem(client.post(url, json={**GUARANTEE, "pledgeKind": "MORTGAGE"}), 422, "pledgeKind")
    assert "GUARANTEE" in body["errors"][0]["message"] and "COLLATERAL" in body["errors"][0]["message"]
    assert_problem(client.post(url, json={"referenceNumber": "x"}), 422, "pledgeKind")
    assert_problem(client.post(url, json={**GUARANTEE, "insurer": "If"}), 422, "insurer")
    assert_problem(client.post(url, json={**COLLATERAL, "guaranteeAmount": 1}), 422, "guaranteeAmount")
    assert_problem(client.post(url, json={**GUARANTEE, "guaranteeAmount": -5}), 422, "guaranteeAmount")
    assert_problem(client.post(url, json={**GUARANTEE, "pledgeType": "abc"}), 422, "pledgeType")
