"""A CSV import (the API's POST /customers/import and the back office's import page) runs in
a process of its own (docs/concurrency.md, "Imports"). In a worker's thread it held the GIL
most of the time: the worker's event loop then waited for it behind the import, and every
request of that worker stalled 150-690 ms about once a second (bench/RESULTS.md, session 13).

The request authorises the caller and spools the file to an unnamed temporary file; `start`
hands its descriptor (socket.send_fds) to a child process, forked from a server process that
imported this module once (multiprocessing's `forkserver`: about 40 ms an import after the
first, which starts the server, and never a fork of the worker's threads). The child opens its own connection, reads
and counts the file, and runs sync/importer.run in one unit of work, as the request did. It
sends back what the request answers: the report, or the problem (a DomainError's fields, a
database error's answer). The file never has a name, so it goes with the last process
holding it, whatever ends that. A back-office import is announced first (`started`, once its
state is in `import_jobs`), and the page follows its progress there (sync/jobs.py).

At most SLOTS imports run at once in one worker; another waits up to its lock wait for a
slot, then is answered 503 `database_busy` with Retry-After (docs/limits.md)."""

import contextlib
import io
import multiprocessing
import os
import socket
import tempfile
import threading
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO, Any

import anyio.to_thread
from sqlalchemy.exc import DBAPIError

from custreg import bootstrap
from custreg.companies.models import Company
from custreg.customers import audit, writer
from custreg.db.session import Database
from custreg.errors import BadRequest, DatabaseBusy, DomainError, PayloadTooLarge, RetryLater, database_answer
from custreg.settings import Settings
from custreg.sync import bulk, dialects, importer, jobs

IMPORTS_PER_WORKER = 2  # imports running at once in one worker process (each is a process)
SLOTS = threading.BoundedSemaphore(IMPORTS_PER_WORKER)
# Imported once in the forkserver. Each child also runs the worker's main module again
# (multiprocessing's rule for forkserver and spawn; its "__main__" preload does not take
# effect in Python 3.11), so custreg's entry points' modules are imported here too: the
# main of `custreg serve` (a console script importing custreg.cli) and of its workers
# (custreg.serving) then costs nothing. A 1-row import answered in 150 ms, now 40 ms.
# Another main (uvicorn, gunicorn) only costs its own imports again in each child.
PRELOAD = (__name__, "custreg.cli", "custreg.serving")


@dataclass(frozen=True)
class Task:
    settings: Settings
    company_id: int
    actor: tuple[str, str]  # (kind, id): the audit trail's (customers/audit.py)
    mode: str
    job_id: str | None = None  # a back-office import: its state in import_jobs (valid-rows)


class ImportProcessLost(RetryLater):
    """The child ended without an answer (killed, out of memory): what it committed stays
    (valid-rows), an all-or-nothing import wrote nothing."""

    code = "import_interrupted"
    message = "The import's process ended before it answered; retry"


class _Relayed(DomainError):
    """The child's DomainError, as the request answers it."""

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__(fields["detail"], fields["errors"], **fields["extra"])
        self.status, self.code, self.title = fields["status"], fields["code"], fields["title"]
        self.headers = fields["headers"]


def _fields(exc: DomainError) -> dict[str, Any]:
    return {
        "status": exc.status,
        "detail": exc.detail,
        "errors": exc.errors,
        "extra": exc.extra,
        "code": exc.code,
        "title": exc.title,
        "headers": exc.headers,
    }


class Running:
    """The parent's side of one import's child. Its methods block: call them in a thread."""

    def __init__(self, task: Task, spool: IO[bytes]) -> None:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context: Any = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(list(PRELOAD))  # read when the server starts
        self._conn, child_end = context.Pipe(duplex=False)
        ours, theirs = socket.socketpair()
        with ours:
            self._process = context.Process(
                target=_child, args=(task, child_end, theirs), name="custreg-import", daemon=False
            )
            self._process.start()
            child_end.close()
            theirs.close()
            with contextlib.suppress(OSError):  # the child ended already: `receive` says so
                socket.send_fds(ours, [b"f"], [spool.fileno()])

    def receive(self) -> Any:
        """The child's next answer; its refusal raised as the request's problem."""
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            raise ImportProcessLost() from None
        if kind == "refused":
            raise _Relayed(value)
        if kind == "failed":  # a bug: the handler logs it and answers 500
            raise RuntimeError(f"the import's process failed:\n{value}")
        return value

    def close(self) -> None:
        """Wait for the child to end; free its slot."""
        try:
            self._conn.close()
            self._process.join()
        finally:
            SLOTS.release()

    def finish(self) -> None:
        """A back-office import after its `started`: wait for its end (its outcome is in
        import_jobs), then close."""
        with contextlib.suppress(DomainError, RuntimeError):
            self.receive()
        self.close()


def start(task: Task, spool: IO[bytes], lock_wait_s: float) -> Running:
    """The import's child, once a slot is free (503 after `lock_wait_s`)."""
    if not SLOTS.acquire(timeout=lock_wait_s):
        raise DatabaseBusy()
    try:
        return Running(task, spool)
    except BaseException:
        SLOTS.release()
        raise


def _run(task: Task, spool: IO[bytes], lock_wait_s: float) -> tuple[dict[str, Any], bool]:
    running = start(task, spool, lock_wait_s)
    try:
        return running.receive()
    finally:
        running.close()


def _started(task: Task, spool: IO[bytes], lock_wait_s: float) -> None:
    running = start(task, spool, lock_wait_s)
    try:
        running.receive()  # `started`, or the refusal the page shows
    except BaseException:
        running.close()
        raise
    threading.Thread(target=running.finish, name="custreg-import-wait", daemon=True).start()


