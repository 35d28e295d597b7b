"""Experiment (not product code): the SQLite CSV export with its reading in a child process.

    .venv/bin/python bench/export_process.py sqlite:////path/bench.db OUT.csv [--company bench]

The product's export (sync/export.py) reads in a thread beside the formatting thread, but
the sqlite3 module needs the GIL back after every row's step, so the two take turns (a GIL
convoy: the CLI export of 1M customers used 26.6 s of CPU in 28.2 s). Here the same
`_line_batches` run in a spawned process and send (rows, odd) through a pipe; this process
formats them exactly as `csv_export` does, so the file is byte for byte the CLI's (compare
with `cmp`). It prints the wall time and how long the formatting waited for rows.
"""

import argparse
import multiprocessing as mp
import time


def _where(engine, cuid: str) -> list:
    from sqlalchemy import select

    from custreg.companies.models import Company
    from custreg.customers.models import Customer

    with engine.connect() as conn:
        company = conn.execute(select(Company.id).where(Company.cuid == cuid)).scalar_one()
    return [Customer.company_id == company, Customer.excluded.is_(False)]


def read(pipe, url: str, cuid: str) -> None:
    from sqlalchemy import create_engine

    from custreg.sync import export

    engine = create_engine(url)
    for _convert, rows, odd in export._line_batches(engine, _where(engine, cuid), [], None):
        pipe.send((rows, odd))
    pipe.send(None)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("out")
    p.add_argument("--company", default="bench")
    args = p.parse_args()

    from sqlalchemy import create_engine

    from custreg.sync import export

    started = time.monotonic()
    receive, send = mp.Pipe(duplex=False)
    child = mp.get_context("spawn").Process(target=read, args=(send, args.url, args.company))
    child.start()
    engine = create_engine(args.url)
    base = export._plan(engine.dialect, None)
    _stmt, layout, _widths = export._line_statement(base, [], [], "sqlite")
    convert = [None if k is None else base.convert[k] for k in layout]
    width, n, waited = len(export.COLUMNS), 0, 0.0
    with open(args.out, "wb") as f:
        f.write((",".join(export.COLUMNS) + "\r\n").encode("utf-8"))
        while True:
            t = time.monotonic()
            item = receive.recv()
            waited += time.monotonic() - t
            if item is None:
                break
            rows, odd = item
            columns = []
            for k, fn in enumerate(convert, 1):
                values = [r[k] for r in rows]
                if fn is not None:
                    batch = getattr(fn, "batch", None)
                    values = batch(values) if batch is not None else export._each(fn, values)
                columns.append(values)
            lines = list(map(export.US.join, zip(*columns)))
            cells = odd.__getitem__  # rows holding a separator: their cells, read again
            f.write(export._csv_text(lines, width, cells).encode("utf-8"))
            n += len(rows)
    child.join()
    print(f"{n} customers in {time.monotonic() - started:.1f} s; formatting waited "
          f"{waited:.1f} s for rows")


if __name__ == "__main__":
    main()
