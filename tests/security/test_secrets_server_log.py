"""A served custreg taken through a hostile sequence (bad tokens and secrets, replays,
self-service across companies, edge values, a racing create, an import and an export) logs
no customer value, no token and no secret (docs/access.md, docs/operations.md)."""

import io
import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import jwt
from access_util import IDP
from conftest import ADMIN
from serve_util import custreg_serve
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from custreg import serving
from custreg.db.base import Base


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        CUSTREG_DATABASE_URL=database_url,
        CUSTREG_ADMIN_TOKEN=ADMIN,
        CUSTREG_ACCESS_LOG="true",
        **{f"CUSTREG_{k.upper()}": v for k, v in IDP.items()},
    )
    return env


def _user_token(sub: str, **claims) -> str:
    base = {"iss": IDP["idp_issuer"], "aud": IDP["idp_audience"], "sub": sub, "exp": int(time.time()) + 600}
    return jwt.encode({**base, **claims}, IDP["idp_hs256_secret"], algorithm="HS256")


def _hostile_sequence(http: httpx.Client, tag: str) -> list[str]:
    """Runs the sequence; returns every value that must not be in the log."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    cuids = [f"log-{tag}-a", f"log-{tag}-b"]
    for cuid in cuids:
        assert (
            http.post(
                "/v1/companies", json={"cuid": cuid, "name": cuid, "countryCode": "FI"}, headers=admin
            ).status_code
            == 201
        )
    url = f"/v1/companies/{cuids[0]}/customers"
    user = f"person.{tag}@example.org"
    guid = str(uuid.uuid4())
    person = {
        "customerGuid": guid,
        "firstName": f"Salaisa{tag}",
        "lastName": f"Lokiton{tag}",
        "email": f"hidden.{tag}@example.fi",
        "cellularPhone": "+358401234567",
        "street": f"Piilokatu {tag}",
        "attachedUsers": [user],
    }
    r = http.post(url, json=person, headers={**admin, "Idempotency-Key": f"k-{tag}"})
    assert r.status_code == 201, r.text
    number = r.json()["customerNumber"]
    # Racing creates with the same GUID (a unique violation carries the value on PostgreSQL).
    twin = {**person, "customerGuid": str(uuid.uuid4()), "attachedUsers": []}
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: http.post(url, json=twin, headers=admin), range(4)))
    # Values that fail validation, in bodies, paths, filters and searches.
    http.post(url, json={**person, "customerGuid": None, "email": f"not-an-email-{tag}"}, headers=admin)
    http.patch(f"{url}/{number}", json={"lastName": f"Lokiton{tag}" * 20}, headers=admin)
    http.get(f"{url}/Lokiton{tag}", headers=admin)
    for flt in (
        f"lastName eq 'Lokiton{tag}'",
        f"email eq 'hidden.{tag}@example.fi' and customerNumber eq 999999999999999999999999999999",
        "lastUpdatedAt gt 0001-01-01T00:00:00+14:00",
        "lastUpdatedAt lt 9999-12-31T23:59:59-14:00",
    ):
        http.get(url, params={"$filter": flt}, headers=admin)
    http.get(url, params={"searchWord": f"Salaisa{tag}"}, headers=admin)
    http.get(f"{url}/{number}/history", params={"fromDate": "0001-01-01T00:00:00+05:00"}, headers=admin)
    csv_body = f"lastName;firstName;email\r\nTuonti{tag};Salaisa{tag};imported.{tag}@example.fi\r\n"
    http.post(f"{url}/import", content=csv_body.encode(), headers={**admin, "Content-Type": "text/csv"})
    http.get(f"{url}/export.csv", headers=admin)
    # API clients: creation, a replay, tokens, wrong secrets, forged and broken tokens.
    body = {"name": f"client {tag}", "companies": [cuids[0]], "scopes": ["customers:read", "admin"]}
    made = http.post("/v1/clients", json=body, headers={**admin, "Idempotency-Key": f"c-{tag}"}).json()
    http.post("/v1/clients", json=body, headers={**admin, "Idempotency-Key": f"c-{tag}"})
    form = {"grant_type": "client_credentials", "client_id": made["clientId"], "client_secret": made["clientSecret"]}
    token = http.post("/oauth/token", data=form).json()["access_token"]
    wrong_secret = f"wrong-secret-{tag}-0123456789"
    http.post("/oauth/token", data={**form, "client_secret": wrong_secret})
    client_h = {"Authorization": f"Bearer {token}"}
    http.get(url, headers=client_h)
    http.get(f"/v1/companies/{cuids[1]}/customers", headers=client_h)
    http.post("/v1/companies", json={"cuid": f"x-{tag}", "name": "x", "countryCode": "FI"}, headers=client_h)
    forged = token[:-6] + "AAAAAA"
    garbage = f"garbage-token-{tag}"
    for t in (forged, garbage, token + ".x"):
        http.get(url, headers={"Authorization": f"Bearer {t}"})
    # Self-service, with the other company attaching the same user id.
    http.post(
        f"/v1/companies/{cuids[1]}/customers", json={"lastName": f"Vieras{tag}", "attachedUsers": [user]}, headers=admin
    )
    user_token = _user_token(user)
    user_h = {"Authorization": f"Bearer {user_token}"}
    assert http.get("/v1/customer/info", headers=user_h).json()["company"] == cuids[0]
    http.post("/v1/customer/info", json={"emails": [f"not an email {tag}"]}, headers=user_h)
    bad_exp = _user_token(user, exp=str(int(time.time()) + 600))
    http.get("/v1/customer/info", headers={"Authorization": f"Bearer {bad_exp}"})
    return [
        ADMIN,
        guid,
        person["firstName"],
        person["lastName"],
        person["email"],
        "+358401234567",
        "401234567",
        person["street"],
        f"Tuonti{tag}",
        f"imported.{tag}@example.fi",
        f"not-an-email-{tag}",
        user,
        made["clientSecret"],
        token,
        token.split(".")[2],
        wrong_secret,
        forged,
        garbage,
        user_token,
        bad_exp,
        f"Vieras{tag}",
    ]


def test_server_log_holds_no_customer_value_token_or_secret(database_url, tmp_path):
    tag = uuid.uuid4().hex[:8]
    with custreg_serve(_env(database_url), tmp_path, log_level="info") as served:
        # One connection per request: an answer that ends its connection harms no other.
        with httpx.Client(base_url=served.base, timeout=60, headers={"Connection": "close"}) as http:
            secrets = _hostile_sequence(http, tag)
            assert http.get("/health").status_code == 200
        log = served.output()
    assert "/v1/companies" in log or "customers" in log  # the access log was written
    leaked = [s for s in secrets if s in log]
    assert leaked == [], f"in the server log: {leaked}"


def test_logged_database_errors_name_no_value(app):
    """A database error's message carries the statement's values; the log keeps its type
    and frames only (serving.ScrubbedFormatter, the formatter `custreg serve` configures)."""
    value = f"cl_leak{uuid.uuid4().hex[:12]}"
    table = Base.metadata.tables["api_clients"]
    row = {"client_id": value, "name": "n", "secret_hash": "h", "scopes": [], "companies": []}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(serving.ScrubbedFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger(f"custreg.test.{value}")
    log.addHandler(handler)
    log.propagate = False
    with app.state.db.engine.connect() as conn:
        conn.execute(insert(table), row)
        try:
            conn.execute(insert(table), row)  # the unique client id, again
        except IntegrityError:
            log.exception("unhandled error")
        conn.rollback()
    text = stream.getvalue()
    assert "IntegrityError (message withheld)" in text and "Traceback" in text
    assert value not in text
