"""How long hostile requests hold the event loop (issue 23): the worst `/health` answer while
each one runs, on a served SQLite file.

    .venv/bin/python bench/loop_stall.py label=SRC [label=SRC ...]

SRC is a source tree put first on PYTHONPATH (`src` is this checkout; `git archive <commit>
src | tar -x -C DIR` gives another). For each variant: `custreg serve` (1 worker) on a fresh
file, a company with one customer, then each request below in turn while a probe GETs
/health every 20 ms; printed: the request's status and time, and the probe's worst answer.
A request not answered in 30 s is printed as such. Only loopback traffic; the server is
ended by its id.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-loop-stall"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _serve(src: str, db: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        PYTHONPATH=str((ROOT / src).resolve()),
        CUSTREG_DATABASE_URL=f"sqlite:///{db}",
        CUSTREG_ADMIN_TOKEN=TOKEN,
        CUSTREG_PORT=str(port),
        CUSTREG_LOG_LEVEL="warning",
        CUSTREG_ACCESS_LOG="false",
        CUSTREG_RATE_LIMIT_PER_SECOND="0",
    )
    return subprocess.Popen([sys.executable, "-m", "custreg.cli", "serve"], env=env, stdout=subprocess.DEVNULL)


def _probe(base: str, stop: threading.Event, worst: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=120) as c:
        while not stop.is_set():
            start = time.perf_counter()
            c.get("/health")
            worst[0] = max(worst[0], (time.perf_counter() - start) * 1000)
            time.sleep(0.02)


def run(label: str, src: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = 20000 + os.getpid() % 20000
        proc = _serve(src, f"{tmp}/bench.db", port)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
            c = httpx.Client(base_url=base, headers=AUTH, timeout=30)
            cuid = f"co-{uuid.uuid4().hex[:8]}"
            c.post("/v1/companies", json={"cuid": cuid, "name": cuid, "countryCode": "FI"}).raise_for_status()
            guid = str(uuid.uuid4())
            url = f"/v1/companies/{cuid}/customers"
            c.post(url, json={"lastName": "Bench", "customerGuid": guid}).raise_for_status()
            params = json.dumps([{"parameterCode": f"P{i}", "value": "x"} for i in range(3000)])
            requests = [
                (
                    "CLVR parameters, 3,000 items (the router's first request)",
                    "POST",
                    f"/compat/clvr/customers/{guid}/parameters",
                    params,
                    "application/json",
                ),
                (
                    "CLVR parameters, 3,000 items again",
                    "POST",
                    f"/compat/clvr/customers/{guid}/parameters",
                    params,
                    "application/json",
                ),
                (
                    "CSV header: lastName x 16,000",
                    "POST",
                    f"{url}/import",
                    ",".join(["lastName"] * 16_000) + "\nx\n",
                    "text/csv",
                ),
                (
                    "CSV header: lastName x 200,000",
                    "POST",
                    f"{url}/import",
                    ",".join(["lastName"] * 200_000) + "\nx\n",
                    "text/csv",
                ),
                (
                    "export of 100,000 unknown GUIDs",
                    "POST",
                    f"{url}/export.csv",
                    json.dumps([str(uuid.uuid4()) for _ in range(100_000)]),
                    "application/json",
                ),
                # Bodies just under CUSTREG_MAX_BODY_BYTES (5 MiB), and one at CUSTREG_MAX_JSON_BODY_BYTES (1 MiB).
                (
                    "JSON body 5 MiB: export keys (130,000 GUIDs)",
                    "POST",
                    f"{url}/export.csv",
                    json.dumps([str(uuid.uuid4()) for _ in range(130_000)]),
                    "application/json",
                ),
                (
                    "JSON body 5 MiB: a create with 340,000 small addresses",
                    "POST",
                    url,
                    json.dumps({"lastName": "B", "addresses": [{"city": "X"}] * 340_000}),
                    "application/json",
                ),
                (
                    "JSON body 5 MiB: a create with a 5 MB string",
                    "POST",
                    url,
                    json.dumps({"lastName": "x" * 5_000_000}),
                    "application/json",
                ),
                (
                    "JSON body 5 MiB: 5 MiB of nested arrays and numbers",
                    "POST",
                    url,
                    json.dumps({"lastName": "B", "extra": [[1, 2.5, None, True]] * 235_000}),
                    "application/json",
                ),
                (
                    "JSON body 1 MiB (the JSON limit): small arrays and numbers",
                    "POST",
                    url,
                    json.dumps({"lastName": "B", "extra": [[1, 2.5, None, True]] * 47_000}),
                    "application/json",
                ),
            ]
            for name, method, path, body, ctype in requests:
                stop, worst = threading.Event(), [0.0]
                probe = threading.Thread(target=_probe, args=(base, stop, worst))
                probe.start()
                time.sleep(0.1)
                start = time.perf_counter()
                try:
                    headers = {"content-type": ctype, "X-Company": cuid}
                    status = str(c.request(method, path, content=body, headers=headers).status_code)
                except httpx.TimeoutException:
                    status = "no answer"
                took = (time.perf_counter() - start) * 1000
                stop.set()
                probe.join()
                print(f"{label}\t{name}\t{status}\t{took:,.0f} ms\tworst /health {worst[0]:,.0f} ms", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # still burning CPU on a request: it ignores SIGTERM
                proc.kill()
                proc.wait(10)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        label, _, src = arg.partition("=")
        run(label, src)
