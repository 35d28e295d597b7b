"""Soak: mixed load on PostgreSQL with 2 workers, a worker SIGKILLed and PostgreSQL
restarted once, then every acknowledged write checked (issue 23; docs/RELIABILITY.md).

    .venv/bin/python bench/soak.py [--duration 600] [--threads 6] [--workers 2]

1. Starts a PostgreSQL cluster of its own (initdb in a temporary directory, a free port;
   as the `postgres` user when run as root), so restarting it harms no other database on
   the machine; migrates a database `soak`.
2. Starts `custreg serve` with CUSTREG_WORKERS (its own process group).
3. Load for --duration seconds from --threads threads: creates (with `Idempotency-Key`),
   patches of the thread's own customers, lists, searches; one all-or-nothing CSV import
   and one export.csv at a third of the run. At 40 % one worker is SIGKILLed (the server
   starts it again); at 60 % PostgreSQL is restarted (`pg_ctl restart -m fast`).
4. Afterwards: every acknowledged create is there with the values sent, every customer's
   last acknowledged patch (or a later one whose answer was lost) holds, every customer has
   its main address (nothing half-written), the import is all there or not at all (all if
   acknowledged), and no customer exists that was never sent.
5. Prints requests served, answers and errors by kind, and each event's outage window (the
   first to the last failed request after it). Exit code 1 when a check fails.

Every process started is ended by its id; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import collections
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CUSTREG = str(Path(sys.executable).parent / "custreg")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
ADMIN = "soak-admin-" + uuid.uuid4().hex
CUID = "soak"
IMPORT_ROWS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throw-away cluster: initdb, start, restart, stop (and its directory removed)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="custreg-soak-pg-"))
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/soak"

    def _run(self, *argv: str) -> None:
        cmd = [str(PG_BIN / argv[0]), *argv[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def _ctl(self, action: str) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(
            "pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o", opts, *action.split()
        )

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        self._ctl("start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "soak")

    def restart(self) -> None:
        self._ctl("restart -m fast")

    def stop(self) -> None:
        try:
            self._ctl("stop -m fast")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    def __init__(self, database_url: str, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="custreg-soak-", suffix=".log", delete=False)  # noqa: SIM115
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(
            CUSTREG_DATABASE_URL=database_url,
            CUSTREG_ADMIN_TOKEN=ADMIN,
            CUSTREG_WORKERS=str(workers),
            CUSTREG_HOST="127.0.0.1",
            CUSTREG_PORT=str(self.port),
            CUSTREG_LOG_LEVEL="warning",
        )
        self.proc = subprocess.Popen(
            [CUSTREG, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not start: " + Path(self.log.name).read_text()[-2000:])

    def workers(self) -> list[int]:
        """The worker processes (children of `custreg serve`)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Tally:
    """What the load saw: answers by kind, failure times, and what was acknowledged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kinds: collections.Counter[str] = collections.Counter()
        self.failures: list[float] = []
        self.created: dict[str, dict] = {}  # guid → body acknowledged
        self.unknown_creates: dict[str, dict] = {}  # guid → body whose answer was lost
        self.patches: dict[str, list[tuple[str, bool]]] = collections.defaultdict(list)  # guid → [(value, acked)]
        self.import_acked: bool | None = None
        self.export_rows: int | None = None

    def count(self, kind: str, failed: bool) -> None:
        with self.lock:
            self.kinds[kind] += 1
            if failed:
                self.failures.append(time.monotonic())


def call(http: httpx.Client, tally: Tally, op: str, method: str, url: str, **kw) -> httpx.Response | None:
    try:
        r = http.request(method, url, **kw)
    except httpx.HTTPError as exc:
        tally.count(f"{op} {type(exc).__name__}", True)
        return None
    tally.count(f"{op} {r.status_code}", r.status_code >= 500)
    return r


def load(base: str, tally: Tally, stop: threading.Event, n: int) -> None:
    url = f"/v1/companies/{CUID}/customers"
    mine: list[str] = []
    i = 0
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {ADMIN}"}) as http:
        while not stop.is_set():
            i += 1
            step = i % 10
            if step in (0, 1, 2, 3) or not mine:
                guid = str(uuid.uuid4())
                body = {
                    "customerGuid": guid,
                    "lastName": f"Kestävä{n}x{i}",
                    "firstName": "Soak",
                    "customerReference": f"soak-{n}-{i}",
                    "street": f"Kuormakatu {i}",
                    "zipCode": "00100",
                    "city": "Helsinki",
                }
                r = call(http, tally, "create", "POST", url, json=body, headers={"Idempotency-Key": guid})
                with tally.lock:
                    if r is not None and r.status_code == 201:
                        tally.created[guid] = body
                        mine.append(guid)
                    elif r is None or r.status_code >= 500:
                        tally.unknown_creates[guid] = body
            elif step in (4, 5):
                guid = mine[i % len(mine)]
                value = f"Muutettu{n}x{i}"
                r = call(http, tally, "patch", "PATCH", f"{url}/{guid}", json={"firstName": value})
                with tally.lock:
                    if r is not None and r.status_code == 200:
                        tally.patches[guid].append((value, True))
                    elif r is None or r.status_code >= 500:
                        tally.patches[guid].append((value, False))
            elif step in (6, 7):
                call(http, tally, "list", "GET", url, params={"$top": 20, "$skip": i % 200})
            else:
                call(http, tally, "search", "GET", url, params={"searchWord": f"Kestävä{n}x{i // 2}"})


def import_and_export(base: str, tally: Tally) -> None:
    rows = ["lastName;firstName;customerReference;street;zipCode;city"]
    rows += [f"Tuotu{i};Soak;soak-import-{i};Tuontikatu {i};00100;Helsinki" for i in range(IMPORT_ROWS)]
    data = ("\r\n".join(rows) + "\r\n").encode()
    with httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {ADMIN}"}) as http:
        url = f"/v1/companies/{CUID}/customers"
        r = call(http, tally, "import", "POST", f"{url}/import", content=data, headers={"Content-Type": "text/csv"})
        tally.import_acked = r is not None and r.status_code == 200 and r.json().get("created") == IMPORT_ROWS
        r = call(http, tally, "export", "GET", f"{url}/export.csv")
        if r is not None and r.status_code == 200:
            tally.export_rows = max(0, len(r.text.strip().splitlines()) - 1)


def all_customers(http: httpx.Client) -> dict[str, dict]:
    found: dict[str, dict] = {}
    skip = 0
    while True:
        r = http.get(
            f"/v1/companies/{CUID}/customers",
            params={
                "$top": 100,
                "$skip": skip,
                "$orderby": "customerNumber",
                # The list's summary has no customerReference (docs/customers.md): named here.
                "$select": "customerGuid,lastName,firstName,customerReference,street",
            },
        )
        r.raise_for_status()
        page = r.json()["value"]
        found.update({c["customerGuid"]: c for c in page})
        if len(page) < 100:
            return found
        skip += 100


def verify(base: str, tally: Tally) -> list[str]:
    problems = []
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {ADMIN}"}) as http:
        stored = all_customers(http)
    sent = {**tally.created, **tally.unknown_creates}
    for guid, body in tally.created.items():
        got = stored.get(guid)
        if got is None:
            problems.append(f"acknowledged create lost: {guid}")
            continue
        if got["lastName"] != body["lastName"] or got["customerReference"] != body["customerReference"]:
            problems.append(f"acknowledged create altered: {guid}")
    for guid, attempts in tally.patches.items():
        got = stored.get(guid)
        last_ack = max((k for k, (_v, ok) in enumerate(attempts) if ok), default=None)
        if got is None or last_ack is None:
            continue
        allowed = {v for v, _ok in attempts[last_ack:]}
        if got["firstName"] not in allowed:
            problems.append(f"acknowledged patch lost: {guid} has {got['firstName']!r}")
    imported = [c for c in stored.values() if (c.get("customerReference") or "").startswith("soak-import-")]
    if len(imported) not in (0, IMPORT_ROWS):
        problems.append(f"import half-written: {len(imported)} of {IMPORT_ROWS} rows")
    if tally.import_acked and len(imported) != IMPORT_ROWS:
        problems.append("acknowledged import lost")
    for guid, c in stored.items():
        if not c.get("street"):
            problems.append(f"customer without its main address: {guid}")
        elif guid not in sent and not (c.get("customerReference") or "").startswith("soak-import-"):
            problems.append(f"customer never sent: {guid}")
    return problems


def outage(failures: list[float], at: float, until: float) -> str:
    after = [t for t in failures if at <= t < until]
    if not after:
        return "no failed request"
    return f"{after[-1] - after[0]:.1f} s (first failure {after[0] - at:+.1f} s after the event, {len(after)} failed)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from custreg.db.migrate import upgrade  # a script: the package after its path is set

    pg = Postgres()
    server = None
    try:
        pg.start()
        upgrade(pg.url)
        server = Server(pg.url, args.workers)
        company = {"cuid": CUID, "name": "Soak Oy", "countryCode": "FI"}
        httpx.post(
            f"{server.base}/v1/companies", json=company, headers={"Authorization": f"Bearer {ADMIN}"}
        ).raise_for_status()
        tally, stop = Tally(), threading.Event()
        threads = [threading.Thread(target=load, args=(server.base, tally, stop, n)) for n in range(args.threads)]
        start = time.monotonic()
        for t in threads:
            t.start()
        events: list[tuple[str, float]] = []
        plan = [
            (args.duration / 3, "import+export"),
            (args.duration * 0.4, "SIGKILL a worker"),
            (args.duration * 0.6, "PostgreSQL restart"),
        ]
        side = None
        for when, what in plan:
            time.sleep(max(0.0, start + when - time.monotonic()))
            events.append((what, time.monotonic()))
            if what == "import+export":
                side = threading.Thread(target=import_and_export, args=(server.base, tally))
                side.start()
            elif what == "SIGKILL a worker":
                victims = server.workers()
                os.kill(victims[0], signal.SIGKILL)
            else:
                pg.restart()
        time.sleep(max(0.0, start + args.duration - time.monotonic()))
        stop.set()
        for t in threads:
            t.join(60)
        if side is not None:
            side.join(600)
        end = time.monotonic()
        problems = verify(server.base, tally)
    finally:
        if server is not None:
            server.stop()
        pg.stop()

    served = sum(n for k, n in tally.kinds.items() if k.split()[-1].isdigit())
    print(f"duration {end - start:.0f} s, {args.threads} threads, {args.workers} workers (PostgreSQL, own cluster)")
    print(f"requests answered: {served}, without an answer: {sum(tally.kinds.values()) - served}")
    print(
        f"acknowledged: {len(tally.created)} creates, {sum(ok for a in tally.patches.values() for _v, ok in a)} patches, "
        f"import {'yes' if tally.import_acked else 'no'} ({IMPORT_ROWS} rows), export rows {tally.export_rows}"
    )
    print("answers and errors by kind:")
    for kind, n in sorted(tally.kinds.items()):
        print(f"  {kind:<32} {n}")
    marks = [t for _w, t in events] + [end]
    for (what, at), until in zip(events, marks[1:], strict=False):
        print(f"outage after {what}: {outage(tally.failures, at, until)}")
    print(f"checks: {'all passed' if not problems else f'{len(problems)} FAILED'}")
    for p in problems[:50]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
