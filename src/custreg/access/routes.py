"""HTTP of access control: API clients, POST /oauth/token, a customer's audit history."""

import base64
import binascii
from typing import Annotated
from urllib.parse import parse_qs, unquote_plus

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from custreg.access import audit, clients, privileges, secret_box
from custreg.access.context import AdminCtx, CustomerPath, ReadCtx
from custreg.access.schemas import AccessToken, ClientCreate, ClientCreated, ClientPatch, ClientRead, HistoryEntry
from custreg.access.tokens import issue_client_token
from custreg.customers.models import AuditEntry
from custreg.db.columns import filter_fields
from custreg.db.routing import TransactionalRoute
from custreg.errors import TooManyRequests, listed
from custreg.odata import parse_filter, parse_orderby
from custreg.paging import MAX_SKIP, MAX_TOP, ListParams, Page, list_params, path_of

# --- API clients --------------------------------------------------------------------

ClientId = Annotated[str, Path(description="The API client's id")]

clients_router = APIRouter(prefix="/v1/clients", tags=["access"], route_class=TransactionalRoute)


@clients_router.post("", status_code=201, response_model=ClientCreated)
def create_client(body: ClientCreate, ctx: AdminCtx, response: Response) -> ClientCreated:
    """Create an API client. The secret is in this response only; store it now (a replay
    of an `Idempotency-Key` answers without it). Scope `admin`: a company administrator
    grants only companies and scopes it holds itself; `platform:admin` any."""
    privileges.check_grant(ctx.principal, body.companies, body.scopes)
    new = clients.create(
        ctx.session,
        secret_box.for_settings(ctx.request.app.state.settings),
        name=body.name,
        companies=body.companies,
        granted=body.scopes,
    )
    response.headers["Location"] = f"/v1/clients/{new.client.client_id}"
    response.headers["Cache-Control"] = "no-store"
    return ClientCreated(**ClientRead.of(new.client).model_dump(), clientSecret=new.secret)


@clients_router.get("", response_model=Page[ClientRead])
def list_clients(
    ctx: AdminCtx,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP)] = 25,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP)] = 0,
) -> Page[ClientRead]:
    """API clients, revoked ones included (with `revokedAt`). Never their secrets. Scope
    `admin`: a company administrator sees the clients of its own companies only."""
    total, rows = clients.list_page(ctx.session, top=top, skip=skip, visible=privileges.visible(ctx.principal))
    link = ListParams(top=top, skip=skip, path=path_of(ctx.request)).next_link(len(rows), total)
    return Page[ClientRead](
        count=len(rows), skip=skip, total=total, value=[ClientRead.of(c) for c in rows], nextLink=link
    )


@clients_router.get("/{clientId}", response_model=ClientRead)
def get_client(clientId: ClientId, ctx: AdminCtx) -> ClientRead:
    """One API client. Scope `admin` (a company administrator: of its own companies)."""
    return ClientRead.of(privileges.administered(ctx.session, ctx.principal, clientId))


@clients_router.patch("/{clientId}", response_model=ClientRead)
def change_client(clientId: ClientId, body: ClientPatch, ctx: AdminCtx) -> ClientRead:
    """Rename a client or change its companies or scopes (those sent; `null` keeps them).
    Tokens it holds lose at once what it loses. Scope `admin` (a company administrator: of
    its own companies, within its own grants)."""
    client = privileges.administered(ctx.session, ctx.principal, clientId)
    companies = body.companies if body.companies is not None else list(client.companies)
    privileges.check_grant(ctx.principal, companies, body.scopes if body.scopes is not None else list(client.scopes))
    clients.change(ctx.session, client, name=body.name, companies=body.companies, granted=body.scopes)
    return ClientRead.of(client)


@clients_router.post("/{clientId}/secret", response_model=ClientCreated)
def new_client_secret(clientId: ClientId, ctx: AdminCtx, response: Response) -> ClientCreated:
    """A new secret for the client, in this response only: the old one stops working at once
    (`/oauth/token`, Fivaldi signatures); tokens already issued stay valid until they expire
    (revoke the client to end them). A client created before migration 0018 gets a sealed
    secret this way and can sign Fivaldi requests. A revoked client → 409. Scope `admin`
    (a company administrator: of its own companies)."""
    client = privileges.administered(ctx.session, ctx.principal, clientId)
    secret = clients.new_secret(ctx.session, secret_box.for_settings(ctx.request.app.state.settings), client)
    response.headers["Cache-Control"] = "no-store"
    return ClientCreated(**ClientRead.of(client).model_dump(), clientSecret=secret)


@clients_router.delete("/{clientId}", status_code=204)
def revoke_client(clientId: ClientId, ctx: AdminCtx) -> Response:
    """Revoke a client: its secret and every token it holds stop working at once. Scope
    `admin` (a company administrator: of its own companies)."""
    privileges.administered(ctx.session, ctx.principal, clientId)
    clients.revoke(ctx.session, clientId)
    return Response(status_code=204)


