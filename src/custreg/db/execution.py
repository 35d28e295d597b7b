"""The request/database concurrency model, in one place.

Endpoints are plain `def` functions using a synchronous SQLAlchemy session. This
route class wraps each one so that the whole unit of work (authorisation checks,
the endpoint, commit or rollback) runs as one synchronous block, either inline on
the event loop (`CUSTREG_DB_EXECUTION=inline`, the default: measured about 3x the
threadpool's throughput on this stack, see docs/concurrency.md) or in the
threadpool (`thread`). No await happens inside a transaction, so an open
transaction never waits on another request of the same worker.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from fastapi.routing import APIRoute

from custreg.settings import get_settings


class UnitOfWork:
    """Anything an endpoint receives that owns a session (see access.context.Ctx)."""

    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


def _run(endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    units = [v for v in kwargs.values() if isinstance(v, UnitOfWork)]
    try:
        for u in units:
            u.begin()
        result = endpoint(**kwargs)
        for u in units:
            u.commit()
        return result
    except BaseException:
        for u in units:
            u.rollback()
        raise


async def run_unit(endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Run one unit of work (begin, endpoint, commit/rollback) inline or in the threadpool."""
    if get_settings().db_execution == "thread":
        return await anyio.to_thread.run_sync(functools.partial(_run, endpoint, kwargs))
    return _run(endpoint, kwargs)


def transactional(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint
    threaded = get_settings().db_execution == "thread"

    @functools.wraps(endpoint)
    async def wrapper(**kwargs: Any) -> Any:
        if threaded:
            return await anyio.to_thread.run_sync(functools.partial(_run, endpoint, kwargs))
        return _run(endpoint, kwargs)

    return wrapper


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Every creating POST (201) honours Idempotency-Key: sync/idempotency.py.
        from custreg.sync import idempotency

        bind = None
        if idempotency.applies(endpoint, kwargs):
            wrapped, bind = idempotency.wrap(endpoint, kwargs)
        else:
            wrapped = transactional(endpoint)
        super().__init__(path, wrapped, **kwargs)
        if bind is not None:
            bind(self)
