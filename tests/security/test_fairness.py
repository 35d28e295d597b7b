"""Tenant fairness (docs/limits.md, docs/concurrency.md): a long import in one company never
makes another company's reads wait, and a write that cannot get its lock in time is
answered 503 with Retry-After instead of hanging. A served app (uvicorn, the default
execution: reads in the reader lanes, writes in the writer lane, the import in a process of
its own: sync/import_process.py)."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import new_company
from reliability_util import Server, lock_held_elsewhere

CSV = {"content-type": "text/csv"}
ROWS = 5_000


@pytest.fixture
def served(database_url):
    with Server(database_url, sqlite_busy_timeout_ms=500) as server:
        yield server


def test_a_blocked_write_is_503_with_retry_after(served, client, database_url):
    cuid = new_company(client)
    with served.http() as http, lock_held_elsewhere(database_url, cuid):
        r = http.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Waits"})
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "1" and r.json()["code"] == "database_busy"
    with served.http() as http:  # the lock released: the same write goes through
        assert http.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Waits"}).status_code == 201


def test_a_long_import_never_stalls_another_companys_reads(served, client):
    a, b = new_company(client), new_company(client)
    with served.http(timeout=300) as http:
        n = http.post(f"/v1/companies/{b}/customers", json={"lastName": "Bee"}).json()["customerNumber"]
        body = "lastName,firstName,email\n" + "".join(f"Name{i},First{i},p{i}@example.com\n" for i in range(ROWS))
        answers: dict[str, object] = {}

        def run_import():
            answers["import"] = http.post(f"/v1/companies/{a}/customers/import", content=body, headers=CSV)

        importer = threading.Thread(target=run_import)
        importer.start()
        writes: list[int] = []
        reads_during = 0
        while importer.is_alive():
            # Two writes to A meanwhile (they wait for the import's lock, or pass), then B's reads.
            if len(writes) < 2:
                w = http.post(f"/v1/companies/{a}/customers", json={"lastName": "Ay"})
                assert w.status_code in (201, 503), w.text
                if w.status_code == 503:
                    assert w.headers["Retry-After"]
                writes.append(w.status_code)
            r = http.get(f"/v1/companies/{b}/customers/{n}")
            assert r.status_code == 200 and r.json()["lastName"] == "Bee"
            assert http.get("/health").status_code == 200
            reads_during += importer.is_alive()
        importer.join()
    imported = answers["import"]
    assert imported.status_code == 200 and imported.json()["created"] == ROWS, imported.text
    assert reads_during >= 1  # B was answered while A's import ran


def test_imports_that_cannot_get_the_lock_are_503_before_it_is_released(served, client, database_url):
    """Three imports at once while another process holds the lock for 4 s (lock wait 0.5 s):
    two wait for it in their processes, the third for a free import slot of the worker; all
    are answered 503 database_busy long before the lock is released, and write nothing."""
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    body = "lastName,firstName\nWait,One\nWait,Two\n"
    answers: list[tuple[object, float]] = []
    with served.http() as http, lock_held_elsewhere(database_url, cuid):
        held_at = time.monotonic()

        def run_import() -> None:
            with served.http() as own:
                r = own.post(f"{url}/import", content=body, headers=CSV)
            answers.append((r, time.monotonic() - held_at))

        threads = [threading.Thread(target=run_import) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        time.sleep(max(0.0, 4 - (time.monotonic() - held_at)))
    assert len(answers) == 3
    for r, after in answers:
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "1" and r.json()["code"] == "database_busy"
        assert after < 4, f"an import was answered {after:.1f} s after the lock was taken"
    with served.http() as http:
        assert http.get(url).json()["count"] == 0
        r = http.post(f"{url}/import", content=body, headers=CSV)  # every slot is free again
        assert r.status_code == 200 and r.json()["created"] == 2, r.text


def _import_processes(pid: int) -> list[int]:
    """The processes multiprocessing's forkserver started under `pid` (the imports')."""
    found: list[int] = []

    def children(p: int) -> list[int]:
        kids: list[int] = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return kids

    def walk(p: int, under_forkserver: bool) -> None:
        for c in children(p):
            try:
                cmdline = Path(f"/proc/{c}/cmdline").read_bytes()
            except OSError:
                continue
            if under_forkserver:
                found.append(c)
            walk(c, under_forkserver or b"forkserver" in cmdline)

    walk(pid, False)
    return found


def test_an_import_whose_process_is_killed_is_503_and_writes_nothing(served, client):
    """An all-or-nothing import whose process is SIGKILLed mid-file: the request is answered
    503 with Retry-After (not a 500, not a hang), nothing of the file is written, and the
    worker imports the next file."""
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    body = "lastName,firstName,email\n" + "".join(f"Name{i},First{i},k{i}@example.com\n" for i in range(30_000))
    answers: dict[str, object] = {}
    with served.http(timeout=300) as http:

        def run_import() -> None:
            answers["import"] = http.post(f"{url}/import", content=body, headers=CSV)

        importer = threading.Thread(target=run_import)
        importer.start()
        deadline = time.monotonic() + 60
        while not (pids := _import_processes(served.proc.pid)):
            assert importer.is_alive() and time.monotonic() < deadline, "no import process was seen"
            time.sleep(0.05)
        time.sleep(0.5)  # it is reading and writing the file
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        importer.join(60)
        r = answers["import"]
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "1" and r.json()["code"] == "import_interrupted"
        assert http.get(url).json()["count"] == 0
        again = http.post(f"{url}/import", content="lastName\nAfter\n", headers=CSV)
        assert again.status_code == 200 and again.json()["created"] == 1, again.text
