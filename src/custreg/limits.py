"""The limits of one request, in one place (docs/limits.md), and the middleware that
enforces the body's before any endpoint runs.

Body size (CUSTREG_MAX_BODY_BYTES; a JSON body: CUSTREG_MAX_JSON_BODY_BYTES, 1 MiB, since
FastAPI decodes JSON on the event loop), enforced before any endpoint runs.

A pure ASGI middleware: a declared `Content-Length` over the limit is refused at once;
otherwise the body is read as it streams in (chunked bodies without a length included),
counting bytes, and refused with problem+json 413 as soon as it passes the limit. A body
within the limit is replayed to the application unchanged. Paths that stream a body of
their own and enforce their own, larger, limit (the CSV import: CUSTREG_IMPORT_MAX_BYTES)
are passed through untouched.

The same middleware answers a NUL byte in the URL before any endpoint runs: in a query
parameter → 400 naming the parameter, in the path → 404 (nothing is named with a NUL).
No value of this API can hold one, and PostgreSQL cannot even compare text with it
(the query would fail: a 500). And it answers a JSON body that is not UTF-8 (a `charset`
other than utf-8, a UTF-16/32 byte order mark, a NUL byte: UTF-16/32 JSON has them) with
415: the JSON decoder would otherwise guess the encoding (RFC 8259: UTF-8 only).
"""

import re
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custreg.errors import QueryTooComplex, TooManyItems, listed, problem

# ---------------------------------------------------------------- the limits (docs/limits.md)
MAX_FILTER_LENGTH = 2000  # characters of a `$filter`
MAX_FILTER_TERMS = 200  # nodes of a `$filter` (comparisons, and/or/not, functions)
# Nested `not`s: SQL compilation recurses several frames per `not` (its two-valued
# coalesce) and ~80 of them exhaust Python's stack (a 500); no real filter needs more.
MAX_NOT_DEPTH = 20
MAX_IN_VALUES = 100  # values of one `in (...)` of a `$filter`
MAX_SELECT_FIELDS = 100  # names in a `$select`
MAX_SEARCH_TERMS = 10  # distinct terms of a `searchWord` (after folding; each is an index range)
MAX_BODY_ITEMS = 100  # items of a body array of records (CLVR's parameters array form)
# Keys of an export of selected customers: each is looked up (in chunks of 500) before the
# stream starts, in the writer thread (a POST); 100,000 unknown GUIDs took 6 s there.
MAX_BULK_KEYS = 10_000
MAX_HEADER_COLUMNS = 200  # columns of a CSV import's header (the export has fewer than 100)
MAX_IMPORT_ROWS = 1_000_000  # data rows of one CSV import request (CUSTREG_IMPORT_MAX_ROWS)
MAX_NUMBER_DIGITS = 40  # digits of a numeric `$filter` literal


def too_many(field: str, maximum: int, what: str = "items") -> TooManyItems:
    """413 naming the limit that `field` passes."""
    err = TooManyItems(f"{field}: more than {maximum} {what}", [{"field": field, "message": f"at most {maximum}"}])
    err.extra.update(limit=field, max=maximum)
    return err


def too_complex(field: str, maximum: int, what: str) -> QueryTooComplex:
    """400 naming the query limit that `field` passes."""
    err = QueryTooComplex(
        f"{field}: more than {maximum} {what}", [{"field": field, "message": f"at most {maximum} {what}"}]
    )
    err.extra.update(limit=field, max=maximum)
    return err


# Paths with a streamed body and a limit of their own.
OWN_LIMIT = [re.compile(r"^/v1/companies/[^/]+/customers/import/?$")]
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_json_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = min(max_bytes, max_json_bytes or max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = _nul_answer(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        if (
            scope["type"] != "http"
            or scope["method"] not in BODY_METHODS
            or any(p.match(scope["path"]) for p in OWN_LIMIT)
        ):
            await self.app(scope, receive, send)
            return
        limit = self.max_json_bytes if _is_json(scope) else self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._too_large(scope, receive, send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        if not _utf8_json(scope, chunks):
            response = problem(
                415,
                "A JSON body must be UTF-8",
                instance=scope["path"],
                errors=[{"field": "Content-Type", "message": "JSON is taken in UTF-8 only"}],
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(
            413,
            f"The request body is larger than {limit} bytes",
            instance=scope["path"],
            errors=[{"field": "body", "message": f"at most {limit} bytes"}],
            headers={"Connection": "close"},
            limit="body",
            max=limit,
        )
        await response(scope, receive, send)


def _nul_answer(scope: Scope):
    path = scope.get("path", "")
    if "\x00" in path or b"%00" in (scope.get("raw_path") or b""):
        return problem(404, "Not Found", instance=path.replace("\x00", ""))
    query = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    names = [
        name
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        if "\x00" in name or "\x00" in value
    ] or ["query"]
    fields = [{"field": n.replace("\x00", ""), "message": "must not contain NUL"} for n in names]
    return problem(400, f"Invalid field(s): {listed(f['field'] for f in fields)}", instance=path, errors=fields)


_UTF_16_32_BOMS = (b"\xfe\xff", b"\xff\xfe")  # UTF-32LE's starts as UTF-16LE's


def _media(scope: Scope) -> tuple[str, str]:
    """The Content-Type's media type (lower case, "" when absent) and its parameters."""
    ctype = ""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            ctype = value.decode("latin-1").lower()
    media, _, params = ctype.partition(";")
    return media.strip(), params


def _is_json(scope: Scope) -> bool:
    """A JSON body, or one without a Content-Type (which FastAPI reads as JSON)."""
    media, _ = _media(scope)
    return not media or media == "application/json" or media.endswith("+json")


def _utf8_json(scope: Scope, chunks: list[bytes]) -> bool:
    """False for a JSON body (or one without a Content-Type, which FastAPI reads as JSON)
    that declares another charset or is UTF-16/32 (a BOM or a NUL byte, which UTF-8 JSON
    never holds: control characters are escaped inside strings)."""
    if not _is_json(scope):
        return True
    _, params = _media(scope)
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in params.split(";") if "charset=" in p), "utf-8")
    if charset.replace("_", "-") not in ("utf-8", "utf8"):
        return False
    body = b"".join(chunks)
    return not body.startswith(_UTF_16_32_BOMS) and b"\x00" not in body


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A receive() that hands out the buffered body as one message, then defers to the
    server's receive (which reports a disconnect)."""
    state = {"sent": False}

    async def replay() -> Message:
        if pending is not None and not state["sent"]:
            state["sent"] = True
            return pending
        if not state["sent"]:
            state["sent"] = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay
