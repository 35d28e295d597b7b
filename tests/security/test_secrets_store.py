"""Secrets are never stored in clear (docs/access.md): a client's secret is not in the
Idempotency-Key store, the audit trail or any table beside its argon2 hash; a replayed
creation answers without it."""

import uuid

from access_util import bearer, token_for
from conftest import assert_problem, new_company
from sqlalchemy import select

from custreg.db.base import Base

# Tables a secret could end up in by accident (the customer tables hold customers' data).
WATCHED = ("idempotency_keys", "audit_log", "api_clients", "change_log", "admin_credentials")


def _stored_text(app) -> str:
    tables = [Base.metadata.tables[name] for name in WATCHED]
    with app.state.db.engine.connect() as conn:
        return "\n".join(repr(row) for t in tables for row in conn.execute(select(t)))


def test_replayed_client_creation_answers_without_the_secret(app, client, anon):
    a = new_company(client)
    key = {"Idempotency-Key": f"mk-client-{uuid.uuid4().hex}"}
    body = {"name": "idempotent", "companies": [a], "scopes": ["customers:read"]}
    first = client.post("/v1/clients", json=body, headers=key)
    assert first.status_code == 201, first.text
    made = first.json()
    secret = made["clientSecret"]
    assert len(secret) >= 40 and first.headers["Cache-Control"] == "no-store"

    replay = client.post("/v1/clients", json=body, headers=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"] == f"/v1/clients/{made['clientId']}"
    again = replay.json()
    assert "clientSecret" not in again and secret not in replay.text
    assert {k: v for k, v in made.items() if k != "clientSecret"} == again
    # One client only, and the secret shown once still works.
    assert client.get(f"/v1/clients/{made['clientId']}").status_code == 200
    assert anon.get(f"/v1/companies/{a}", headers=bearer(token_for(anon, made))).status_code == 200
    assert_problem(client.post("/v1/clients", json={**body, "name": "other"}, headers=key), 409, "Idempotency-Key")

    stored = _stored_text(app)
    assert made["clientId"] in stored  # the scan sees the client's row
    assert secret not in stored


def test_tokens_and_secrets_are_not_in_the_audit_trail_or_answers(app, client, anon):
    a = new_company(client)
    made = client.post("/v1/clients", json={"name": "writer", "companies": [a], "scopes": ["customers:write"]}).json()
    token = token_for(anon, made)
    r = anon.post(f"/v1/companies/{a}/customers", json={"lastName": "Salainen"}, headers=bearer(token))
    assert r.status_code == 201
    history = client.get(f"/v1/companies/{a}/customers/{r.json()['customerNumber']}/history").json()
    assert history["value"][0]["actorId"] == made["clientId"]
    listed = client.get("/v1/clients?$top=100").text + client.get(f"/v1/clients/{made['clientId']}").text
    stored = _stored_text(app)
    for value in (made["clientSecret"], token):
        assert value not in stored and value not in listed and value not in r.text
    # A refused token is not echoed either.
    bad = token[:-4] + "AAAA"
    refused = anon.get(f"/v1/companies/{a}/customers", headers=bearer(bad))
    assert_problem(refused, 401)
    assert bad not in refused.text and token not in refused.text