# --- POST /oauth/token (RFC 6749 client credentials) --------------------------------

oauth_router = APIRouter(tags=["access"])
MAX_FORM_BYTES = 8192
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(error: str, description: str, status: int = 400, headers: dict[str, str] | None = None) -> JSONResponse:
    """RFC 6749 section 5.2: the one error shape that is not problem+json."""
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers={**_NO_STORE, **(headers or {})}
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header[:6].lower() != "basic ":
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
        user, _, password = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ("", "")
    return unquote_plus(user), unquote_plus(password)


def _limited(wait: int | None) -> None:
    if wait is not None:
        err = TooManyRequests(f"Too many token requests; retry after {wait} s")
        err.headers.update({"Retry-After": str(wait), **_NO_STORE})
        raise err


@oauth_router.post(
    "/oauth/token",
    summary="Client credentials grant (RFC 6749 4.4)",
    responses={200: {"model": AccessToken}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                            "scope": {"type": "string", "description": "space-separated; all granted when omitted"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request) -> JSONResponse:
    """Form `grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP Basic),
    optional `scope` → `{access_token, token_type: "Bearer", expires_in}`. Errors are RFC 6749
    JSON (`invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`)."""
    limits = request.app.state.token_limits
    _limited(limits.check_address(request.client.host if request.client else ""))
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return oauth_error("invalid_request", "Send application/x-www-form-urlencoded")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return oauth_error("invalid_request", "Request too large")
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return oauth_error("invalid_request", "Malformed form body")
    if any(len(v) > 1 for v in form.values()):
        return oauth_error("invalid_request", "A parameter is repeated")
    f = {k: v[0] for k, v in form.items()}
    grant = f.get("grant_type")
    if not grant:
        return oauth_error("invalid_request", "grant_type is required")
    if grant != "client_credentials":
        return oauth_error("unsupported_grant_type", "Only client_credentials is supported")

    basic = _basic_credentials(request)
    if basic is not None:
        client_id, secret = basic
    else:
        client_id, secret = f.get("client_id", ""), f.get("client_secret", "")
    if not client_id or not secret:
        return oauth_error(
            "invalid_client", "Client authentication failed", 401, {"WWW-Authenticate": 'Basic realm="custreg"'}
        )

    _limited(limits.check_client(client_id))
    db = request.app.state.db
    with db.session(write=False) as s:  # a short read, no await inside
        client = clients.lookup_for_login(s, client_id)
    ok = await anyio.to_thread.run_sync(clients.verify_secret, client, secret)
    if not ok or client is None:  # ok implies a client
        return oauth_error(
            "invalid_client", "Client authentication failed", 401, {"WWW-Authenticate": 'Basic realm="custreg"'}
        )

    granted = list(client.scopes)
    requested = f.get("scope")
    if requested is not None and requested.strip():
        wanted = requested.split()
        extra = [s for s in wanted if s not in granted]
        if extra:
            return oauth_error("invalid_scope", f"Not granted: {listed(extra)}")
        granted = sorted(set(wanted))
    settings = request.app.state.settings
    keys = request.app.state.auth.keys
    key = await anyio.to_thread.run_sync(keys.get)  # may create the key on first use
    access_token = issue_client_token(
        key,
        client_id=client.client_id,
        granted_scopes=granted,
        companies=list(client.companies),
        lifetime=settings.token_lifetime_seconds,
    )
    return JSONResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": settings.token_lifetime_seconds,
            "scope": " ".join(granted),
        },
        headers=_NO_STORE,
    )


# --- a customer's audit history -----------------------------------------------------

history_router = APIRouter(
    prefix="/v1/companies/{cuid}/customers/{customer}/history", tags=["customers"], route_class=TransactionalRoute
)

HISTORY_FILTERS = filter_fields(AuditEntry, ["at", "actorType", "actorId", "operation", "resource"])


@history_router.get("", response_model=Page[HistoryEntry])
def customer_history(
    customer: CustomerPath, ctx: ReadCtx, params: Annotated[ListParams, Depends(list_params)]
) -> Page[HistoryEntry]:
    """Who changed what of the customer and its records, when, old → new; newest first.
    `$filter`/`$orderby` over `at`, `actorType`, `actorId`, `operation`, `resource`.
    Also for a deleted customer (by its number or GUID)."""
    where = [parse_filter(params.filter, HISTORY_FILTERS)] if params.filter else []
    order = parse_orderby(params.orderby, HISTORY_FILTERS) if params.orderby else []
    total, rows = audit.history_page(
        ctx.session, ctx.company, customer, top=params.top, skip=params.skip, where=where, order=order
    )
    value = [HistoryEntry.of(e) for e in rows]
    return Page[HistoryEntry](
        count=len(value), skip=params.skip, total=total, value=value, nextLink=params.next_link(len(value), total)
    )
