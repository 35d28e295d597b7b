"""Server CPU per request of GET one customer (client token) under wrk, served by uvicorn as
`custreg serve` serves it, for: a baseline ref of the code (before the operational layer),
this tree without the access log written, this tree with it (docs/operations.md, "Cost").
Server CPU time is read from /proc/PID/stat around each run, so other load on the machine
changes the figures less than it changes req/s. Loopback only; bounded runs.

    .venv/bin/python bench/ops_wrk.py [--base REF] [--rounds 3] [--duration 10]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 18090
SERVE = """
import sys, uvicorn
from custreg import serving
kw = {"log_config": serving.log_config("info")} if sys.argv[2] == "log" else {}
uvicorn.run("custreg.main:app", host="127.0.0.1", port=int(sys.argv[1]), http=serving.PROTOCOL,
            loop="asyncio", log_level="warning", access_log=False, **kw)
"""
SETUP = """
import json, sys
from fastapi.testclient import TestClient
from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings
url = sys.argv[1]
upgrade(url)
app = create_app(Settings(database_url=url, admin_token="bench-admin", token_lifetime_seconds=3600))
with TestClient(app, headers={"Authorization": "Bearer bench-admin"}) as c:
    c.post("/v1/companies", json={"cuid": "bench", "name": "Bench", "countryCode": "FI"})
    made = c.post("/v1/companies/bench/customers", json={"lastName": "Virtanen", "firstName": "Aino"}).json()
    cl = c.post("/v1/clients", json={"name": "b", "companies": ["bench"], "scopes": ["customers:read"]}).json()
    form = {"grant_type": "client_credentials", "client_id": cl["clientId"], "client_secret": cl["clientSecret"]}
    token = c.post("/oauth/token", data=form).json()["access_token"]
print(json.dumps({"path": f"/v1/companies/bench/customers/{made['customerNumber']}", "token": token}))
"""


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _run(label: str, pythonpath: str | None, mode: str, env: dict, target: dict, duration: int) -> str:
    run_env = {**env, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(PORT), mode], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{PORT}{target['path']}"
        wrk = ["wrk", "-t1", "-c4", "-H", f"Authorization: Bearer {target['token']}"]
        subprocess.run([*wrk, "-d2s", url], check=True, capture_output=True)  # warm up
        before = _cpu_ticks(server.pid)
        out = subprocess.run([*wrk, f"-d{duration}s", url], check=True, capture_output=True, text=True).stdout
        ticks = _cpu_ticks(server.pid) - before
        requests = int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))
        rps = next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec"))
        per_request = ticks / os.sysconf("SC_CLK_TCK") / requests * 1e6
        bad = "Non-2xx" in out
        return f"{label:12s} server CPU {per_request:5.0f} us/request  {rps:>8s} req/s" + ("  NON-2XX!" if bad else "")
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="3e65681", help="git ref of the code before the layer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_src = Path(tmp) / "base"
        base_src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "src"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive.stdout, check=True)
        url = f"sqlite:///{tmp}/bench.db"
        target = json.loads(
            subprocess.run([sys.executable, "-c", SETUP, url], check=True, capture_output=True, text=True).stdout
        )
        env = {
            **os.environ,
            "CUSTREG_DATABASE_URL": url,
            "CUSTREG_ADMIN_TOKEN": "bench-admin",
            "CUSTREG_RATE_LIMIT_PER_SECOND": "1000000",
            "CUSTREG_RATE_LIMIT_BURST": "1000000",
        }
        variants = [
            (f"{args.base[:10]}", str(base_src / "src"), "nolog"),
            ("no log", None, "nolog"),
            ("access log", None, "log"),
        ]
        for _ in range(args.rounds):
            for label, pythonpath, mode in variants:
                print(_run(label, pythonpath, mode, env, target, args.duration), flush=True)


if __name__ == "__main__":
    main()
