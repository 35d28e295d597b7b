"""Direct debit mandates: enums, required receiving account, accounts checked for their
class, validity in order, closing keeps the mandate."""

import uuid

from conftest import assert_problem, create_customer

SEPA = {
    "directDebitMandateType": 3,
    "receivingBankAccountNo": "FI2112345600000785",
    "sendingBankAccountClass": 4,
    "sendingBankAccountNo": "de89 3704 0044 0532 0130 00",
    "referenceNo": "MND-1",
    "signedDate": "2026-01-05",
    "validFrom": "2026-02-01",
    "validUntil": "2027-01-31",
    "requestedAt": "2026-01-04T09:00:00Z",
}


def _url(client, customers_url):
    c = create_customer(client, customers_url)
    return (f"{customers_url}/{c['customerGuid']}", f"{customers_url}/{c['customerGuid']}/direct-debit-mandates")


def test_mandate_crud_with_normalized_iban(client, customers_url):
    customer_url, url = _url(client, customers_url)
    r = client.post(url, json=SEPA)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["sendingBankAccountNo"] == "DE89370400440532013000"  # compact IBAN
    assert m["directDebitMandateType"] == 3 and m["validFrom"] == "2026-02-01" and m["closedAt"] is None
    assert r.headers["Location"].endswith(m["mandateGuid"])
    r = client.put(
        f"{url}/{m['mandateGuid']}",
        json={
            **SEPA,
            "directDebitMandateType": "SEPABusinessOneOff",
            "referenceNo": None,
            "mandateGuid": str(uuid.uuid4()),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["directDebitMandateType"] == 7 and r.json()["referenceNo"] is None
    assert r.json()["mandateGuid"] == m["mandateGuid"]
    page = client.get(url, params={"$filter": "directDebitMandateType eq 7 and closedAt eq null"}).json()
    assert page["total"] == 1
    full = client.get(customer_url).json()
    assert [x["mandateGuid"] for x in full["directDebitMandates"]] == [m["mandateGuid"]]
    assert client.delete(f"{url}/{m['mandateGuid']}").status_code == 204
    assert client.get(url).json()["total"] == 0


def test_type_9_and_missing_receiving_account_are_422(client, customers_url):
    _, url = _url(client, customers_url)
    body = assert_problem(client.post(url, json={**SEPA, "directDebitMandateType": 9}), 422, "directDebitMandateType")
    message = body["errors"][0]["message"]
    for allowed in (
        "1 (SwedishAutogiro)",
        "2 (DutchIncasso)",
        "3 (SEPAConsumerRecurring)",
        "4 (SEPAConsumerOneOff)",
        "5 (SEPABusinessRecurring)",
        "7 (SEPABusinessOneOff)",
    ):
        assert allowed in message
    missing = {k: v for k, v in SEPA.items() if k != "receivingBankAccountNo"}
    assert_problem(client.post(url, json=missing), 422, "receivingBankAccountNo")
    assert_problem(client.post(url, json={**SEPA, "receivingBankAccountNo": "  "}), 422, "receivingBankAccountNo")
    assert_problem(
        client.post(url, json={k: v for k, v in SEPA.items() if k != "directDebitMandateType"}),
        422,
        "directDebitMandateType",
    )
    body = assert_problem(client.post(url, json={**SEPA, "sendingBankAccountClass": 6}), 422, "sendingBankAccountClass")
    assert "10 (FinnishBankAccount)" in body["errors"][0]["message"]
    assert_problem(client.post(url, json={**SEPA, "directDebitMandateType": True}), 422, "directDebitMandateType")


def test_accounts_are_checked_for_their_class(client, customers_url):
    _, url = _url(client, customers_url)
    base = {"directDebitMandateType": 1, "receivingBankAccountNo": "5050-1055"}
    good = {
        1: "41 23 45-1",
        2: "5050-1055",
        3: "NL91ABNA0417164300",
        4: "GB82WEST12345698765432",
        8: "8601 11 17947",
        9: "8327-9 123 456 789",
        10: "FI21 1234 5600 0007 85",
        5: "anything 1",
        7: "x",
    }
    for cls, number in good.items():
        r = client.post(url, json={**base, "sendingBankAccountClass": cls, "sendingBankAccountNo": number})
        assert r.status_code == 201, (cls, r.text)
    assert (
        client.get(url, params={"$filter": "sendingBankAccountClass eq 8"}).json()["value"][0]["sendingBankAccountNo"]
        == "86011117947"
    )
    bad = {
        1: "41 23 45-2",
        2: "5050-1056",
        3: "GB82WEST12345698765432",
        4: "DE89370400440532013001",
        8: "86011117948",
        9: "12ab",
        10: "NL91ABNA0417164300",
    }
    for cls, number in bad.items():
        assert_problem(
            client.post(url, json={**base, "sendingBankAccountClass": cls, "sendingBankAccountNo": number}),
            422,
            "sendingBankAccountNo",
        )


def test_valid_until_not_before_valid_from(client, customers_url):
    _, url = _url(client, customers_url)
    assert_problem(
        client.post(url, json={**SEPA, "validFrom": "2026-03-01", "validUntil": "2026-02-28"}), 422, "validUntil"
    )
    assert client.post(url, json={**SEPA, "validFrom": "2026-03-01", "validUntil": "2026-03-01"}).status_code == 201
    # The seed's date-times are taken as their date.
    r = client.post(url, json={**SEPA, "validFrom": "2026-03-01T14:15:22Z", "validUntil": None})
    assert r.status_code == 201 and r.json()["validFrom"] == "2026-03-01"


def test_closing_keeps_the_mandate(client, customers_url):
    customer_url, url = _url(client, customers_url)
    m = client.post(url, json=SEPA).json()
    before = client.get(customer_url).json()["version"]
    r = client.post(f"{url}/{m['mandateGuid']}/close")
    assert r.status_code == 200, r.text
    assert r.json()["closedAt"] is not None
    assert client.get(customer_url).json()["version"] > before
    kept = client.get(f"{url}/{m['mandateGuid']}").json()
    assert kept["closedAt"] == r.json()["closedAt"] and kept["receivingBankAccountNo"] == SEPA["receivingBankAccountNo"]
    assert client.get(url, params={"$filter": "closedAt ne null"}).json()["total"] == 1
    assert_problem(client.post(f"{url}/{m['mandateGuid']}/close"), 409, "closedAt")
    assert_problem(client.put(f"{url}/{m['mandateGuid']}", json=SEPA), 409)
    other = client.post(url, json=SEPA).json()
    r = client.post(f"{url}/{other['mandateGuid']}/close", json={"closedAt": "2026-05-01T12:00:00Z"})
    assert r.status_code == 200 and r.json()["closedAt"].startswith("2026-05-01T12:00:00")
    # closedAt in a PUT/POST body is ignored (read-only): only /close sets it.
    r = client.post(url, json={**SEPA, "closedAt": "2026-01-01T00:00:00Z"})
    assert r.status_code == 201 and r.json()["closedAt"] is None
    assert_problem(client.post(f"{url}/{uuid.uuid4()}/close"), 404)
