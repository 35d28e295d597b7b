"""Fivaldi's request signature: HMAC-SHA256 keyed by the API client's secret
(`Authorization: Fivaldi <base64>`, `X-Fivaldi-Partner` = the clientId, `X-Fivaldi-Timestamp`).

The string to sign is, joined by LF: the method; the MD5 (hex) of the raw body bytes, empty
without a body; the Content-Type, empty without a body whatever the header says; one
`name:value` line per `X-Fivaldi-*` header, names lower-cased and sorted; the path; and,
only when there is a query, the query. Verified over the path without the `/compat/fivaldi`
mount (what a client whose base URL ends in `/compat/fivaldi/customer/api` signs) and over
the full path; the query as received, re-encoded as JavaScript's `encodeURIComponent` does
(axios clients sign that and send `+` for spaces) and as `encodeURI` of the received query
(older clients). docs/compat.md, "Fivaldi".
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable, Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Path, Request

from custreg import observe
from custreg.access import clients, secret_box
from custreg.access.auth import Principal
from custreg.access.context import Ctx
from custreg.errors import Forbidden, TooManyRequests, Unauthorized

MOUNT = "/compat/fivaldi"
# The timestamp may be this many seconds off either way: clients sign before their own
# rate-limit wait, so a throttled request arrives with an older timestamp.
WINDOW_SECONDS = 900
_COMPONENT_SAFE = "-_.!~*'()"  # what encodeURIComponent leaves alone besides letters and digits
_URI_SAFE = _COMPONENT_SAFE + ";/?:@&=+$,#"  # encodeURI's set


def string_to_sign(
    method: str, body: bytes, content_type: str, fivaldi_headers: Iterable[tuple[str, str]], path: str, query: str
) -> str:
    lines = [
        method.upper(),
        hashlib.md5(body, usedforsecurity=False).hexdigest() if body else "",
        content_type if body else "",
    ]
    lines += [f"{name.lower()}:{value.strip()}" for name, value in sorted((n.lower(), v) for n, v in fivaldi_headers)]
    lines.append(path)
    text = "\n".join(lines)
    return f"{text}\n{query}" if query else text


def signature(secret: str, text: str) -> str:
    return base64.b64encode(hmac.digest(secret.encode(), text.encode(), "sha256")).decode()


def _js_component(s: str) -> str:
    return quote(s, safe=_COMPONENT_SAFE)


def query_forms(raw: str) -> Iterator[str]:
    """The forms of a received query a known client may have signed, in order (made only
    when the ones before did not match)."""
    yield raw
    if not raw:
        return
    pairs = parse_qsl(raw, keep_blank_values=True)
    seen = {raw}
    for form in (
        lambda: "&".join(f"{_js_component(k)}={_js_component(v)}" for k, v in pairs),
        lambda: quote(raw, safe=_URI_SAFE),
    ):
        text = form()
        if text not in seen:
            seen.add(text)
            yield text


def path_forms(raw_path: str) -> list[str]:
    forms = [raw_path]
    if raw_path.startswith(MOUNT + "/"):
        forms.insert(0, raw_path[len(MOUNT) :])
    return forms


def verify(secret: str, given: str, method: str, body: bytes, headers: Any, raw_path: str, raw_query: str) -> bool:
    """`given` (the base64 after `Fivaldi `) matches one accepted form of the request."""
    fivaldi = [(n, v) for n, v in headers.items() if n.lower().startswith("x-fivaldi-")]
    content_type = headers.get("content-type", "")
    paths = path_forms(raw_path)
    for query in query_forms(raw_query):
        for path in paths:
            text = string_to_sign(method, body, content_type, fivaldi, path, query)
            # Constant time per comparison; which form matched tells nothing about the key.
            if hmac.compare_digest(signature(secret, text).encode(), given.encode()):
                return True
    return False


def _unauthorized(detail: str) -> Unauthorized:
    err = Unauthorized(detail)
    err.headers["WWW-Authenticate"] = "Fivaldi"
    return err


def _client(request: Request, partner: str) -> tuple[Any, str | None]:
    session = request.app.state.db.session(write=False)
    try:
        client = clients.lookup_for_login(session, partner)
    finally:
        session.close()
    if client is None or client.revoked_at is not None or not client.secret_sealed:
        return None, None
    return client, secret_box.for_settings(request.app.state.settings).open(client.secret_sealed)


async def signed_principal(request: Request) -> Principal:
    """The API client whose secret signed this request; 401 otherwise."""
    h = request.headers
    partner, stamp, auth = h.get("x-fivaldi-partner"), h.get("x-fivaldi-timestamp"), h.get("authorization", "")
    if not partner or not stamp or not auth.startswith("Fivaldi "):
        raise _unauthorized("Missing Fivaldi signature (Authorization, X-Fivaldi-Partner, X-Fivaldi-Timestamp)")
    try:
        skew = abs(time.time() - int(stamp))
    except ValueError:
        raise _unauthorized("X-Fivaldi-Timestamp is not Unix time in seconds") from None
    if skew > WINDOW_SECONDS:
        raise _unauthorized(f"X-Fivaldi-Timestamp is more than {WINDOW_SECONDS} s off the server's clock")
    body = await request.body()
    client, secret = _client(request, partner)
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    given = auth[len("Fivaldi ") :].strip()
    if secret is None or not verify(secret, given, request.method, body, h, raw_path, raw_query):
        raise _unauthorized("Invalid Fivaldi signature")
    principal = Principal("client", client.client_id, frozenset(client.scopes), frozenset(client.companies))
    request.state.principal = principal
    _draw(request, principal)
    return principal


def _draw(request: Request, principal: Principal) -> None:
    """Draw from the client's bucket; the x-ratelimit-* headers Fivaldi clients pace themselves by."""
    limiter = request.app.state.rate_limiter
    quota = limiter.draw(f"{principal.kind}:{principal.subject}")
    if quota is None:
        return
    settings = request.app.state.settings
    headers = observe.answer_headers(request.scope)
    headers.extend(quota.headers(limiter.limit))
    headers += [
        (b"x-ratelimit-replenish-rate", str(settings.rate_limit_per_second).encode()),
        (b"x-ratelimit-burst-capacity", str(settings.rate_limit_burst).encode()),
        (b"x-ratelimit-remaining", str(quota.remaining).encode()),
    ]
    if quota.wait > 0:
        err = TooManyRequests("Rate limit exceeded")
        err.headers["Retry-After"] = str(max(1, int(quota.wait + 0.999)))
        raise err


