"""Hostile sweep of the newer endpoints (webhooks, merge, erase, subject export, duplicates,
the /ui forms, Fivaldi's signed API, Billmate's filters): oversized and edge inputs
(strings of 100,000 characters, arrays of 100,000 items, years 0 and 10000, 2^70, NULs)
are refused or served, never answered 5xx."""

import json
import re

import pytest
from access_util import new_client
from conftest import ADMIN, assert_problem, create_customer
from fivaldi_util import Signer

LONG = "x" * 100_000
Q = LONG[:15_000]  # in a URL (httpx takes queries up to 64 KiB)
MANY = ["a"] * 100_000
HUGE = 2**70
NUL = "a\u0000b"
DATES = ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
VALUES = [LONG, MANY, HUGE, -HUGE, NUL, None, True, {}, [{}], 1e308, *DATES]


def no_5xx(r) -> None:
    assert r.status_code < 500, (r.request.method, str(r.request.url)[:200], r.status_code, r.text[:300])


@pytest.fixture
def guid(client, customers_url) -> str:
    return create_customer(client, customers_url, lastName="Kohde")["customerGuid"]


def test_webhooks(client, company):
    url = f"/v1/companies/{company}/webhooks"
    for value in VALUES:
        for key in ("url", "events", "description", "enabled", "includeObject"):
            body = {"url": "https://example.com/hook", key: value}
            no_5xx(client.post(url, json=body))
    no_5xx(client.post(url, json={"url": "https://" + "a" * 100_000 + ".example.com/"}))
    no_5xx(client.post(url, json={"url": "https://example.com/" + NUL}))
    r = client.post(url, json={"url": "https://example.com/hook"})
    assert r.status_code == 201, r.text
    hook = f"{url}/{r.json()['id']}"
    for value in VALUES:
        no_5xx(client.patch(hook, json={"url": value, "events": value}))
        no_5xx(client.post(f"{hook}/rotate-secret", json={"overlapSeconds": value}))
        no_5xx(client.post(f"{hook}/replay", json={"since": value}))
    for since in (DATES[2], DATES[3]):  # outside the years 1-9999 in UTC: was a 500
        assert_problem(client.post(f"{hook}/replay", json={"since": since}), 422, "since")
    for q in ({"status": Q}, {"limit": str(HUGE)}, {"limit": "-1"}, {"status": NUL}):
        no_5xx(client.get(f"{hook}/deliveries", params=q))
    for bad in (LONG[:5000], str(HUGE), "0", "00000000-0000-0000-0000-000000000000"):
        no_5xx(client.get(f"{url}/{bad}"))
        no_5xx(client.post(f"{hook}/deliveries/{bad}/retry"))
        no_5xx(client.delete(f"{url}/{bad}"))


def test_merge_erase_subject_export(client, customers_url, guid):
    other = create_customer(client, customers_url, lastName="Lahde")["customerGuid"]
    for value in VALUES:
        no_5xx(client.post(f"{customers_url}/{guid}/merge", json={"from": value}))
        no_5xx(client.post(f"{customers_url}/{guid}/merge", json={"from": [other], "fields": value}))
        no_5xx(client.post(f"{customers_url}/{guid}/merge", json={"from": [other], "ifMatch": value}))
        no_5xx(client.post(f"{customers_url}/{guid}/erase", json={"reason": value}))
    no_5xx(client.post(f"{customers_url}/{guid}/merge", json={"from": [guid] * 100_000}))
    no_5xx(client.post(f"{customers_url}/{guid}/merge", json={"from": [other], "fields": {LONG: other}}))
    for key in (str(HUGE), LONG[:5000], "-1", "0", "ffffffff-ffff-ffff-ffff-ffffffffffff"):
        no_5xx(client.get(f"{customers_url}/{key}/subject-export"))
        no_5xx(client.post(f"{customers_url}/{key}/erase", json={"reason": "request"}))
        no_5xx(client.post(f"{customers_url}/{key}/merge", json={"from": [other]}))
    assert client.get(f"{customers_url}/{guid}/subject-export").status_code == 200


def test_duplicates(client, customers_url, guid):
    for q in (
        {"$filter": f"score gt {HUGE}"},
        {"$filter": "x" * 3000},
        {"$top": str(HUGE)},
        {"$skip": str(HUGE)},
        {"$orderby": LONG[:5000]},
        {"$filter": f"createdAt gt {DATES[1]}"},
        {"$filter": f"createdAt gt {DATES[2]}"},
    ):
        no_5xx(client.get(f"{customers_url}/duplicates", params=q))
    for key in (guid, str(HUGE), LONG[:5000]):
        no_5xx(client.get(f"{customers_url}/{key}/duplicates"))


