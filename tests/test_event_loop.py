"""Issue 20: a write waiting for a lock never stops the worker's other requests
(db/execution.py, docs/concurrency.md).

A served `custreg serve` (1 worker, the default CUSTREG_DB_EXECUTION) on the suite's
database. Another process holds a lock for 5 s that a creating POST needs: SQLite's write
lock (`BEGIN IMMEDIATE` on the same file), or on PostgreSQL the company row's lock (the
POST takes its customer number by updating that row). While the POST waits, `GET /health`
and `GET /customers/{n}` on the same worker answer in under 200 ms; once the lock is
released the POST is answered 201.
"""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import ADMIN, PG_URL, new_company
from reliability_util import lock_held_elsewhere

HOLD = 5.0
FAST_MS = 200
WAIT_MS = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(database_url, tmp_path):
    """Base URL of `custreg serve` (1 worker) on the suite's database."""
    with _serve(database_url, tmp_path) as base:
        yield base


@pytest.fixture
def served_short_wait(database_url, tmp_path):
    """The same with a lock wait of 1 s (CUSTREG_SQLITE_BUSY_TIMEOUT_MS; PostgreSQL's lock_timeout too)."""
    with _serve(database_url, tmp_path, CUSTREG_SQLITE_BUSY_TIMEOUT_MS=str(WAIT_MS)) as base:
        yield base


@contextlib.contextmanager
def _serve(database_url, tmp_path, **extra):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        CUSTREG_DATABASE_URL=database_url,
        CUSTREG_ADMIN_TOKEN=ADMIN,
        CUSTREG_HOST="127.0.0.1",
        CUSTREG_PORT=str(port),
        CUSTREG_LOG_LEVEL="warning",
        CUSTREG_RATE_LIMIT_PER_SECOND="0",
        **extra,
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("custreg")), "serve", "--no-migrate"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


def _timed_get(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    r = client.get(path)
    return r, (time.perf_counter() - start) * 1000


def test_reads_are_answered_while_a_write_waits_for_a_lock(served, database_url):
    lock = "SQLite's write lock" if not PG_URL else "the company row's lock"
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=served, headers=headers, timeout=30) as reader:
        cuid = new_company(reader)
        url = f"/v1/companies/{cuid}/customers"
        r = reader.post(url, json={"lastName": "Virtanen", "firstName": "Aino"})
        assert r.status_code == 201, r.text
        number = r.json()["customerNumber"]
        assert reader.get(f"{url}/{number}").status_code == 200  # the connection is warm

        answer: dict = {}

        def post() -> None:
            with httpx.Client(base_url=served, headers=headers, timeout=30) as writer:
                answer["response"] = writer.post(url, json={"lastName": "Korhonen", "firstName": "Eino"})
            answer["at"] = time.monotonic()

        with lock_held_elsewhere(database_url, cuid):
            held_at = time.monotonic()
            poster = threading.Thread(target=post)
            poster.start()
            time.sleep(0.5)  # the POST has reached the lock and waits there
            assert poster.is_alive(), f"the POST did not wait for {lock}"
            for path in ("/health", f"{url}/{number}", "/health", f"{url}/{number}"):
                r, ms = _timed_get(reader, path)
                assert r.status_code == 200, r.text
                assert ms < FAST_MS, f"GET {path} took {ms:.0f} ms while a POST waited for {lock}"
            assert poster.is_alive(), f"the POST was answered while {lock} was held"
            time.sleep(max(0.0, held_at + HOLD - time.monotonic()))
        poster.join(30)

        created = answer["response"]
        assert created.status_code == 201, created.text
        assert answer["at"] - held_at >= HOLD - 0.5  # it waited for the lock, then was written
        n = created.json()["customerNumber"]
        assert n == number + 1
        assert reader.get(f"{url}/{n}").json()["lastName"] == "Korhonen"


def test_writes_queued_behind_a_lock_wait_are_answered_503_within_their_own_wait(served_short_wait, database_url):
    """Eight creates at once while another process holds the lock for 5 s, with a lock wait of
    1 s: the first waits 1 s for the lock and is answered 503; the ones queued behind it in the
    worker's writer lane have waited as long as they may and are answered 503 at once, not
    after 1 s each (which would answer the last ones after the lock is gone)."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=served_short_wait, headers=headers, timeout=30) as client:
        cuid = new_company(client)
        url = f"/v1/companies/{cuid}/customers"
        assert client.post(url, json={"lastName": "Warm"}).status_code == 201
        answers: list[tuple[httpx.Response, float]] = []

        def post(i: int) -> None:
            with httpx.Client(base_url=served_short_wait, headers=headers, timeout=30) as writer:
                r = writer.post(url, json={"lastName": f"Queued{i}"})
            answers.append((r, time.monotonic()))

        with lock_held_elsewhere(database_url, cuid):
            held_at = time.monotonic()
            posters = [threading.Thread(target=post, args=(i,)) for i in range(8)]
            for t in posters:
                t.start()
            for t in posters:
                t.join(HOLD + 20)
            released_at = time.monotonic()
            assert released_at - held_at < HOLD + 20
            time.sleep(max(0.0, held_at + HOLD - time.monotonic()))
        assert len(answers) == 8
        for r, at in answers:
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "1"
            assert r.json()["code"] == "database_busy"
            assert at - held_at < HOLD, f"a queued write was answered after {at - held_at:.1f} s"
        assert client.post(url, json={"lastName": "After"}).status_code == 201
        listed = client.get(url, params={"$top": 50}).json()
        assert sorted(c["lastName"] for c in listed["value"]) == ["After", "Warm"]
