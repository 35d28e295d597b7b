"""Credit insurances: seed 002 fields, list/create/get/replace/delete."""

import uuid

from conftest import assert_problem, create_customer


def test_credit_insurance_crud(client, customers_url):
    c = create_customer(client, customers_url, customerType="COMPANY", companyName="Oy Ab")
    url = f"{customers_url}/{c['customerGuid']}/credit-insurances"
    body = {
        "insuranceCompanyReferenceCode": "atradius",
        "insuranceCompanyNumber": "A-1",
        "insuranceCompanyCustomerNumber": "C-9",
        "note": "limit",
        "insuranceDate": "2026-01-01",
        "endDate": "2026-12-31T00:00:00Z",
        "currencyCode": "eur",
        "amount": 50000.5,
        "extraLimitAmount": 1000,
        "extraLimitEndDate": "2026-06-30",
        "paymentTerm": 30,
        "graceDays": 5,
    }
    r = client.post(url, json=body)
    assert r.status_code == 201, r.text
    ins = r.json()
    assert ins["insuranceCompanyReferenceCode"] == "ATRADIUS" and ins["currencyCode"] == "EUR"
    assert ins["amount"] == 50000.5 and ins["endDate"] == "2026-12-31" and ins["graceDays"] == 5
    r = client.put(f"{url}/{ins['insuranceGuid']}", json={"amount": 10, "insuranceGuid": str(uuid.uuid4())})
    assert r.status_code == 200 and r.json()["insuranceGuid"] == ins["insuranceGuid"]
    assert r.json()["amount"] == 10 and r.json()["note"] is None
    assert client.get(url, params={"$filter": "amount gt 5"}).json()["total"] == 1
    full = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert [i["insuranceGuid"] for i in full["creditInsurances"]] == [ins["insuranceGuid"]]
    assert client.delete(f"{url}/{ins['insuranceGuid']}").status_code == 204
    assert_problem(client.get(f"{url}/{ins['insuranceGuid']}"), 404)


def test_credit_insurance_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/credit-insurances"
    assert_problem(client.post(url, json={"amount": -1}), 422, "amount")
    assert_problem(client.post(url, json={"currencyCode": "XXQ"}), 422, "currencyCode")
    assert_problem(client.post(url, json={"graceDays": 2**40}), 422, "graceDays")
    assert_problem(client.post(url, json={"insuranceDate": "2026-02-01", "endDate": "2026-01-01"}), 422, "endDate")
    assert_problem(client.get(f"{url}/not-a-guid"), 404)
