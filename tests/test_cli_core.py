"""CLI: admin token bootstrap and rotation, demo data, companies, the data directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from conftest import ADMIN
from fastapi.testclient import TestClient
from serve_util import custreg_serve

from custreg.app import create_app
from custreg.settings import Settings


def custreg(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "custreg.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator who set nothing: no CUSTREG_*, HOME of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_") and k != "XDG_DATA_HOME"}
    env.update(HOME=str(home), COLUMNS="200", **extra)
    return env


def custreg_in(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "custreg.cli", *args], env=env, cwd=folder, capture_output=True, text=True, timeout=120
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


def test_demo_twice_leaves_one_demo_company(database_url, client):
    first = custreg(database_url, "demo", "--company", "demo-twice")
    assert first.returncode == 0, first.stderr
    before = client.get("/v1/companies/demo-twice/customers", params={"$top": 100}).json()
    again = custreg(database_url, "demo", "--company", "demo-twice")
    assert again.returncode == 0, again.stderr
    assert "nothing loaded" in again.stderr and f"has {before['total']} customers" in again.stderr
    after = client.get("/v1/companies/demo-twice/customers", params={"$top": 100}).json()
    assert after == before
    assert client.get("/v1/companies/demo-twice").json()["name"] == "Demo Oy"


def test_company_create_as_the_api_does(database_url, client):
    made = custreg(database_url, "company", "create", "cli-acme", "--name", " Acme Oy ", "--business-id", "2331972-7")
    assert made.returncode == 0, made.stderr
    body = json.loads(made.stdout)
    assert body == client.get("/v1/companies/cli-acme").json()
    assert (body["cuid"], body["name"], body["countryCode"], body["businessId"]) == (
        "cli-acme",
        "Acme Oy",
        "FI",
        "2331972-7",
    )
    # The company takes customers at once (with its default codes, as one made by the API).
    r = client.post("/v1/companies/cli-acme/customers", json={"lastName": "Virtanen", "cellularPhone": "040 123 4567"})
    assert r.status_code == 201, r.text

    again = custreg(database_url, "company", "create", "cli-acme", "--name", "Other", "--country", "SE")
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    assert client.get("/v1/companies/cli-acme").json()["name"] == "Acme Oy"


def test_company_create_refuses_what_the_api_refuses(database_url, client):
    for args, named in (
        (["Bad_Cuid", "--name", "X"], "CUID"),
        (["cli-bad-country", "--name", "X", "--country", "XX"], "--country"),
        (["cli-no-name", "--name", ""], "--name"),
    ):
        r = custreg(database_url, "company", "create", *args)
        assert r.returncode == 2, r.stderr
        assert f"  {named}: " in r.stderr, r.stderr
        api = client.post("/v1/companies", json={"cuid": args[0], "name": args[2], "countryCode": args[-1]})
        assert api.status_code == 422
    assert client.get("/v1/companies/cli-bad-country").status_code == 404


def test_the_default_database_is_in_the_data_directory_wherever_a_command_runs(tmp_path):
    env = _bare_env(tmp_path / "home")
    database = tmp_path / "home" / ".local" / "share" / "custreg" / "custreg.db"
    made = custreg_in(tmp_path / "one", env, "company", "create", "acme", "--name", "Acme Oy")
    assert made.returncode == 0, made.stderr
    assert f"database: SQLite {database}" in made.stderr
    # Another folder, the same register: the company is there already.
    again = custreg_in(tmp_path / "two", env, "company", "create", "acme", "--name", "Acme Oy")
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    assert f"database: SQLite {database}" in again.stderr
    assert database.exists() and oct(database.parent.stat().st_mode & 0o777) == oct(0o700)
    assert not list((tmp_path / "one").iterdir()) and not list((tmp_path / "two").iterdir())

    # XDG_DATA_HOME and CUSTREG_DATA_DIR move it; CUSTREG_DATABASE_URL wins over both.
    xdg = custreg_in(tmp_path / "one", {**env, "XDG_DATA_HOME": str(tmp_path / "xdg")}, "migrate")
    assert f"database: SQLite {tmp_path / 'xdg' / 'custreg' / 'custreg.db'}" in xdg.stderr
    data_dir = custreg_in(tmp_path / "one", {**env, "CUSTREG_DATA_DIR": str(tmp_path / "data")}, "migrate")
    assert f"database: SQLite {tmp_path / 'data' / 'custreg.db'}" in data_dir.stderr
    assert (tmp_path / "data" / "custreg.db").exists()
    url = custreg_in(
        tmp_path / "one",
        {**env, "CUSTREG_DATA_DIR": str(tmp_path / "data"), "CUSTREG_DATABASE_URL": "sqlite:///own.db"},
        "migrate",
    )
    assert f"database: SQLite {tmp_path / 'one' / 'own.db'}" in url.stderr


def test_an_old_custreg_db_in_the_current_folder_is_named_not_silently_passed_over(tmp_path):
    env = _bare_env(tmp_path / "home")
    old = tmp_path / "checkout" / "custreg.db"
    old.parent.mkdir()
    old.write_bytes(b"")
    r = custreg_in(old.parent, env, "migrate")
    assert r.returncode == 0, r.stderr
    assert f"warning: {old} is not used" in " ".join(r.stderr.split()), r.stderr
    assert old.read_bytes() == b""


def test_serve_names_its_database_and_makes_the_data_directory(tmp_path):
    env = _bare_env(tmp_path / "home", CUSTREG_ADMIN_TOKEN=ADMIN)
    database = tmp_path / "home" / ".local" / "share" / "custreg" / "custreg.db"
    with custreg_serve(env, tmp_path) as served:
        r = httpx.post(
            f"{served.base}/v1/companies",
            json={"cuid": "served", "name": "Served Oy", "countryCode": "FI"},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert r.status_code == 201, r.text
        assert f"database: SQLite {database}" in served.output()
    listed = custreg_in(tmp_path / "elsewhere", env, "company", "create", "served", "--name", "Served Oy")
    assert listed.returncode == 1 and "already exists" in listed.stderr  # the same register
