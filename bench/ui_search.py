"""The back office's customer list on a large register: how long a search as one types takes.

    .venv/bin/python bench/ui_search.py --database-url sqlite:////tmp/ui.db --company bench

Starts `custreg serve` on the given (already imported) register, signs in to /ui with the
admin token, and fetches the list as the search box does (`X-Partial: rows`: the count and
the first 25 rows) for each prefix of a few Nordic names as they are typed (v, vi, vir, ...),
one request at a time; then the whole page, a filtered and a sorted list. Prints the
milliseconds (p50, p95, max) of each kind and what they found.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CUSTREG = str(Path(sys.executable).parent / "custreg")
TOKEN = "bench-ui-admin-token"
WORDS = ["virtanen", "korhonen", "mäkinen", "johansson", "andersen", "nyström", "pöllänen", "helsinki", "oulu"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        CUSTREG_DATABASE_URL=url,
        CUSTREG_ADMIN_TOKEN=TOKEN,
        CUSTREG_PORT=str(port),
        CUSTREG_LOG_LEVEL="warning",
        CUSTREG_ACCESS_LOG="false",
    )
    proc = subprocess.Popen([CUSTREG, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("custreg serve did not start")


def sign_in(http: httpx.Client) -> None:
    page = http.get("/ui/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = http.post("/ui/login", data={"csrf": csrf, "admin_token": TOKEN})
    assert r.status_code == 303, r.text


def timed(http: httpx.Client, path: str, params: dict, partial: bool) -> tuple[float, str]:
    headers = {"X-Partial": "rows"} if partial else {}
    t = time.perf_counter()
    r = http.get(path, params=params, headers=headers)
    ms = (time.perf_counter() - t) * 1000
    assert r.status_code == 200, r.text[:500]
    count = re.search(r'id="row-count">([^<]*)<', r.text)
    return ms, count.group(1) if count else ""


def summary(name: str, ms: list[float], found: str = "") -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{name:<46} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  {found}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--company", default="bench")
    p.add_argument("--rounds", type=int, default=3, help="times each word is typed")
    args = p.parse_args()
    proc, base = serve(args.database_url)
    try:
        with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as http:
            sign_in(http)
            path = f"/ui/c/{args.company}/customers"
            timed(http, path, {}, True)  # warm-up
            typing: list[float] = []
            words: list[float] = []
            found = []
            for _ in range(args.rounds):
                for word in WORDS:
                    for n in range(1, len(word) + 1):
                        ms, count = timed(http, path, {"q": word[:n]}, True)
                        typing.append(ms)
                    words.append(ms)
                    found.append(f"{word}: {count}")
            full = [timed(http, path, {"q": w}, False)[0] for w in WORDS]
            first = [timed(http, path, {}, True)[0] for _ in range(10)]
            filtered = [timed(http, path, {"q": w, "type": "COMPANY"}, True)[0] for w in WORDS]
            sorted_ = [timed(http, path, {"q": w, "sort": "-changed"}, True)[0] for w in WORDS]
            print(summary("search as typed (every prefix, rows)", typing))
            print(summary("search, whole word (rows)", words))
            print(summary("search, whole page (html, filters' codes)", full))
            print(summary("list without search (rows)", first))
            print(summary("search + type=COMPANY (rows)", filtered))
            print(summary("search + sort=-changed (rows)", sorted_))
            print("found:", "; ".join(found[: len(WORDS)]))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
