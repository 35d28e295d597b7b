"""Helpers of the access-control tests: API clients and their tokens, apps of their own."""

from contextlib import contextmanager

from conftest import ADMIN
from fastapi.testclient import TestClient

from custreg.app import create_app
from custreg.settings import Settings

IDP = {
    "idp_issuer": "https://idp.test",
    "idp_audience": "custreg-test",
    "idp_hs256_secret": "idp-test-secret-0123456789abcdef0123456789",
}


def new_client(admin, companies: list[str], scopes: list[str], name: str = "test client") -> dict:
    r = admin.post("/v1/clients", json={"name": name, "companies": companies, "scopes": scopes})
    assert r.status_code == 201, r.text
    return r.json()


def token_for(http, client: dict, **form) -> str:
    data = {
        "grant_type": "client_credentials",
        "client_id": client["clientId"],
        "client_secret": client["clientSecret"],
        **form,
    }
    r = http.post("/oauth/token", data=data)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    return body["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def own_app(database_url: str, **settings):
    """An app instance of its own (own settings, own process state) on the test database."""
    app = create_app(Settings(database_url=database_url, admin_token=ADMIN, **settings))
    try:
        with TestClient(app) as http:
            yield http
    finally:
        limiter = app.state.rate_limiter._buckets
        if hasattr(limiter, "close"):
            limiter.close()
        app.state.token_limits.close()
        app.state.db.engine.dispose()
