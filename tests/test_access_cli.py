"""CLI: custreg client create|list|revoke, custreg user-token."""

import os
import subprocess
import sys

from typer.testing import CliRunner

from access_util import IDP, bearer, own_app
from conftest import assert_problem, create_customer
from custreg.cli import app as cli


def custreg(database_url: str, *args: str, **env_extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = database_url
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "custreg.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def _field(output: str, name: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith(name + ": "))


def test_client_create_list_revoke(client, anon, database_url, company, customers_url):
    create_customer(client, customers_url, lastName="Cli")
    made = custreg(database_url, "client", "create", "--company", company,
                   "--scope", "customers:read", "--name", "cli reader")
    assert made.returncode == 0, made.stderr
    client_id, secret = _field(made.stdout, "clientId"), _field(made.stdout, "clientSecret")
    assert "shown once" in made.stderr

    r = anon.post("/oauth/token", data={"grant_type": "client_credentials",
                                        "client_id": client_id, "client_secret": secret})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert anon.get(customers_url, headers=bearer(token)).json()["value"][0]["lastName"] == "Cli"
    assert_problem(anon.post(customers_url, json={"lastName": "X"}, headers=bearer(token)), 403)

    listed = custreg(database_url, "client", "list")
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith(client_id))
    assert "active" in line and company in line and "customers:read" in line
    assert secret not in listed.stdout

    revoked = custreg(database_url, "client", "revoke", client_id)
    assert revoked.returncode == 0, revoked.stderr
    assert_problem(anon.get(customers_url, headers=bearer(token)), 401)
    line = next(ln for ln in custreg(database_url, "client", "list").stdout.splitlines()
                if ln.startswith(client_id))
    assert "revoked" in line
    assert custreg(database_url, "client", "revoke", "cl_nosuch").returncode == 1


def test_client_create_refuses_unknown_scope_and_company(database_url, company):
    bad = custreg(database_url, "client", "create", "--company", company, "--scope", "root")
    assert bad.returncode == 2 and "scopes" in bad.stderr
    bad = custreg(database_url, "client", "create", "--company", "no-such-co",
                  "--scope", "customers:read")
    assert bad.returncode == 2 and "companies" in bad.stderr


def test_user_token_works_for_self_service(client, database_url, customers_url, monkeypatch):
    create_customer(client, customers_url, lastName="Selvä", attachedUsers=["cli-user-1"])
    for key, value in IDP.items():
        monkeypatch.setenv("CUSTREG_" + key.upper(), value)
    from custreg.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["user-token", "--sub", "cli-user-1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    with own_app(database_url, **IDP) as http:
        r = http.get("/v1/customer/info", headers=bearer(token))
        assert r.status_code == 200, r.text
        assert r.json()["name"]["lastName"] == "Selvä"


def test_user_token_needs_the_idp_settings(database_url):
    r = custreg(database_url, "user-token", "--sub", "x")
    assert r.returncode == 2 and "CUSTREG_IDP_HS256_SECRET" in r.stderr
