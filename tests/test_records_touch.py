"""Every change of a record moves its customer's lastUpdatedAt and version; the records
and their operations are in the OpenAPI document."""

import pytest
from conftest import create_customer

KINDS = {
    "consents": ("EMAIL", {"granted": True}, {"granted": False}),
    "parameters": ("Limit", {"value": "1"}, {"value": "2"}),
    "extra-fields": ("Tags", {"value": ["a"]}, {"value": ["b"]}),
    "direct-debit-mandates": (
        None,
        {"directDebitMandateType": 1, "receivingBankAccountNo": "5050-1055"},
        {"directDebitMandateType": 2, "receivingBankAccountNo": "NL91ABNA0417164300"},
    ),
    "credit-insurances": (None, {"amount": 1}, {"amount": 2}),
    "pledges": (None, {"pledgeKind": "GUARANTEE"}, {"pledgeKind": "COLLATERAL"}),
    "loans": (None, {"loanNumber": "L-1"}, {"loanNumber": "L-1", "periods": [{"days": 30}]}),
    "actions": (None, {"responses": ["OK"]}, {"responses": ["OK", "NO"]}),
}


@pytest.mark.parametrize("path", list(KINDS))
def test_create_replace_delete_move_the_customer(client, customers_url, path):
    name, first, second = KINDS[path]
    c = create_customer(client, customers_url)
    customer = f"{customers_url}/{c['customerGuid']}"
    url = f"{customer}/{path}"
    versions = [c["version"]]
    stamps = [c["lastUpdatedAt"]]

    def moved():
        now = client.get(customer).json()
        assert now["version"] > versions[-1] and now["lastUpdatedAt"] >= stamps[-1], path
        versions.append(now["version"])
        stamps.append(now["lastUpdatedAt"])

    if name:
        r = client.put(f"{url}/{name}", json=first)
        assert r.status_code == 201, r.text
        item = f"{url}/{name}"
    else:
        r = client.post(url, json=first)
        assert r.status_code == 201, r.text
        item = r.headers["Location"]
    moved()
    r = client.put(item, json=second)
    assert r.status_code == 200, r.text
    moved()
    page = client.get(url, params={"$top": 1})
    assert page.status_code == 200 and page.json()["total"] == 1 and page.json()["count"] == 1
    assert client.delete(item).status_code == 204
    moved()
    assert client.get(url).json() == {"count": 0, "skip": 0, "total": 0, "value": []}


def test_records_are_in_the_openapi_document(anon):
    paths = anon.get("/openapi.json").json()["paths"]
    prefix = "/v1/companies/{cuid}/customers/{customer}"
    for path in (
        "/consents/{channel}",
        "/consents/{channel}/history",
        "/parameters/{name}",
        "/extra-fields/{name}",
        "/direct-debit-mandates/{mandateGuid}",
        "/direct-debit-mandates/{mandateGuid}/close",
        "/credit-insurances/{insuranceGuid}",
        "/relations/{relationGuid}",
        "/pledges/{pledgeGuid}",
        "/loans/{loanGuid}",
        "/actions/{actionGuid}",
        "/actions/{actionGuid}/response",
    ):
        assert prefix + path in paths, path
