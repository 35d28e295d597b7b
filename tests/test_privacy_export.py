"""Issue 26, subject access export: one JSON document holding every value that GETs of the
customer, its sub-resources and its history show."""

from conftest import create_customer

SUB_RESOURCES = (
    "addresses",
    "bank-accounts",
    "contacts",
    "external-ids",
    "consents",
    "direct-debit-mandates",
    "credit-insurances",
    "pledges",
    "loans",
    "relations",
    "parameters",
    "extra-fields",
    "actions",
)
IGNORED = {"links", "href", "nextLink", "count", "skip", "total"}


def _values(node, out: set) -> set:
    """Every scalar value of a JSON answer (links and paging left out), as text."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in IGNORED:
                _values(v, out)
    elif isinstance(node, list):
        for v in node:
            _values(v, out)
    elif node is not None:
        out.add(str(node))
    return out


def test_subject_export_holds_everything_the_gets_show(client, customers_url):
    url = customers_url
    c = create_customer(
        client,
        url,
        firstName="Saara",
        lastName="Export",
        email="saara@example.fi",
        cellularPhone="+358401112223",
        idNumber="131052-308T",
        street="Vientikatu 9",
        city="Tampere",
        externalSystemId=6,
        externalSystemIdentifier="woo-55",
    )
    base = f"{url}/{c['customerNumber']}"
    other = create_customer(client, url, lastName="Guarantor")
    posts = {
        "addresses": {"addressType": "DELIVERY", "street": "Toimituskatu 1", "city": "Espoo"},
        "bank-accounts": {"iban": "FI21 1234 5600 0007 85"},
        "contacts": {"name": "Saaran äiti", "email": "aiti@example.fi"},
        "credit-insurances": {"amount": 1500, "note": "insured"},
        "loans": {"loanNumber": "L-77", "balance": 1234.5, "periods": [{"interestRate": 3.75, "days": 30}]},
        "relations": {"relatedCustomer": other["customerGuid"], "roleCode": "GUARANTOR"},
    }
    for path, body in posts.items():
        r = client.post(f"{base}/{path}", json=body)
        assert r.status_code == 201, (path, r.text)
    assert client.put(f"{base}/consents/SMS", json={"granted": True, "source": "shop"}).status_code in (200, 201)
    assert client.put(f"{base}/consents/SMS", json={"granted": False, "source": "stop"}).status_code == 200
    assert client.put(f"{base}/parameters/shoeSize", json={"value": "42"}).status_code in (200, 201)
    assert client.patch(base, json={"email": "saara.e@example.fi"}).status_code == 200

    r = client.get(f"{base}/subject-export")
    assert r.status_code == 200, r.text
    exported = _values(r.json(), set())
    shown = _values(client.get(base).json(), set())
    for path in SUB_RESOURCES:
        page = client.get(f"{base}/{path}")
        assert page.status_code == 200, (path, page.text)
        _values(page.json(), shown)
    _values(client.get(f"{base}/consents/SMS/history").json(), shown)
    _values(client.get(f"{base}/history", params={"$top": 100}).json(), shown)
    missing = shown - exported
    assert not missing, missing
    assert {"saara@example.fi", "saara.e@example.fi", "woo-55", "stop", "42"} <= exported
