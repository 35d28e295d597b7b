"""Issue 24, item 8: loans with their interest periods, a customer sub-resource written by the
lending system through the native API, read through CLVR (seed 002) and summed in CLVR's
engagements view; the full customer GET shows them; each write is a `loan.*` event."""

import uuid

from conftest import assert_problem, create_customer, new_company
from sqlalchemy import select

from custreg.events.models import OutboxEvent

C = "/compat/clvr/customers"
PERIOD = {
    "loanType": "annuity",
    "interestCode": "EURIBOR12",
    "interestMarginCode": "M150",
    "interestRate": -0.125,
    "interestFrom": "2026-01-01T00:00:00Z",
    "interestTo": "2026-01-31",
    "days": 31,
    "principalAmount": 18500.5,
    "accruedInterest": 65.73,
}
LOAN = {
    "loanNumber": " L-1 ",
    "description": "Car loan",
    "currencyCode": "EUR",
    "originalAmount": 20000,
    "balance": 18500.5,
    "periods": [PERIOD, {**PERIOD, "interestFrom": "2026-02-01", "interestTo": "2026-02-28", "days": 28}],
}


def _events(app, guid: str) -> list[str]:
    with app.state.db.session(write=False) as s:
        rows = s.scalars(
            select(OutboxEvent.type).where(OutboxEvent.customer_guid == uuid.UUID(guid)).order_by(OutboxEvent.id)
        )
        return list(rows)


def test_native_loans_and_the_full_customer(app, client, customers_url):
    c = create_customer(client, customers_url, currencyCode="EUR")
    customer = f"{customers_url}/{c['customerGuid']}"
    url = f"{customer}/loans"
    r = client.post(url, json=LOAN)
    assert r.status_code == 201, r.text
    loan = r.json()
    assert r.headers["Location"].endswith(f"/loans/{loan['loanGuid']}")
    assert loan["loanNumber"] == "L-1" and loan["balance"] == 18500.5
    first = loan["periods"][0]
    assert first["loanType"] == "ANNUITY" and first["interestRate"] == -0.125
    assert (first["interestFrom"], first["interestTo"]) == ("2026-01-01", "2026-01-31")
    assert [p["days"] for p in loan["periods"]] == [31, 28]
    full = client.get(customer).json()
    assert full["loans"] == [loan]
    assert {"rel": "loans", "href": f"{full['links'][0]['href']}/loans"} in full["links"]
    assert client.get(url, params={"$filter": "loanNumber eq 'L-1'"}).json()["total"] == 1
    item = f"{url}/{loan['loanGuid']}"
    r = client.put(item, json={**LOAN, "balance": 18000, "periods": [PERIOD]})
    assert r.status_code == 200, r.text
    assert r.json()["balance"] == 18000 and len(r.json()["periods"]) == 1
    assert client.get(customer).json()["loans"][0]["balance"] == 18000  # the stored document follows
    version = client.get(customer).json()["version"]
    assert client.put(item, json=client.get(item).json()).status_code == 200  # an identical replace
    assert client.get(customer).json()["version"] == version
    assert client.delete(item).status_code == 204
    assert client.get(customer).json()["loans"] == []
    assert _events(app, c["customerGuid"]) == ["customer.created", "loan.created", "loan.updated", "loan.deleted"]


def test_loan_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/loans"
    assert_problem(client.post(url, json={"balance": 1}), 422, "loanNumber")
    assert_problem(client.post(url, json={**LOAN, "balance": -1}), 422, "balance")
    assert_problem(client.post(url, json={**LOAN, "currencyCode": "XXY"}), 422, "currencyCode")
    bad = {**PERIOD, "interestTo": "2025-12-31"}
    body = assert_problem(client.post(url, json={**LOAN, "periods": [PERIOD, bad]}), 422)
    assert body["errors"][0]["field"].startswith("periods[1]") or body["errors"][0]["field"].startswith("periods.1")
    assert_problem(client.post(url, json={**LOAN, "periods": [{**PERIOD, "color": "red"}]}), 422)
    assert client.post(url, json=LOAN).status_code == 201
    assert_problem(client.post(url, json={**LOAN, "loanNumber": "L-1"}), 409, "loanNumber")
    assert client.get(url).json()["total"] == 1  # nothing half-written


