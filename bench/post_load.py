"""POST load against a served SQLite file: what the threadpool hop of writes costs (issue 20).

    .venv/bin/python bench/post_load.py [--rounds 3] [--duration 10] VARIANT...

A VARIANT is `label=SRC` or `label=SRC:MODE`: the product's source tree (put first on
PYTHONPATH; `src` is this checkout, `git archive <commit> src | tar -x -C DIR` gives
another) and CUSTREG_DB_EXECUTION (unset when omitted). Every round runs every variant in
turn, each on a fresh SQLite file: `custreg serve` (1 worker), a company, a 3 s warm-up,
then `wrk -t2 -c32 -d{duration}s --latency -s bench/post.lua`. Meanwhile a probe GETs
/health every 100 ms: its worst answer shows whether the loop stalls under the writes.
Only loopback traffic; the server is ended by its id.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-post-load"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, path: str, duration: int) -> dict:
    argv = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", "--timeout", "10s"]
    argv += ["-s", str(ROOT / "bench" / "post.lua"), "-H", f"Authorization: Bearer {TOKEN}", url]
    env = {**os.environ, "BENCH_POST_PATH": path}
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else None,
        "p99": _ms(*p99.groups()) if p99 else None,
        "non2xx": int(bad.group(1)) if bad else 0,
    }


def probe(url: str, stop: threading.Event, seen: list[float]) -> None:
    with httpx.Client(timeout=30) as c:
        while not stop.is_set():
            t = time.perf_counter()
            c.get(url + "/health")
            seen.append((time.perf_counter() - t) * 1000)
            stop.wait(0.1)


def run(label: str, src: Path, mode: str | None, duration: int, port: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(
            PYTHONPATH=str(src),
            CUSTREG_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            CUSTREG_ADMIN_TOKEN=TOKEN,
            CUSTREG_PORT=str(port),
            CUSTREG_LOG_LEVEL="warning",
            CUSTREG_RATE_LIMIT_PER_SECOND="0",
        )
        if mode:
            env["CUSTREG_DB_EXECUTION"] = mode
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "custreg"), "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{label}: the server did not start")
                time.sleep(0.2)
            company = {"cuid": "bench", "name": "Bench Oy", "countryCode": "FI"}
            httpx.post(url + "/v1/companies", json=company, headers=AUTH, timeout=30).raise_for_status()
            path = "/v1/companies/bench/customers"
            wrk(url, path, 3)
            stop, seen = threading.Event(), []
            prober = threading.Thread(target=probe, args=(url, stop, seen))
            prober.start()
            try:
                res = wrk(url, path, duration)
            finally:
                stop.set()
                prober.join(60)
            res["health_max"] = max(seen) if seen else None
            return res
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+", help="label=SRC or label=SRC:MODE")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--port", type=int, default=8791)
    args = ap.parse_args()
    variants = []
    for v in args.variants:
        label, _, rest = v.partition("=")
        src, _, mode = rest.partition(":")
        variants.append((label, Path(src).resolve(), mode or None))
    for r in range(1, args.rounds + 1):
        for label, src, mode in variants:
            res = run(label, src, mode, args.duration, args.port)
            print(
                f"round {r} {label:>12}: {res['rps']} req/s, p99 {res['p99']:.1f} ms, "
                f"non-2xx {res['non2xx']}, /health worst {res['health_max']:.1f} ms",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
