"""Webhook delivery speed (docs/events.md): events delivered a second to a local receiver,
and the delay from the change (its event's `createdAt`, taken just before COMMIT) to the
receiver, p50 and p99, with 1 and 2 `custreg worker` processes on PostgreSQL.

    .venv/bin/python bench/events.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--backlog 5000] [--stream 400] [--workers 1,2]

Per worker count, on a fresh database: (1) throughput: an import of `--backlog` customers
while no worker runs, then the workers start and the time until the receiver has every event
gives events/s; (2) delay: with the workers running, `--stream` customers are created one
by one through the API (in this process) and each event's delay is measured at the
receiver. The receiver (http.server, threads) runs in this process and answers 200 at once.
Workers run with the default settings (`CUSTREG_WORKER_CONCURRENCY` 8, poll 0.5 s)."""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from custreg import bootstrap
from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings

CUSTREG = str(Path(sys.executable).parent / "custreg")
ADMIN = "bench-admin-token"


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, tuple[float, str]] = {}  # event id → (arrival, createdAt)
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.time()
                event = orjson.loads(body)
                with outer.lock:
                    outer.arrivals.setdefault(event["id"], (now, event["createdAt"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # 5 (the default) drops the workers' connects: 1 s SYN retries
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def wait(self, n: int, timeout: float = 600) -> float:
        deadline = time.monotonic() + timeout
        while self.count() < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.count()} of {n} events arrived")
            time.sleep(0.02)
        return time.monotonic()


def _database(server: str) -> tuple[str, str]:
    name = f"custreg_events_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def _drop(server: str, name: str) -> None:
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(server: str, workers: int, backlog: int, stream: int) -> dict:
    url, name = _database(server)
    key = Fernet.generate_key().decode()
    folder = Path(tempfile.mkdtemp(prefix="custreg-events-bench-"))
    env = {
        **os.environ,
        "CUSTREG_DATABASE_URL": url,
        "CUSTREG_WEBHOOK_ALLOW_PRIVATE": "true",
        "CUSTREG_WEBHOOK_SECRET_KEY": key,
        "CUSTREG_DATA_DIR": str(folder),
        "CUSTREG_LOG_LEVEL": "warning",
    }
    procs: list[subprocess.Popen] = []
    try:
        upgrade(url)
        rec = Receiver()
        settings = Settings(database_url=url, admin_token=ADMIN, webhook_allow_private=True, webhook_secret_key=key)
        app = create_app(settings)
        with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as http:
            assert (
                http.post("/v1/companies", json={"cuid": "bench", "name": "Bench", "countryCode": "FI"}).status_code
                == 201
            )
            r = http.post("/v1/companies/bench/webhooks", json={"url": rec.url})
            assert r.status_code == 201, r.text
            lines = ["lastName;firstName", *(f"Backlog{i};Bench" for i in range(backlog))]
            r = http.post(
                "/v1/companies/bench/customers/import",
                content="\n".join(lines).encode(),
                headers={"Content-Type": "text/csv"},
            )
            assert r.status_code == 200, r.text
            started = time.monotonic()
            procs = [subprocess.Popen([CUSTREG, "worker"], env=env, stderr=subprocess.DEVNULL) for _ in range(workers)]
            done = rec.wait(backlog)
            throughput = backlog / (done - started)  # includes the workers' start (about a second)
            before = rec.count()
            for i in range(stream):
                assert http.post("/v1/companies/bench/customers", json={"lastName": f"Stream{i}"}).status_code == 201
            rec.wait(before + stream)
        with rec.lock:
            stamps = list(rec.arrivals.values())[before:]
        delays = [(at - datetime.fromisoformat(created).timestamp()) * 1000 for at, created in stamps]
        app.state.db.engine.dispose()
        rec.server.shutdown()
        return {
            "workers": workers,
            "events_per_s": throughput,
            "p50_ms": statistics.median(delays),
            "p99_ms": _pct(delays, 0.99),
        }
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        _drop(server, name)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--postgres", required=True, help="PostgreSQL server URL (a database is made per run)")
    p.add_argument("--backlog", type=int, default=5000)
    p.add_argument("--stream", type=int, default=400)
    p.add_argument("--workers", default="1,2")
    a = p.parse_args()
    bootstrap.wire()
    for n in (int(w) for w in a.workers.split(",")):
        r = run(a.postgres, n, a.backlog, a.stream)
        print(
            f"workers {r['workers']}: {r['events_per_s']:,.0f} events/s (backlog of {a.backlog}); "
            f"commit→delivery p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms ({a.stream} creates one by one)",
            flush=True,
        )


if __name__ == "__main__":
    main()