def test_clvr_reads_loans_and_the_engagements_view_sums_them(client):
    company = new_company(client, "SE")
    hdr = {"X-Company": company}
    r = client.post(C, json={"fullName": "Kalle Svensson", "lastname": "Svensson", "currencyCode": "SEK"}, headers=hdr)
    assert r.status_code == 201, r.text
    guid = r.json()["customerGuid"]
    details = client.get(f"{C}/{guid}/details", headers=hdr).json()
    assert details["totalBalance"] is None and details["accounts"] == [] and details["loans"] == []
    native = f"/v1/companies/{company}/customers/{guid}/loans"
    one = client.post(native, json={**LOAN, "currencyCode": "SEK", "balance": 1000.25}).json()
    two = client.post(native, json={"loanNumber": "L-2", "balance": 500}).json()  # in the customer's currency
    client.post(native, json={"loanNumber": "L-3", "currencyCode": "EUR", "balance": 99})  # another currency
    got = client.get(f"{C}/{guid}/loans", headers=hdr)
    assert got.status_code == 200, got.text
    loans = got.json()
    assert isinstance(loans, list) and [x["loanNumber"] for x in loans] == ["L-1", "L-2", "L-3"]
    assert set(loans[0]) == {"loanGuid", "loanNumber", "periods"}  # the seed's shape
    assert loans[0]["loanGuid"] == one["loanGuid"] and loans[1]["periods"] == []
    assert loans[0]["periods"][0] == {
        **PERIOD,
        "loanType": "ANNUITY",
        "interestFrom": "2026-01-01T00:00:00Z",
        "interestTo": "2026-01-31T00:00:00Z",
    }
    page = client.get(f"{C}/{guid}/loans", params={"$filter": "LOANNUMBER eq 'L-2'", "$top": 5}, headers=hdr).json()
    assert [x["loanGuid"] for x in page] == [two["loanGuid"]]
    assert [x["loanNumber"] for x in client.get(f"{C}/{guid}/loans?$skip=2", headers=hdr).json()] == ["L-3"]
    details = client.get(f"{C}/{guid}/details", headers=hdr).json()
    assert (details["totalBalance"], details["accountBalance"], details["currencyCode"]) == (1500.25, 1500.25, "SEK")
    assert [a["accountNumber"] for a in details["accounts"]] == ["L-1", "L-2", "L-3"]
    assert details["accounts"][0] == {
        "accountNumber": "L-1",
        "uniqueId": one["loanGuid"],
        "description": "Car loan",
        "currencyCode": "SEK",
        "balance": 1000.25,
    }
    assert details["loans"] == loans
    assert client.get(f"{C}/{guid}/loans", params={"$filter": "color eq 1"}, headers=hdr).status_code == 400


def test_a_loan_with_a_balance_holds_erasure_and_a_paid_one_stays_without_its_note(client, customers_url):
    c = create_customer(client, customers_url, firstName="Aino")
    base = f"{customers_url}/{c['customerGuid']}"
    r = client.post(f"{base}/loans", json={**LOAN, "note": "asked for a pause"})
    assert r.status_code == 201, r.text
    body = assert_problem(client.post(f"{base}/erase", json={"reason": "asked"}), 409, "loans")
    assert body["rules"] == ["loans"]
    paid = {**LOAN, "balance": 0, "note": "asked for a pause"}
    assert client.put(f"{base}/loans/{r.json()['loanGuid']}", json=paid).status_code == 200
    assert client.post(f"{base}/erase", json={"reason": "asked"}).status_code == 200
    (kept,) = client.get(f"{base}/loans").json()["value"]
    assert kept["loanNumber"] == "L-1" and kept["note"] is None and kept["periods"] == r.json()["periods"]
