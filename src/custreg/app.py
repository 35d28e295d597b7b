"""The ASGI application."""

import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI, routing
from sqlalchemy import text
from starlette.middleware.gzip import GZipMiddleware

from custreg import __version__, apidocs, bootstrap, openapi_doc
from custreg.access.auth import Authenticator
from custreg.access.ratelimit import RateLimiter, TokenEndpointLimits
from custreg.db.session import Database
from custreg.errors import install_handlers
from custreg.limits import BodySizeLimit
from custreg.metrics import Metrics
from custreg.observe import Observe
from custreg.ops.routes import problem_pages
from custreg.routers import ROUTERS
from custreg.settings import Settings, get_settings
from custreg.ui import routes as ui

DESCRIPTION = """A customer register for Nordic businesses: companies, persons and
organisations, their addresses, bank accounts and contacts. Every path under
`/v1/companies/{cuid}` is scoped to one company. Errors are RFC 9457 problem+json."""


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # FastAPI (0.16x) builds a router's routes (their dependants) on the router's first request:
    # 1.4 s of CPU on the event loop for all of them, which stalled every other request.
    # Built here, before the server accepts a connection.
    for _ in getattr(routing, "iter_route_contexts", lambda routes: ())(app.router.routes):
        pass
    # /openapi.json too: made on its first request it held the loop 2-3 s of CPU, and a thread
    # does not help, it holds the GIL for most of that (pydantic's schema building).
    app.openapi()
    # What is alive now (modules, routes, models: ~300,000 objects) lives as long as the
    # process: moved out of the collector's generations (no collection first: that alone is a
    # full one), so a full collection no longer walks it. Before, one came every few hundred
    # requests and held the loop 0.4-1.5 s on the loaded machine (the "unexplained" stalls of
    # bench/loop_stall.py; bench/RESULTS.md, session 12).
    gc.freeze()
    yield


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    bootstrap.wire()
    settings = settings or get_settings()
    db = db or Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    app = FastAPI(
        title="custreg",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_tags=openapi_doc.TAGS,
        generate_unique_id_function=openapi_doc.operation_id,  # customers_create, addresses_list, ...
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.company_cache = {}  # cuid → Company (companies/service.cached)
    app.state.auth = Authenticator(db.engine, settings.admin_token, settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst, settings.redis_url)
    app.state.token_limits = TokenEndpointLimits(settings)  # POST /oauth/token (docs/access.md)
    app.state.metrics = Metrics(db.engine)  # this app's own registry (GET /metrics)
    install_handlers(app)
    openapi_doc.install(app)  # errors and examples documented in /openapi.json
    # Answers of 1 KB or more, gzip-coded for clients that accept it (docs/customers.md, "List
    # options and transport"); streamed answers (export.csv) stay streamed, compressed chunk by
    # chunk. Level 1, as nginx: a 100-item page costs 0.43 ms (level 9: 2.3 ms), 0.9 % larger.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, max_json_bytes=settings.max_json_body_bytes)
    # Added last, so the outermost: request id, answer headers, access log and metrics of
    # every answer, the 413s of BodySizeLimit included.
    app.add_middleware(Observe, requests=app.state.metrics.requests, access_log=settings.access_log)

    # Before the routers: routes are matched in order, and behind ~30 routers the probe
    # spent ~0.4 ms finding its own path (measured in-process).
    @app.get("/health", tags=["health"])
    def health() -> dict:
        """Liveness and database reachability, for load balancers. No token needed."""
        # A plain `def`: FastAPI runs it in its threadpool, so a database that is slow to
        # answer (a PostgreSQL restart, a pool waiting for a connection) never holds the loop.
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": db.dialect}

    app.include_router(problem_pages)  # GET /problems/{code}: open, like /health
    for router in ROUTERS:
        app.include_router(router)
    apidocs.install(app)  # /docs and /redoc with their assets served here: no CDN
    ui.install(app)  # the back office at /ui (docs/ui.md): its pages sign in with a cookie, not a bearer

    return app
