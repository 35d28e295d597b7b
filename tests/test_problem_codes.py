"""Every problem+json answer names a stable `code` and a `type` URI that resolves to a page
describing it (issue 22; docs/errors.md). The other fields stay as they were."""

import pathlib
import re

from access_util import bearer, new_client, own_app, token_for
from conftest import ADMIN, assert_problem, create_customer
from fastapi.testclient import TestClient

from custreg.app import create_app
from custreg.companies import service as companies_service
from custreg.settings import Settings

DOCS = pathlib.Path(__file__).parents[1] / "docs" / "errors.md"


def assert_code(response, status: int, code: str, field: str | None = None) -> dict:
    body = assert_problem(response, status, field)
    assert body["code"] == code, body
    assert body["type"] == f"/problems/{code}", body
    return body


def assert_resolves(http, body: dict) -> None:
    page = http.get(body["type"])  # no token
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert body["code"] in page.text


def test_a_422_names_validation_failed_and_its_type_resolves(client, anon, customers_url):
    r = client.post(customers_url, json={"lastName": "Virtanen", "email": "not an address"})
    body = assert_code(r, 422, "validation_failed", "email")
    # The fields that were there before are unchanged.
    assert body["title"] == "Unprocessable Entity" and body["instance"] == customers_url
    assert [e["field"] for e in body["errors"]] == ["email"]
    assert body["detail"].startswith("Invalid field(s): ")
    assert_resolves(anon, body)
    assert "errors" in anon.get(body["type"]).text


def test_400_malformed_json_and_bad_query(client, anon, customers_url):
    r = client.post(customers_url, content=b'{"lastName": ', headers={"Content-Type": "application/json"})
    assert_resolves(anon, assert_code(r, 400, "malformed_json", "body"))
    r = client.get(customers_url, params={"$top": "1000"})
    assert_resolves(anon, assert_code(r, 400, "bad_request", "$top"))


def test_401_403_404_405(client, anon, company, customers_url):
    assert_resolves(anon, assert_code(anon.get(customers_url), 401, "unauthorized"))
    reader = new_client(client, [company], ["customers:read"])
    r = anon.post(customers_url, json={"lastName": "X"}, headers=bearer(token_for(anon, reader)))
    assert_resolves(anon, assert_code(r, 403, "forbidden"))
    assert_resolves(anon, assert_code(client.get(f"{customers_url}/999999"), 404, "not_found"))
    assert_code(client.get("/no/such/path"), 404, "not_found")
    assert_resolves(anon, assert_code(client.put("/health"), 405, "method_not_allowed"))


def test_409_conflict(client, anon, company):
    r = client.post("/v1/companies", json={"cuid": company, "name": "Again", "countryCode": "FI"})
    assert_resolves(anon, assert_code(r, 409, "conflict"))


def test_412_etag_mismatch(client, anon, customers_url):
    made = create_customer(client, customers_url)
    one = f"{customers_url}/{made['customerNumber']}"
    etag = client.get(one).headers["ETag"]
    assert client.patch(one, json={"notes": "first"}, headers={"If-Match": etag}).status_code == 200
    r = client.patch(one, json={"notes": "second"}, headers={"If-Match": etag})  # stale
    assert_resolves(anon, assert_code(r, 412, "etag_mismatch"))


def test_413_415(client, anon, database_url, company):
    with own_app(database_url, max_body_bytes=200) as http:
        r = http.post(f"/v1/companies/{company}/customers", json={"lastName": "x" * 500}, headers=bearer(ADMIN))
        assert_resolves(anon, assert_code(r, 413, "payload_too_large", "body"))
    r = client.post(
        f"/v1/companies/{company}/customers/import", content=b"a,b\n", headers={"Content-Type": "application/json"}
    )
    assert_resolves(anon, assert_code(r, 415, "unsupported_media_type", "Content-Type"))


def test_429_rate_limited(client, anon, database_url, company):
    flooder = new_client(client, [company], ["customers:read"])
    with own_app(database_url, rate_limit_per_second=0.1, rate_limit_burst=1) as http:
        h = bearer(token_for(http, flooder))
        assert http.get(f"/v1/companies/{company}/customers", headers=h).status_code == 200
        r = http.get(f"/v1/companies/{company}/customers", headers=h)
        body = assert_code(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1 and "Rate limit" in body["detail"]
        assert_resolves(anon, body)


def test_500_internal_error_names_its_request_id(database_url, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(companies_service, "list_page", boom)
    app = create_app(Settings(database_url=database_url, admin_token=ADMIN))
    try:
        with TestClient(app, raise_server_exceptions=False) as http:
            r = http.get("/v1/companies", params={"$top": "3"}, headers={**bearer(ADMIN), "X-Request-Id": "req-500"})
    finally:
        app.state.db.engine.dispose()
    body = assert_code(r, 500, "internal_error")
    assert body["detail"] == "Internal error" and "a bug" not in r.text
    assert r.headers["X-Request-Id"] == "req-500"
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "custreg"]
    assert logged == ["unhandled error: GET /v1/companies request_id=req-500"]


def test_every_code_has_a_page_and_is_documented(anon):
    from custreg.problem_types import BY_STATUS, TYPES

    assert set(BY_STATUS.values()) <= set(TYPES)
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOCS.read_text(), re.M))
    assert documented == set(TYPES), "docs/errors.md and problem_types.TYPES list different codes"
    for code, kind in TYPES.items():
        page = anon.get(f"/problems/{code}")
        assert page.status_code == 200 and code in page.text and str(kind.status) in page.text
    body = assert_code(anon.get("/problems/no_such_code"), 404, "not_found")
    assert "no_such_code" in body["detail"]
    assert_code(anon.get("/problems/<script>"), 404, "not_found")


def test_openapi_problem_schema_names_the_code(anon):
    schema = anon.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    assert "code" in schema["required"] and "code" in schema["properties"]
