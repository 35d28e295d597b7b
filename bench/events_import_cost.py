"""What the outbox adds to an import (docs/events.md): `custreg import` of the same generated
CSV with this tree and with the tree of a git revision before the events (`git archive`),
alternately, a fresh database each time; the wall time and the CPU of the import process.

    .venv/bin/python bench/events_import_cost.py --rows 20000 --before 4116902 [--postgres URL] [--repeat 3]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _database(work: Path, postgres: str | None) -> str:
    if postgres is None:
        return f"sqlite:///{work / f'{uuid.uuid4().hex}.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"custreg_events_cost_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres).set(database=name).render_as_string(hide_password=False)


def _run(src: Path, url: str, csv: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "CUSTREG_DATABASE_URL": url, "CUSTREG_ADMIN_TOKEN": "x"}
    cli = [sys.executable, "-m", "custreg.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "company", "create", "bench", "--name", "Bench"], env=env, check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*cli, "import", str(csv), "--company", "bench", "--jobs", "1"], env=env, check=True, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--before", required=True, help="a git revision without the events")
    p.add_argument("--postgres", help="PostgreSQL server URL (a database is made per run)")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="custreg-events-cost-"))
    sys.path.insert(0, str(HERE))
    import generate

    generate.generate(a.rows, 8, work, progress=False)
    old = work / "before"
    old.mkdir()
    archive = subprocess.run(["git", "archive", a.before, "src"], cwd=HERE.parent, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    results: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for _ in range(a.repeat):
        for name, src in (("before", old / "src"), ("after", SRC)):
            results[name].append(_run(src, _database(work, a.postgres), work / "customers.csv"))
    engine = "PostgreSQL" if a.postgres else "SQLite"
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(
            f"{engine} {name}: {a.rows} rows, median of {a.repeat}: wall {wall:.2f} s "
            f"({a.rows / wall:,.0f} rows/s), CPU {cpu:.2f} s ({cpu / a.rows * 1e6:.0f} µs a row)"
        )


if __name__ == "__main__":
    main()