def test_billmate_filters(client, company):
    b, h = "/compat/billmate/customers", {"X-Company": company}
    for q in (
        {"filter": ",".join(["nosuch"] * 4_000)},
        {"filter": Q},
        {"search": Q},
        {"searchInInvoiceForm": Q},
        {"from": DATES[0], "to": DATES[1]},
        {"from": "10000-01-01", "to": "0000-01-01"},
        {"limit": str(HUGE), "start": str(HUGE)},
        {"limit": "-1", "start": "-1"},
        {"fromDate": DATES[2]},
        {"searchWord": NUL},
        {"search": " ".join(f"w{i}" for i in range(2000))},
    ):
        for path in ("", "/count", "/export/csv", "/export/xml"):
            no_5xx(client.get(b + path, params=q, headers=h))
    for value in VALUES:
        no_5xx(client.post(b, json={"lastName": value, "orgNumber": value}, headers=h))
        no_5xx(client.request("DELETE", b, json=value if isinstance(value, list) else [value], headers=h))
    for key in (str(HUGE), LONG[:5000], "-1"):
        no_5xx(client.get(f"{b}/{key}", headers=h))
        no_5xx(client.get(f"{b}/searchByOrgNumber/{key}", headers=h))


def test_fivaldi_signed_api(client, company):
    api = new_client(client, [company], ["customers:read", "customers:write"])
    signer = Signer(client, api["clientId"], api["clientSecret"])
    base = f"/customer/api/companies/{company}/customers"
    for value in VALUES:
        body = json.dumps({"lastName": value, "firstName": value, "zipCode": value}).encode()
        no_5xx(signer.post(f"{base}/createCustomer", body))
    no_5xx(signer.post(f"{base}/createCustomer", json.dumps(MANY).encode()))
    for stamp in (HUGE, -HUGE, 0):
        no_5xx(signer.get(base, stamp=stamp))
    for headers in (
        {"X-Fivaldi-Partner": LONG[:8000]},
        {"Authorization": "Fivaldi " + LONG[:8000]},
        {"X-Fivaldi-Timestamp": "9" * 5000},
        {"Authorization": "Fivaldi"},
    ):
        no_5xx(signer.get(base, headers=headers))
    for q in (f"limit={HUGE}", "modifiedSince=10000-01-01", "modifiedSince=0000-01-01", f"x={LONG[:5000]}"):
        no_5xx(signer.get(base, wire_query=q))
    for key in (str(HUGE), LONG[:3000]):
        no_5xx(signer.get(f"{base}/{key}"))


def test_ui_forms(client, company, guid):
    page = client.get("/ui/login")
    csrf = re.search(r'name="csrf" value="([^"]*)"', page.text)
    assert csrf is not None, page.text[:500]
    no_5xx(client.post("/ui/login", data={"csrf": csrf.group(1), "admin_token": LONG}))
    no_5xx(client.post("/ui/login", data={"csrf": LONG, "client_id": NUL, "client_secret": LONG}))
    r = client.post("/ui/login", data={"csrf": csrf.group(1), "admin_token": ADMIN}, follow_redirects=False)
    assert r.status_code == 303, r.text
    token = re.search(r'name="csrf" value="([^"]*)"', client.get("/ui").text)
    assert token is not None
    ui = f"/ui/c/{company}/customers"
    for value in (LONG, NUL, str(HUGE), *DATES):
        query = value[:15_000]
        form = {"csrf": token.group(1), "lastName": value, "dateOfBirth": value, "email": value, "iban": value}
        no_5xx(client.post(f"{ui}/new", data=form))
        no_5xx(client.post(f"{ui}/{guid}/edit", data=form))
        no_5xx(client.post(f"{ui}/{guid}/consents", data={"csrf": token.group(1), "marketing": value}))
        no_5xx(client.get(ui, params={"q": query, "page": query, "sort": query}))
    r = client.get(ui, params={"q": " ".join(f"x{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(50))})
    assert r.status_code == 400, r.text[:300]  # more than 10 terms (limits.MAX_SEARCH_TERMS)
    no_5xx(client.post(f"{ui}/new", data={"csrf": token.group(1), **{f"f{i}": "x" for i in range(5000)}}))
