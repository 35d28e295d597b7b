"""Every list endpoint costs a bounded number of SQL statements whatever the page size
(issue 8). The endpoints are found in the OpenAPI document: every GET whose answer is the
{count, skip, total, value} envelope, and every other GET that takes `$top` (the
compatibility APIs' lists). A customer gets records of every kind (two of each,
so that a page of 1 and a page of 50 differ), and each list is read with $top=1 and
$top=50 while an event listener on the app's engine counts the statements."""

import re

import pytest
from conftest import count_statements, create_customer, new_company
from sync_util import custreg_cli

ENVELOPE = {"count", "skip", "total", "value"}
SMALL, LARGE = 1, 50


def _list_paths(app) -> list[str]:
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    out = []
    for path, ops in spec["paths"].items():
        get = ops.get("get")
        if not get:
            continue
        schema = (
            get.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        )
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        paged = any(p["name"] == "$top" for p in get.get("parameters", []))
        if set(schema.get("properties", {})) >= ENVELOPE or paged:
            out.append((path, set(schema.get("properties", {})) >= ENVELOPE))
    return sorted(out)


def _ok(response, *codes):
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json() if response.content else None


@pytest.fixture
def seeded(client, company, customers_url, database_url):
    """A customer with two records of every kind, its history, two API clients, two companies,
    three customers of one e-mail (three stored duplicate pairs: `custreg duplicates`)."""
    c = create_customer(client, customers_url, firstName="Åsa", lastName="Åström", countryCode="SE", city="Göteborg")
    base = f"{customers_url}/{c['customerGuid']}"
    others = [create_customer(client, customers_url, lastName=f"Related {i}") for i in range(2)]
    ibans = ["SE4550000000058398257466", "SE7280000810340009783242"]
    for i in range(2):
        _ok(client.post(f"{base}/addresses", json={"addressType": "DELIVERY", "street": f"Storgatan {i}"}))
        _ok(client.post(f"{base}/bank-accounts", json={"iban": ibans[i]}))
        _ok(client.post(f"{base}/contacts", json={"name": f"Kontakt {i}", "email": f"k{i}@example.se"}))
        _ok(client.post(f"{base}/external-ids", json={"externalSystemId": 6, "externalSystemIdentifier": f"woo-{i}"}))
        _ok(client.put(f"{base}/consents/{('EMAIL', 'SMS')[i]}", json={"granted": True}))
        _ok(client.put(f"{base}/consents/EMAIL", json={"granted": bool(i)}))  # history grows
        _ok(client.put(f"{base}/parameters/p{i}", json={"value": str(i)}))
        _ok(client.put(f"{base}/extra-fields/e{i}", json={"value": [str(i)]}))
        _ok(
            client.post(
                f"{base}/direct-debit-mandates", json={"directDebitMandateType": 3, "receivingBankAccountNo": f"ACC{i}"}
            )
        )
        _ok(client.post(f"{base}/credit-insurances", json={"amount": i + 1}))
        _ok(client.post(f"{base}/pledges", json={"pledgeKind": ("GUARANTEE", "COLLATERAL")[i]}))
        _ok(client.post(f"{base}/actions", json={"responses": ["OK"]}))
        _ok(client.post(f"{base}/loans", json={"loanNumber": f"L-{i}", "balance": 100}))
        _ok(
            client.post(
                f"{base}/relations", json={"relatedCustomer": others[i]["customerGuid"], "roleCode": "GUARANTOR"}
            )
        )
        _ok(
            client.post(
                "/v1/clients", json={"name": f"list test {i}", "companies": [company], "scopes": ["customers:read"]}
            )
        )
    _ok(client.patch(base, json={"notes": "changed twice"}))
    new_company(client)  # /v1/companies lists two at least
    for i in range(3):
        create_customer(client, customers_url, lastName=f"Twin {i}", email="twin@example.se")
    done = custreg_cli(database_url, "duplicates", "--company", company)
    assert done.returncode == 0, done.stderr
    return {"cuid": company, "customer": c["customerGuid"], "guid": c["customerGuid"], "channel": "EMAIL"}


def test_list_endpoints_are_found(app):
    paths = [p for p, _ in _list_paths(app)]
    assert "/v1/companies/{cuid}/customers" in paths
    assert "/v1/companies/{cuid}/customers/{customer}/bank-accounts" in paths
    assert len(paths) >= 15, paths


def test_every_list_costs_the_same_statements_at_any_page_size(app, client, seeded):
    failures = []
    for template, envelope in _list_paths(app):
        path = re.sub(r"\{(\w+)\}", lambda m: seeded[m.group(1)], template)
        headers = {"X-Company": seeded["cuid"]}  # compatibility APIs name the company so
        with count_statements(app) as small:
            few = _ok(client.get(path, params={"$top": SMALL}, headers=headers), 200)
        with count_statements(app) as large:
            many = _ok(client.get(path, params={"$top": LARGE}, headers=headers), 200)
        if envelope:
            assert few["count"] == SMALL and many["count"] == min(many["total"], LARGE), template
            assert many["count"] > few["count"], f"{template}: seed at least two items"
        assert small, f"{template}: no statement counted"
        if len(small) != len(large):
            failures.append(f"{template}: {len(small)} statements for $top={SMALL}, {len(large)} for $top={LARGE}")
    assert not failures, "\n".join(failures)