# ---------------------------------------------------------------- the request's side


async def spool(settings: Settings, chunks: AsyncIterator[bytes], field: str) -> IO[bytes]:
    """The request's CSV in an unnamed temporary file, before any transaction opens; 413 past
    CUSTREG_IMPORT_MAX_BYTES, 400 when empty. `imported` or `started` closes it."""
    limit = settings.import_max_bytes
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the import, which closes it
    try:
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"The CSV is larger than {limit} bytes")
            out.write(chunk)
        if size == 0:
            raise BadRequest("The CSV is empty", [{"field": field, "message": "empty"}])
        out.flush()  # the child reads the file, not this buffer
        return out
    except BaseException:
        out.close()
        raise


def _task(ctx: Any, mode: str, job_id: str | None) -> Task:
    """The caller authorised (its current grants, the company) in a transaction of its own,
    and what the import's process needs; the request holds no transaction while it runs."""
    try:
        ctx.begin()
        return Task(
            settings=ctx.request.app.state.settings,
            company_id=ctx.company.id,
            actor=(ctx.principal.kind, ctx.principal.subject),
            mode=mode,
            job_id=job_id,
        )
    finally:
        ctx.rollback()


async def imported(ctx: Any, spool: IO[bytes], mode: str) -> tuple[dict[str, Any], bool]:
    """POST /customers/import: the spooled file imported; its report, and whether written."""
    return await _hand_over(ctx, spool, mode, None, _run)


async def started(ctx: Any, spool: IO[bytes], job_id: str) -> None:
    """The back office's import: returns once its state is in import_jobs (or raises what
    refused it: too many rows, no header); it goes on in its process."""
    await _hand_over(ctx, spool, "valid-rows", job_id, _started)


async def _hand_over(
    ctx: Any, spool: IO[bytes], mode: str, job_id: str | None, how: Callable[[Task, IO[bytes], float], Any]
) -> Any:
    try:
        task = await anyio.to_thread.run_sync(_task, ctx, mode, job_id)
        return await anyio.to_thread.run_sync(how, task, spool, ctx.request.app.state.db.lock_wait_s)
    finally:
        spool.close()  # the child holds a descriptor of its own


# ---------------------------------------------------------------- the child


def _child(task: Task, conn: Any, handover: socket.socket) -> None:
    try:
        with handover:
            _, fds, _, _ = socket.recv_fds(handover, 1, 1)
        if not fds:
            return  # the request ended before it handed the file over
        with os.fdopen(fds[0], "rb") as spool:
            outcome = _outcome(task, spool, lambda: conn.send(("started", None)))
        with contextlib.suppress(OSError):  # the request is gone (its worker ended)
            conn.send(outcome)
    finally:
        conn.close()


def _outcome(task: Task, spool: IO[bytes], announce: Callable[[], None]) -> tuple[str, Any]:
    """What the request answers: ("done", the import's), ("refused", a problem's fields) or
    ("failed", what a bug's log line says)."""
    try:
        bootstrap.wire()
        db = Database.from_url(
            task.settings.database_url, busy_timeout_ms=task.settings.sqlite_busy_timeout_ms, pool_size=1
        )
        try:
            return "done", _import(db, task, spool, announce)
        finally:
            db.engine.dispose()
    except DomainError as exc:
        return "refused", _fields(exc)
    except DBAPIError as exc:
        answer = database_answer(exc)
        if answer is not None:
            return "refused", _fields(answer)
        # Its kind and SQLSTATE only: the message quotes the row's values.
        return "failed", f"{type(exc.orig).__name__} sqlstate={getattr(exc.orig, 'sqlstate', None)}"
    except Exception as exc:
        return "failed", "".join(traceback.format_exception(exc))


def _import(
    db: Database, task: Task, spool: IO[bytes], announce: Callable[[], None]
) -> tuple[dict[str, Any], bool] | None:
    """The import's unit of work. A back-office import's failure after `announce` is its
    job's (shown on its page), not an answer."""
    spool.seek(0)  # the request's descriptor shared this file's offset
    delimiter = dialects.delimiter_of(spool)  # `;` files (the excel dialect) too
    dialects.check_rows(spool, delimiter, task.settings.import_max_rows)
    session = db.session(write=True)
    session.info[audit.ACTOR] = task.actor
    progress = None
    try:
        company = session.get_one(Company, task.company_id)
        if task.job_id is not None:
            # Lines, not records (a quoted cell may hold a newline): the progress bar's scale only.
            rows = max(0, sum(1 for line in spool if line.strip()) - 1)
            spool.seek(0)
            jobs.start(session, company, task.job_id, rows, f"{task.actor[0]}:{task.actor[1]}")
            session.commit()  # any worker serves its page from now on
            progress = jobs.Progress(session, task.job_id)
            announce()
        stream = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
        report = importer.run(
            session,
            company,
            stream,
            task.mode,
            delimiter=delimiter,
            progress=progress.row if progress else None,
            on_error=progress.error if progress else None,
        )
        if progress is not None:
            outcome = report.as_dict()
            outcome.pop("errors", None)
            jobs.finish(session, progress, outcome, None)  # with the last batch
        if report.written:
            writer.finish(session)  # the write path's last step (customers/writer.py)
            session.commit()
        else:
            _rollback(session)
    except Exception as exc:
        _rollback(session)
        if progress is None:
            raise
        failure = getattr(exc, "detail", None) or type(exc).__name__  # shown on the page
        with db.session(write=True) as again:
            jobs.finish(again, progress, None, str(failure))
            again.commit()
        return None
    finally:
        session.close()
    bulk.after_large_import(db.engine, report.created)
    return report.as_dict(), report.written


def _rollback(session: Any) -> None:
    session.rollback()
    writer.discard(session)
