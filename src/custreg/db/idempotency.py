"""`Idempotency-Key` for every creating POST (contract section 2), in one place.

`db.execution.TransactionalRoute` wraps every `POST` route whose status code is 201 with
`wrap()`. Its unit of work is a write (`db.execution.run_unit(..., write=True)`: off the
event loop). With the header, it becomes:

1. (async, before the transaction) fingerprint = sha256(method, path, canonical JSON body);
2. in the transaction, after the context's `begin()`: look the key up for this principal
   and company. Found with the same fingerprint → the stored response (status, body,
   Location/ETag) is returned and nothing runs; another fingerprint → 409. Not found →
   a claim row is inserted and flushed: the unique constraint (principal, scope, key)
   makes a concurrent twin wait for this transaction (PostgreSQL) or the twin is already
   serialized behind BEGIN IMMEDIATE (SQLite);
3. the endpoint runs, its response is serialized exactly as FastAPI would and stored in
   the claim row, and the transaction commits: creation and stored response together.
4. A twin whose claim hits the unique constraint rolls back (it created nothing) and
   starts over: it now finds the committed first response and replays it.

A response model may name fields that are never stored (`NOT_STORED`, a class attribute:
`access.schemas.ClientCreated` names `clientSecret`): the stored body, and so a replay,
leaves them out.

An endpoint that fails (4xx) stores nothing: a retry runs again. Keys live
`idempotency_ttl_hours` (24 h); `custreg prune` deletes expired ones, and an expired key
found on use is replaced. Endpoints without a session-owning context, or `async def`
endpoints (which run their own units), ignore the header.
"""

import datetime as dt
import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import Request
from starlette.responses import Response

from custreg.db.base import Base, UTCDateTime, utcnow
from custreg.db.execution import UnitOfWork, run_unit
from custreg.errors import Conflict
from custreg.settings import get_settings

PARAM = "idempotency_key__"
NOT_STORED = "__not_stored__"  # a response model's tuple of field names kept out of the store
KEPT_HEADERS = ("location", "etag", "content-type")
HeaderParam = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Makes this create safe to retry: a repeat with the same key and body within "
        "24 h returns the first response and creates nothing; the same key with another body → 409",
    ),
]


