"""What keeps the event loop free (docs/limits.md, "The event loop and fairness"): behaviour
only; how long the loop is held is measured by bench/loop_hold.py, not asserted here."""

import threading

from conftest import ADMIN, assert_problem
from fastapi.testclient import TestClient

from custreg.app import create_app

JSON_MAX = 1024 * 1024


def test_an_over_limit_json_body_is_413_without_being_decoded(client, customers_url):
    """Not JSON at all: decoding it would answer 400; the limit answers first, with or
    without a declared length (a chunked body is counted as it streams in)."""
    junk = b"{" * (JSON_MAX + 1)
    headers = {"Content-Type": "application/json"}
    body = assert_problem(client.post(customers_url, content=junk, headers=headers), 413)
    assert body["code"] == "payload_too_large" and body["limit"] == "body" and body["max"] == JSON_MAX

    def chunks():
        for i in range(0, len(junk), 64 * 1024):
            yield junk[i : i + 64 * 1024]

    body = assert_problem(client.post(customers_url, content=chunks(), headers=headers), 413)
    assert body["code"] == "payload_too_large"
    # The same bytes within the limit are decoded, and refused for what they are.
    r = client.post(customers_url, content=junk[:1000], headers=headers)
    assert assert_problem(r, 400)["code"] == "malformed_json"


def test_openapi_json_is_the_same_document_for_concurrent_first_requests(settings):
    """/openapi.json is made at startup (seconds of CPU) and its bytes rendered once, in a
    thread: requests that come together all get that one document, errors documented."""
    app = create_app(settings)
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as c:
            answers: list = []

            def get() -> None:
                answers.append(c.get("/openapi.json"))

            threads = [threading.Thread(target=get) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert [r.status_code for r in answers] == [200] * 4
            assert len({r.content for r in answers}) == 1
            assert answers[0].headers["content-type"] == "application/json"
            spec = answers[0].json()
            assert spec["openapi"].startswith("3.") and "/v1/companies/{cuid}/customers" in spec["paths"]
            assert "413" in spec["paths"]["/v1/companies/{cuid}/customers"]["post"]["responses"]
            assert spec == app.openapi()
    finally:
        app.state.db.engine.dispose()


def test_openapi_json_names_the_root_path_as_its_server(settings):
    app = create_app(settings)
    try:
        with TestClient(app, root_path="/register") as c:
            spec = c.get("/openapi.json").json()
            assert spec["servers"][0] == {"url": "/register"}
            assert "servers" not in TestClient(app).get("/openapi.json").json()
    finally:
        app.state.db.engine.dispose()
