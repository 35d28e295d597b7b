"""GET /metrics (Prometheus, scope `admin`) and GET /problems/{code} (what a problem
`type` means; no token, like /health)."""

import html
import re
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import HTMLResponse

from custreg.access.context import PlatformCtx
from custreg.db.routing import TransactionalRoute
from custreg.errors import NotFound
from custreg.problem_types import PATH, TYPES, ProblemType

router = APIRouter(tags=["operations"], route_class=TransactionalRoute)
# Open, and wired by app.create_app beside /health (not in routers.ROUTERS, whose every
# endpoint takes a scope).
problem_pages = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(ctx: PlatformCtx) -> Response:
    """Prometheus metrics of the worker process that answers: requests and their durations
    by method, route template and status, the database pool, the process. Scope `platform:admin`."""
    body, content_type = ctx.request.app.state.metrics.exposition(ctx.request.headers.get("accept"))
    return Response(body, media_type=content_type)


@problem_pages.get(PATH + "{code}", response_class=HTMLResponse)
async def problem_page(code: Annotated[str, Path(description="A problem answer's `code`")]) -> HTMLResponse:
    """What a problem answer's `code` means: the page its `type` URI names. No token needed."""
    kind = TYPES.get(code)
    if kind is None:
        raise NotFound(f"No problem type {code}")
    return HTMLResponse(_page(kind))


def _page(kind: ProblemType) -> str:
    # The descriptions mark code as `...`: escaped first, then shown as <code>.
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(kind.description, quote=False))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{kind.code}</title></head>'
        f"<body><h1>{html.escape(kind.title)}</h1>"
        f"<p><code>code</code>: <code>{kind.code}</code> &middot; HTTP status {kind.status}</p>"
        f"<p>{text}</p></body></html>\n"
    )
