"""CLI: admin token bootstrap and rotation, demo data."""

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from custreg.app import create_app
from custreg.settings import Settings


def custreg(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "custreg.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _token(output: str) -> str:
    return output.split("Bearer ")[1].split("'")[0]


def test_generated_admin_token_works_and_rotates(database_url):
    settings = Settings(database_url=database_url, admin_token=None)
    app = create_app(settings)
    with TestClient(app) as anon:
        first = custreg(database_url, "admin-token", "--rotate")
        assert first.returncode == 0, first.stderr
        token = _token(first.stderr)
        assert anon.get("/v1/companies", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        again = custreg(database_url, "admin-token")
        assert again.returncode == 1 and "exists" in again.stderr
        second = custreg(database_url, "admin-token", "--rotate")
        new = _token(second.stderr)
        assert new != token
        import time

        time.sleep(1.1)  # the server re-reads the stored hash at most once a second
        assert anon.get("/v1/companies", headers={"Authorization": f"Bearer {new}"}).status_code == 200
        assert anon.get("/v1/companies", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    app.state.db.engine.dispose()


def test_demo_loads_nordic_customers(database_url, client):
    r = custreg(database_url, "demo", "--company", "demo-cli")
    assert r.returncode == 0, r.stderr
    page = client.get("/v1/companies/demo-cli/customers", params={"$top": 100}).json()
    assert page["total"] >= 30
    countries = {c["countryCode"] for c in page["value"]}
    assert {"FI", "SE", "NO", "DK"} <= countries
    assert any(c["cellularPhone"] and c["cellularPhone"].startswith("+46") for c in page["value"])