class IdempotencyKey(Base):
    """The first response to a creating POST, per principal, company and key (24 h)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("principal", "scope", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    principal: Mapped[str] = mapped_column(String(200))  # "kind:subject"
    scope: Mapped[str] = mapped_column(String(40))  # the company's cuid, "" outside companies
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    status: Mapped[int | None] = mapped_column(Integer)  # None only inside the creating transaction
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class _Race(Exception):
    """Our claim lost to a concurrent twin: roll back and look again."""


def applies(endpoint: Callable, route_kwargs: dict[str, Any]) -> bool:
    methods = {m.upper() for m in (route_kwargs.get("methods") or ())}
    return "POST" in methods and route_kwargs.get("status_code") == 201 and not inspect.iscoroutinefunction(endpoint)


def _units(kwargs: dict[str, Any]) -> list:

    return [v for v in kwargs.values() if isinstance(v, UnitOfWork)]


async def fingerprint(request: Request) -> str:
    try:
        raw = await request.body()
    except RuntimeError:  # a form body was consumed as a stream
        form = await request.form()
        raw = json.dumps(sorted((k, str(v)) for k, v in form.multi_items())).encode()
    try:
        canonical = (
            json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            if raw
            else b""
        )
    except (ValueError, UnicodeDecodeError):
        canonical = raw
    h = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), canonical):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    headers = {k: v for k, v in (row.headers or {}).items() if k != "content-type"}
    headers["Idempotent-Replayed"] = "true"
    return Response(
        content=row.body or b"",
        status_code=row.status or 200,
        headers=headers,
        media_type=(row.headers or {}).get("content-type", "application/json"),
    )


def _serialize(route, result: Any, kwargs: dict[str, Any]) -> Response:
    """The response FastAPI would build from `result` (fastapi.routing.serialize_response)."""
    if isinstance(result, Response):
        return result
    sub = next((v for v in kwargs.values() if isinstance(v, Response)), None)
    field = route.response_field
    if field is not None:
        value, errors = field.validate(result, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=result)
        body = field.serialize_json(
            value,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )
    else:
        body = json.dumps(jsonable_encoder(result), ensure_ascii=False).encode()
    status = (sub.status_code if sub is not None and sub.status_code else None) or route.status_code
    response = Response(content=body, status_code=status, media_type="application/json")
    if sub is not None:
        response.headers.raw.extend(h for h in sub.headers.raw if h[0].lower() != b"content-length")
    return response


def _storable(route, body: bytes) -> bytes:
    """The body to keep: without the response model's `NOT_STORED` fields (secrets)."""
    hidden = getattr(route.response_model, NOT_STORED, ())
    if not hidden:
        return body
    value = json.loads(body)
    if isinstance(value, dict):
        for name in hidden:
            value.pop(name, None)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _guarded(holder: dict, endpoint: Callable, key: str, fp: str, **kwargs: Any) -> Any:
    """Runs inside the unit of work (after begin, before commit)."""
    units = [u for u in _units(kwargs) if hasattr(u, "session")]
    if not units:
        return endpoint(**kwargs)
    ctx = units[0]
    session = ctx.session
    principal = getattr(ctx, "actor", None) or "anonymous"
    scope = getattr(ctx, "cuid", None) or ""
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.principal == principal, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )
    now = utcnow()
    if row is not None and row.expires_at <= now:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
        row = None
    if row is not None:
        if row.fingerprint != fp:
            raise Conflict(
                "This Idempotency-Key was used with a different request",
                [{"field": "Idempotency-Key", "message": "used with a different request"}],
            )
        return _replay(row)
    ttl = dt.timedelta(hours=get_settings().idempotency_ttl_hours)
    claim = IdempotencyKey(
        principal=principal, scope=scope, key=key, fingerprint=fp, created_at=now, expires_at=now + ttl
    )
    session.add(claim)
    try:
        session.flush()
    except IntegrityError:
        # Nothing of this attempt may outlive its rollback (customers/document.py keeps
        # the customers a transaction touched in session.info until COMMIT).
        for k in ("customers_dirty", "customers_rendered", "customers_new"):
            session.info.pop(k, None)
        raise _Race() from None
    response = _serialize(holder["route"], endpoint(**kwargs), kwargs)
    claim.status = response.status_code
    claim.headers = {
        k.decode().lower(): v.decode() for k, v in response.headers.raw if k.decode().lower() in KEPT_HEADERS
    }
    claim.body = _storable(holder["route"], bytes(response.body))
    session.flush()
    return response


def wrap(endpoint: Callable, route_kwargs: dict[str, Any]) -> tuple[Callable, Callable]:
    """(the route's endpoint, bind(route)) for a creating POST."""

    holder: dict[str, Any] = {}

    @functools.wraps(endpoint)
    async def wrapper(**kwargs: Any) -> Any:
        key = kwargs.pop(PARAM, None)
        if key is None:
            return await run_unit(endpoint, kwargs, write=True)
        units = [u for u in _units(kwargs) if hasattr(u, "request")]
        if not units:
            return await run_unit(endpoint, kwargs, write=True)
        fp = await fingerprint(units[0].request)
        guarded = functools.partial(_guarded, holder, endpoint, key, fp)
        for _attempt in range(5):
            try:
                return await run_unit(guarded, kwargs, write=True)
            except _Race:
                continue
        raise Conflict("A concurrent request with this Idempotency-Key is still in progress")

    try:
        sig = inspect.signature(endpoint, eval_str=True)
    except (NameError, TypeError):
        sig = inspect.signature(endpoint)
    params = list(sig.parameters.values())
    params.append(inspect.Parameter(PARAM, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=HeaderParam))
    params.sort(key=lambda p: p.kind)  # stays valid before a **kwargs
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]

    def bind(route) -> None:
        holder["route"] = route

    return wrapper, bind