class FivaldiCtx(Ctx):
    """The unit of work of a signed request, with the raw body the signature covered."""

    body: bytes = b""


def requires(scope: str) -> Any:
    """Dependency: a signed request of a client holding `scope` on the path's company."""

    async def signed(
        request: Request,
        principal: Annotated[Principal, Depends(signed_principal)],
        cuid: Annotated[str, Path(description="Fivaldi's company id: a custreg cuid")],
    ) -> FivaldiCtx:
        if scope not in principal.scopes:
            raise Forbidden(f"This client lacks the scope {scope}")
        if not principal.allows_company(cuid):
            raise Forbidden(f"This client is not granted company {cuid}")
        ctx = FivaldiCtx(request, principal, write=request.method not in ("GET", "HEAD"), cuid=cuid)
        ctx.body = await request.body()
        return ctx

    dependency: Any = signed
    dependency.required_scope = scope
    return Depends(dependency)


def signed_with(scope: str) -> Any:
    """Dependency of a path without a company: a signed request of a client holding `scope`."""

    async def signed(principal: Annotated[Principal, Depends(signed_principal)]) -> Principal:
        if scope not in principal.scopes:
            raise Forbidden(f"This client lacks the scope {scope}")
        return principal

    dependency: Any = signed
    dependency.required_scope = scope
    return Depends(dependency)
