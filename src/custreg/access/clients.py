"""API clients: create (secret shown once, argon2-hashed and sealed), list, revoke, authenticate."""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from custreg.access import scopes as scope_names
from custreg.access.auth import _unauthorized
from custreg.access.models import ApiClient
from custreg.access.secret_box import SecretBox
from custreg.companies.models import Company
from custreg.db.base import utcnow
from custreg.errors import Conflict, FieldErrors, NotFound, listed

# OWASP's argon2id minimum (19 MiB, 2 passes): the secrets are 256-bit random values, so
# the KDF is defence in depth for a leaked table, not the only barrier against guessing.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the client id is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


@dataclass
class NewClient:
    client: ApiClient
    secret: str


def _checked(session: Session, companies: list[str], granted: list[str]) -> list[str]:
    """422 naming the field for unknown scopes or companies; the companies, once each."""
    errors = FieldErrors()
    unknown_scopes = [s for s in granted if s not in scope_names.CLIENT_SCOPES]
    if unknown_scopes:
        errors.add(
            "scopes",
            f"unknown scope(s) {listed(unknown_scopes)}; one of " + ", ".join(sorted(scope_names.CLIENT_SCOPES)),
        )
    cuids = list(dict.fromkeys(companies))
    if cuids:
        found = set(session.scalars(select(Company.cuid).where(Company.cuid.in_(cuids))))
        missing = [c for c in cuids if c not in found]
        if missing:
            errors.add("companies", f"unknown company {listed(missing)}")
    errors.raise_if_any()
    return cuids


def create(session: Session, box: SecretBox, *, name: str, companies: list[str], granted: list[str]) -> NewClient:
    cuids = _checked(session, companies, granted)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="cl_" + secrets.token_hex(10),
        name=name,
        secret_hash=_hasher.hash(secret),
        secret_sealed=box.seal(secret),
        scopes=sorted(set(granted)),
        companies=cuids,
        created_at=utcnow(),
    )
    session.add(client)
    session.flush()
    return NewClient(client, secret)


def list_page(
    session: Session, *, top: int, skip: int, visible: Callable[[Any], bool] | None = None, newest_first: bool = False
) -> tuple[int, list[ApiClient]]:
    """A page of clients in id order, or with `newest_first` the newest first (the back
    office's list, where a client just created must be on the first page); with `visible`,
    of those it accepts (given each client's `companies` and `scopes`; checked here over
    every client's grants: clients are few)."""
    order = (ApiClient.created_at.desc(), ApiClient.id) if newest_first else (ApiClient.id,)
    if visible is None:
        total = session.scalar(select(func.count()).select_from(ApiClient)) or 0
        rows = session.scalars(select(ApiClient).order_by(*order).limit(top).offset(skip)).all()
        return total, list(rows)
    grants = session.execute(select(ApiClient.id, ApiClient.companies, ApiClient.scopes).order_by(*order))
    ids = [row.id for row in grants if visible(row)]
    page = ids[skip : skip + top]
    rows = session.scalars(select(ApiClient).where(ApiClient.id.in_(page)).order_by(*order)).all() if page else []
    return len(ids), list(rows)


def _plausible(client_id: str) -> bool:
    # Client ids are "cl_" + hex; anything else (NUL bytes included, which PostgreSQL
    # refuses in text) is simply unknown, never a database error.
    return 0 < len(client_id) <= 40 and client_id.isascii() and client_id.isprintable()


def get(session: Session, client_id: str) -> ApiClient:
    if not _plausible(client_id):
        raise NotFound(f"No API client {client_id[:40]!r}")
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if client is None:
        raise NotFound(f"No API client {client_id!r}")
    return client


def change(
    session: Session, client: ApiClient, *, name: str | None, companies: list[str] | None, granted: list[str] | None
) -> ApiClient:
    """New name, companies or scopes (those given). Tokens already issued lose at once what
    the client no longer holds (`current_grants`); they never gain what it gains."""
    cuids = _checked(session, companies if companies is not None else [], granted or [])
    if name is not None:
        client.name = name
    if companies is not None:
        client.companies = cuids
    if granted is not None:
        client.scopes = sorted(set(granted))
    session.flush()
    return client


def new_secret(session: Session, box: SecretBox, client: ApiClient) -> str:
    """A new secret for the client (hashed and sealed as at creation): the old one stops
    working at once, for `/oauth/token` and for Fivaldi signatures. A client created
    before sealing (migration 0018) gets a sealed secret this way and can sign."""
    if client.revoked_at is not None:
        raise Conflict(f"API client {client.client_id!r} is revoked")
    secret = secrets.token_urlsafe(32)
    client.secret_hash, client.secret_sealed = _hasher.hash(secret), box.seal(secret)
    session.flush()
    return secret


def revoke(session: Session, client_id: str) -> ApiClient:
    """Revoke the client: its secret and every token it holds stop working at once."""
    client = get(session, client_id)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        session.flush()
    return client


def current_grants(session: Session, client_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """The client's scopes and companies now; 401 unless it exists and is not revoked (run
    on every client request, so shrunk grants and revocation take effect at once)."""
    # On the hot path of every client request: plain driver SQL on the unit of work's
    # connection (a fraction of an ORM select's overhead; measured in docs/access.md).
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row = conn.exec_driver_sql(
        f"SELECT revoked_at, scopes, companies FROM api_clients WHERE client_id = {mark}", (client_id,)
    ).first()
    if row is None or row[0] is not None:
        raise _unauthorized("Invalid bearer token: the client is revoked")
    return frozenset(_json_list(row[1])), frozenset(_json_list(row[2]))


def _json_list(value: Any) -> list[str]:
    # SQLite's driver gives the JSON column's text, psycopg the decoded list.
    items = json.loads(value) if isinstance(value, str | bytes) else value
    return [i for i in items or () if isinstance(i, str)]


def lookup_for_login(session: Session, client_id: str) -> ApiClient | None:
    if not _plausible(client_id):
        return None
    return session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


def verify_secret(client: ApiClient | None, secret: str) -> bool:
    """Constant work whether or not the client exists (no hint either way)."""
    stored = client.secret_hash if client is not None else _DUMMY_HASH
    try:
        ok: bool = _hasher.verify(stored, secret[:512])  # True or raises
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and client is not None and client.revoked_at is None
