"""The customer GET costs a bounded number of SQL statements however many records the
customer has (counted with an event listener on the app's engine)."""

import uuid

from conftest import count_statements, create_customer


def _add_records(client, customers_url, guid: str, n: int, start: int) -> None:
    base = f"{customers_url}/{guid}"
    for i in range(start, start + n):
        other = create_customer(client, customers_url, lastName=f"Related {i}")
        assert client.put(f"{base}/parameters/p{i}", json={"value": str(i)}).status_code == 201
        assert client.put(f"{base}/extra-fields/e{i}", json={"value": [str(i)]}).status_code == 201
        assert (
            client.post(
                f"{base}/direct-debit-mandates", json={"directDebitMandateType": 3, "receivingBankAccountNo": f"ACC{i}"}
            ).status_code
            == 201
        )
        assert client.post(f"{base}/credit-insurances", json={"amount": i}).status_code == 201
        assert (
            client.post(f"{base}/pledges", json={"pledgeKind": "GUARANTEE" if i % 2 else "COLLATERAL"}).status_code
            == 201
        )
        assert client.post(f"{base}/actions", json={"responses": ["OK"]}).status_code == 201
        assert (
            client.post(
                f"{base}/relations", json={"relatedCustomer": other["customerGuid"], "roleCode": "GUARANTOR"}
            ).status_code
            == 201
        )
        assert (
            client.post(
                f"{customers_url}/{other['customerGuid']}/relations",
                json={"relatedCustomer": guid, "roleCode": "CO_DEBTOR"},
            ).status_code
            == 201
        )
        assert client.post(f"{base}/addresses", json={"addressType": "DELIVERY"}).status_code == 201
    for channel in ("EMAIL", "SMS", "PHONE", "POST", "PROFILING")[: min(n + start, 5)]:
        client.put(f"{base}/consents/{channel}", json={"granted": True})


def _live_get(app, client, customers_url, guid: str, related_guid: str):
    """GET the customer rendered live: a change of a related customer clears its stored
    document (customers/document.py), so the GET renders it from the records."""
    # A new e-mail each time: a PATCH that changes nothing is no change (docs/customers.md).
    r = client.patch(f"{customers_url}/{related_guid}", json={"email": f"{uuid.uuid4().hex[:12]}@example.fi"})
    assert r.status_code == 200, r.text
    with count_statements(app) as seen:
        body = client.get(f"{customers_url}/{guid}")
    assert body.status_code == 200, body.text
    return body.json(), seen


def test_customer_get_is_a_bounded_number_of_queries(app, client, customers_url):
    c = create_customer(client, customers_url)
    guid = c["customerGuid"]
    _add_records(client, customers_url, guid, 2, 0)
    related = client.get(f"{customers_url}/{guid}").json()["myGuarantors"][0]["guarantorGuid"]
    small, few = _live_get(app, client, customers_url, guid, related)
    assert len(small["parameters"]) == 2
    _add_records(client, customers_url, guid, 10, 2)
    big, many = _live_get(app, client, customers_url, guid, related)
    assert len(big["parameters"]) == 12 and len(big["myGuarantors"]) == 12
    assert len(big["allRelatedCustomers"]) == 24 and len(big["actions"]) == 12
    assert len(big["guarantees"]) + len(big["collaterals"]) == 12 and len(big["consents"]) == 5
    assert any(g["email"] for g in big["myGuarantors"])  # the related customer's change shows
    assert len(many) == len(few), many
    assert len(many) <= 40, many
    # The stored document (no related change since) is cheaper still, and the same.
    with count_statements(app) as stored:
        again = client.get(f"{customers_url}/{guid}").json()
    assert again == big and len(stored) <= len(many)
