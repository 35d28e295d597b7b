"""CLI: custreg client create|list|revoke, custreg user-token."""

import os
import subprocess
import sys

import pytest
from access_util import IDP, bearer, own_app, token_for
from conftest import ADMIN as ADMIN_TOKEN
from conftest import assert_problem, create_customer, new_company
from typer.testing import CliRunner

from custreg.cli import app as cli


def custreg(database_url: str, *args: str, **env_extra) -> subprocess.CompletedProcess:
    """The real command line, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = database_url
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "custreg.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def run(database_url, monkeypatch):
    """The command line in this process (typer's CliRunner): fast."""
    from custreg.settings import get_settings

    for key in [k for k in os.environ if k.startswith("CUSTREG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("CUSTREG_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def invoke(*args: str, **env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args))

    yield invoke
    get_settings.cache_clear()


def _field(output: str, name: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith(name + ": "))


def test_client_create_list_revoke(client, anon, database_url, company, customers_url, run):
    create_customer(client, customers_url, lastName="Cli")
    # Once as a real process: what an operator types.
    made = custreg(
        database_url, "client", "create", "--company", company, "--scope", "customers:read", "--name", "cli reader"
    )
    assert made.returncode == 0, made.stderr
    client_id, secret = _field(made.stdout, "clientId"), _field(made.stdout, "clientSecret")
    assert "shown once" in made.stderr

    r = anon.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert anon.get(customers_url, headers=bearer(token)).json()["value"][0]["lastName"] == "Cli"
    assert_problem(anon.post(customers_url, json={"lastName": "X"}, headers=bearer(token)), 403)

    listed = run("client", "list")
    assert listed.exit_code == 0, listed.output
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith(client_id))
    assert "active" in line and company in line and "customers:read" in line
    assert secret not in listed.output

    revoked = run("client", "revoke", client_id)
    assert revoked.exit_code == 0, revoked.output
    assert_problem(anon.get(customers_url, headers=bearer(token)), 401)
    line = next(ln for ln in run("client", "list").stdout.splitlines() if ln.startswith(client_id))
    assert "revoked" in line
    assert run("client", "revoke", "cl_nosuch").exit_code == 1


def test_client_create_with_several_companies_and_scopes(client, anon, company, run):
    second = new_company(client)
    made = run(
        "client",
        "create",
        "--company",
        company,
        "--company",
        second,
        "--scope",
        "customers:read",
        "--scope",
        "customers:write",
    )
    assert made.exit_code == 0, made.output
    cid, secret = _field(made.stdout, "clientId"), _field(made.stdout, "clientSecret")
    token = token_for(anon, {"clientId": cid, "clientSecret": secret})
    for cuid in (company, second):
        r = anon.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Both"}, headers=bearer(token))
        assert r.status_code == 201, r.text


def test_client_create_refuses_unknown_scope_and_company(company, run):
    bad = run("client", "create", "--company", company, "--scope", "root")
    assert bad.exit_code == 2 and "scopes" in bad.output
    bad = run("client", "create", "--company", "no-such-co", "--scope", "customers:read")
    assert bad.exit_code == 2 and "companies" in bad.output


def test_user_token_works_for_self_service(client, database_url, customers_url, run):
    create_customer(client, customers_url, lastName="Selvä", attachedUsers=["cli-user-1"])
    result = run("user-token", "--sub", "cli-user-1", **{"CUSTREG_" + k.upper(): v for k, v in IDP.items()})
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    with own_app(database_url, **IDP) as http:
        r = http.get("/v1/customer/info", headers=bearer(token))
        assert r.status_code == 200, r.text
        assert r.json()["name"]["lastName"] == "Selvä"


def test_user_token_needs_the_idp_settings(run):
    r = run("user-token", "--sub", "x")
    assert r.exit_code == 2 and "CUSTREG_IDP_HS256_SECRET" in r.output


def test_secret_key_rotation_keeps_fivaldi_signatures_working(client, database_url, company, run):
    """A client secret sealed under one key still verifies a Fivaldi signature with the new
    key first (`new,old`), and after `custreg client reseal` with the new key alone."""
    from cryptography.fernet import Fernet
    from fivaldi_util import Signer

    from custreg.settings import Settings

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    # Clients of other tests were sealed with the data directory's key file: readable too.
    path = Settings().data_dir / "secret.key"
    file_key = path.read_text().strip() if path.exists() else ""
    path_of = f"/customer/api/companies/{company}/customers"
    with own_app(database_url, secret_key=old) as http:
        made = http.post(
            "/v1/clients",
            json={"name": "rotated", "companies": [company], "scopes": ["customers:read"]},
            headers=bearer(ADMIN_TOKEN),
        ).json()
        signer = Signer(http, made["clientId"], made["clientSecret"])
        assert signer.get(path_of).status_code == 200
    with own_app(database_url, secret_key=f"{new},{old}") as http:
        assert Signer(http, signer.partner, signer.secret).get(path_of).status_code == 200
    keys = ",".join(k for k in (new, old, file_key) if k)
    done = run("client", "reseal", CUSTREG_SECRET_KEY=keys)
    assert done.exit_code == 0, done.output
    assert "resealed" in done.output and "0 no key opens" in done.output
    with own_app(database_url, secret_key=new) as http:
        assert Signer(http, signer.partner, signer.secret).get(path_of).status_code == 200
    with own_app(database_url, secret_key=old) as http:  # the old key alone no longer opens it
        assert Signer(http, signer.partner, signer.secret).get(path_of).status_code == 401
