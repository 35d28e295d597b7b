"""Request body size limit (CUSTREG_MAX_BODY_BYTES), enforced before any endpoint runs.

A pure ASGI middleware: a declared `Content-Length` over the limit is refused at once;
otherwise the body is read as it streams in (chunked bodies without a length included),
counting bytes, and refused with problem+json 413 as soon as it passes the limit. A body
within the limit is replayed to the application unchanged. Paths that stream a body of
their own and enforce their own, larger, limit (the CSV import: CUSTREG_IMPORT_MAX_BYTES)
are passed through untouched.

The same middleware answers a NUL byte in the URL before any endpoint runs: in a query
parameter → 400 naming the parameter, in the path → 404 (nothing is named with a NUL).
No value of this API can hold one, and PostgreSQL cannot even compare text with it
(the query would fail: a 500).
"""

import re
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custreg.errors import problem

# Paths with a streamed body and a limit of their own.
OWN_LIMIT = [re.compile(r"^/v1/companies/[^/]+/customers/import/?$")]
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

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
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
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
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            f"The request body is larger than {self.max_bytes} bytes",
            instance=scope["path"],
            errors=[{"field": "body", "message": f"at most {self.max_bytes} bytes"}],
            headers={"Connection": "close"},
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
    return problem(400, f"Invalid field(s): {', '.join(f['field'] for f in fields)}", instance=path, errors=fields)


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
