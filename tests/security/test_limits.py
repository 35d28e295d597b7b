"""Every limit of a request is answered with a problem naming it (docs/limits.md), in
linear time; error lists are capped."""

import uuid

import pytest
from conftest import ADMIN, assert_problem, create_customer, new_company
from fastapi.testclient import TestClient

from custreg import limits
from custreg.app import create_app
from custreg.errors import MAX_LISTED_ERRORS

CSV = {"content-type": "text/csv"}


def _limit(response, status: int, code: str, limit: str) -> dict:
    body = assert_problem(response, status)
    assert body["code"] == code and body["limit"] == limit and body["max"] > 0, body
    return body


def test_header_of_one_column_repeated_is_refused_at_once(client, customers_url):
    header = ",".join(["lastName"] * 200_000)  # quadratic before: minutes of CPU
    r = client.post(f"{customers_url}/import", content=f"{header}\nx\n", headers=CSV)
    _limit(r, 413, "too_many_items", "header")
    r = client.post(f"{customers_url}/import", content="lastName,email,lastName\nx,a@b.fi,y\n", headers=CSV)
    body = assert_problem(r, 400, "lastName")
    assert "Duplicate" in body["detail"]


def test_unknown_columns_are_listed_up_to_the_cap(client, customers_url):
    header = ",".join(f"col{i}" for i in range(limits.MAX_HEADER_COLUMNS))
    r = client.post(f"{customers_url}/import", content=f"{header}\nx\n", headers=CSV)
    body = assert_problem(r, 400)
    assert len(body["errors"]) == MAX_LISTED_ERRORS
    assert body["errorsNotListed"] == limits.MAX_HEADER_COLUMNS - MAX_LISTED_ERRORS
    assert "more" in body["detail"] and len(body["detail"]) < 5000


def test_import_rows_per_request(settings, client):
    small = create_app(settings.model_copy(update={"import_max_rows": 3}))
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    with TestClient(small, headers={"Authorization": f"Bearer {ADMIN}"}) as c:
        for mode in ("all-or-nothing", "valid-rows"):
            rows = "".join(f"Name{i}\n" for i in range(4))
            r = c.post(f"{url}/import", params={"mode": mode}, content=f"lastName\n{rows}", headers=CSV)
            _limit(r, 413, "too_many_items", "rows")
        assert c.get(url).json()["total"] == 0  # nothing written, in either mode
        # A quoted cell's line breaks are not rows.
        r = c.post(f"{url}/import", content='lastName,customerReference\nA,"1\n2\n3\n4"\nB,x\n', headers=CSV)
        assert r.status_code != 413 and r.json()["rows"] == 2, r.text
        r = c.post(f"{url}/import", content="lastName\nA\nB\nC\n", headers=CSV)
        assert r.status_code == 200 and r.json()["created"] == 3, r.text
    small.state.db.engine.dispose()


def test_clvr_parameters_array_is_bounded(client, company):
    guid = str(uuid.uuid4())
    url = f"/v1/companies/{company}/customers"
    create_customer(client, url, customerGuid=guid)
    items = [{"code": f"P{i}", "value": "x"} for i in range(limits.MAX_BODY_ITEMS + 1)]
    r = client.post(f"/compat/clvr/customers/{guid}/parameters", json=items, headers={"X-Company": company})
    _limit(r, 413, "too_many_items", "body")


def test_bulk_keys_are_bounded(client, customers_url):
    r = client.request("DELETE", customers_url, json=list(range(1, 1002)))
    _limit(r, 413, "too_many_items", "body")
    r = client.post(f"{customers_url}/export.csv", json=list(range(1, limits.MAX_BULK_KEYS + 2)))
    _limit(r, 413, "too_many_items", "body")


@pytest.mark.parametrize(
    ("filter_", "what"),
    [
        ("lastName eq 'x' or " * 150 + "lastName eq 'y'", "terms"),
        ("lastName eq '" + "x" * 2500 + "'", "length"),
        ("not (" * 25 + "lastName eq 'x'" + ")" * 25, "not"),
        ("customerNumber in (" + ",".join(str(i) for i in range(101)) + ")", "in"),
    ],
)
def test_filter_limits(client, customers_url, filter_, what):
    r = client.get(customers_url, params={"$filter": filter_})
    _limit(r, 400, "query_too_complex", "$filter")


def test_select_limit(client, customers_url):
    r = client.get(customers_url, params={"$select": ",".join(["lastName"] * (limits.MAX_SELECT_FIELDS + 1))})
    _limit(r, 400, "query_too_complex", "$select")


def test_unknown_ids_are_listed_up_to_the_cap(client, customers_url):
    create_customer(client, customers_url)
    keys = [str(uuid.uuid4()) for _ in range(5000)]
    r = client.post(f"{customers_url}/export.csv", json=keys)
    body = assert_problem(r, 404)
    assert len(body["errors"]) == MAX_LISTED_ERRORS and body["errorsNotListed"] == 5000 - MAX_LISTED_ERRORS
    assert len(r.content) < 20_000  # was every id, twice


def test_validation_errors_are_listed_up_to_the_cap(client, customers_url):
    r = client.post(customers_url, json={"lastName": "X", "addresses": [{"countryCode": "??"}] * 100})
    body = assert_problem(r, 422)
    assert len(body["errors"]) <= MAX_LISTED_ERRORS
    assert body.get("errorsNotListed", 0) + len(body["errors"]) >= 100


@pytest.mark.parametrize("mode", ["all-or-nothing", "valid-rows"])
def test_import_report_lists_the_first_100_errors(client, customers_url, mode):
    rows = "".join(f"Name{i},not an e-mail\n" for i in range(150))
    r = client.post(f"{customers_url}/import", params={"mode": mode}, content=f"lastName,email\n{rows}", headers=CSV)
    body = r.json()
    assert r.status_code == (422 if mode == "all-or-nothing" else 200), r.text
    assert len(body["errors"]) == MAX_LISTED_ERRORS and body["errorsNotListed"] == 150 - MAX_LISTED_ERRORS


def test_search_word_with_more_terms_than_the_limit_is_refused_not_cut(client, customers_url):
    n = limits.MAX_SEARCH_TERMS
    c1 = create_customer(client, customers_url, lastName="Termila", firstName="Aino")
    words = [f"x{chr(97 + i)}y" for i in range(n + 1)]  # distinct terms: none starts another
    for url in (customers_url, f"{customers_url}/count"):
        _limit(client.get(url, params={"searchWord": " ".join(words)}), 400, "query_too_complex", "searchWord")
    # At the limit it is a search (AND of every term), and a repeated term is one term.
    r = client.get(customers_url, params={"searchWord": " ".join(["termila"] * (n + 5) + words[: n - 1])})
    assert r.status_code == 200 and r.json()["value"] == [], r.text
    r = client.get(customers_url, params={"searchWord": " ".join(["termila", "aino"] * (n + 5))})
    assert r.status_code == 200 and [c["customerNumber"] for c in r.json()["value"]] == [c1["customerNumber"]], r.text


def test_error_details_name_at_most_the_first_hundred_items(client, customers_url, company):
    """Details that name bad items (unknown companies, scopes, query options, NUL
    parameters) name the first 100 and count the rest, as the `errors` list does."""
    short = 20_000  # 1,000 items named: about 90 kB

    def capped(r, status: int) -> None:
        assert r.status_code == status and len(r.content) < short and "and 900 more" in r.text, r.text[:300]

    cuids = [f"no-such-{i:04}" for i in range(1000)]
    capped(client.post("/v1/clients", json={"name": "x", "companies": cuids, "scopes": ["customers:read"]}), 422)
    app_client = client.post(
        "/v1/clients", json={"name": "x", "companies": [company], "scopes": ["customers:read"]}
    ).json()
    form = {
        "grant_type": "client_credentials",
        "client_id": app_client["clientId"],
        "client_secret": app_client["clientSecret"],
        "scope": " ".join(f"s{i}" for i in range(1000)),  # within the form limit (8 KiB)
    }
    assert client.post("/oauth/token", data=form).json()["error"] == "invalid_scope"
    capped(client.post("/oauth/token", data=form), 400)
    capped(client.get(customers_url, params={f"$opt{i}": "1" for i in range(1000)}), 400)
    capped(client.get(customers_url, params={f"p{i}": "\x00" for i in range(1000)}), 400)


def test_a_json_body_has_a_smaller_limit_than_other_bodies(client, customers_url):
    """FastAPI decodes JSON on the event loop: a JSON body over CUSTREG_MAX_JSON_BODY_BYTES
    (1 MiB) is 413 before it is decoded; other bodies keep CUSTREG_MAX_BODY_BYTES (5 MiB)."""
    json_max = 1024 * 1024
    big = b'{"lastName": "' + b"x" * (json_max - 15) + b'"}'
    assert len(big) == json_max + 1
    for headers in ({"Content-Type": "application/json"}, {"Content-Type": "application/merge-patch+json"}, {}):
        body = _limit(client.post(customers_url, content=big, headers=headers), 413, "payload_too_large", "body")
        assert body["max"] == json_max
    r = client.post(customers_url, content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code != 413 and r.status_code < 500, r.text[:300]
    r = client.post(customers_url, json={"lastName": "Virtanen", "notes": "n" * 900_000})
    assert r.status_code in (201, 422), r.text[:300]  # under the limit: validated as usual
