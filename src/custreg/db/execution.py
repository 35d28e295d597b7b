"""The request/database concurrency model, in one place (docs/concurrency.md).

Endpoints are plain `def` functions using a synchronous SQLAlchemy session. This
route class wraps each one so that the whole unit of work (authorisation checks,
the endpoint, commit or rollback) runs as one synchronous block. Where it runs is
decided here and nowhere else (`CUSTREG_DB_EXECUTION`):

- `auto` (default): a read (GET, HEAD) runs in the reader lanes (a few threads per worker),
  so a read that scans (a `$filter` with `contains`, a count over a large company) never
  holds the event loop: SQLite and PostgreSQL release the GIL while a statement runs, and
  Python hands it back to the loop every few milliseconds otherwise. A write runs in the
  writer lane (one thread per worker, writes one at a time in arrival order), so a write
  waiting for a lock (SQLite's write lock, a PostgreSQL row lock) never stops the worker's
  other requests, and waiting writes hold one pooled connection, never the ones reads need.
- `thread`: every unit runs in anyio's threadpool, writes concurrently.

No await happens inside a transaction, so an open transaction never waits on another
request of the same worker.
"""

import asyncio
import contextvars
import functools
import inspect
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread

from custreg.errors import DatabaseBusy
from custreg.settings import get_settings

READ_METHODS = frozenset({"GET", "HEAD"})
# The writer lane: one thread that runs the write units one after another, in arrival
# order, each taken from the queue as soon as the last one ends (with anyio's threadpool
# behind a limiter of 1, the next write started only after the loop had seen the last end:
# POST throughput fell by 20-40 %; docs/concurrency.md). Its thread starts on first use.
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="custreg-writer")
# The reader lanes: reads ran inline on the loop until session 12, where a `contains` filter
# over 20,000 customers held it (and every other request, `/health` too) 130 ms of CPU, and
# over a million seconds. A few threads, not anyio's 40: a read waits for no lock, and more
# threads only take turns at the GIL (bench/loop_hold.py, docs/concurrency.md).
READERS = 4
_READER = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="custreg-reader")


class UnitOfWork:
    """Anything an endpoint receives that owns a session (see access.context.Ctx)."""

    lock_wait_s: float | None = None  # how long its write may wait for a lock (db.session.Database)

    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


def writes(methods: Iterable[str] | None) -> bool:
    """A route writes unless it answers only GET/HEAD (as access.context opens its session)."""
    return not {m.upper() for m in methods or ("GET",)} <= READ_METHODS


def _run(endpoint: Callable[..., Any], kwargs: dict[str, Any], queued_at: float | None = None) -> Any:
    units = [v for v in kwargs.values() if isinstance(v, UnitOfWork)]
    try:
        if queued_at is not None:
            _refuse_stale(units, time.monotonic() - queued_at)
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


def _refuse_stale(units: list[UnitOfWork], waited: float) -> None:
    """A write that waited in the writer lane as long as it may wait for a lock is answered
    503 now: behind a write that timed out on a lock held elsewhere (a long import), the next
    would wait its own timeout again, and the n-th n times as long (bench/tenant_stall.py:
    the second of two writes answered after 20 s)."""
    limits = [u.lock_wait_s for u in units if u.lock_wait_s]
    if limits and waited >= min(limits):
        raise DatabaseBusy()


async def run_unit(endpoint: Callable[..., Any], kwargs: dict[str, Any], *, write: bool) -> Any:
    """Run one unit of work (begin, endpoint, commit/rollback) where the setting says."""
    unit = functools.partial(_run, endpoint, kwargs, time.monotonic() if write else None)
    if get_settings().db_execution == "thread":
        return await anyio.to_thread.run_sync(unit)
    context = contextvars.copy_context()
    lane = _WRITER if write else _READER
    return await asyncio.get_running_loop().run_in_executor(lane, context.run, unit)


def transactional(endpoint: Callable[..., Any], *, write: bool) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def wrapper(**kwargs: Any) -> Any:
        return await run_unit(endpoint, kwargs, write=write)

    return wrapper
