"""The reading side of a large SQLite export, run as `python -m custreg.sync.export_reader`
(sync/export.py `_process_batches` says why a process). It gets the job as a pickle on
stdin and writes one pickle per batch of rows to stdout, then None, or {"failed": text}.

Stdlib only until a row needs a Python conversion (a stored value not in the canonical form
SQLite's string functions can copy, or a row whose data holds a separator): a bare Python
adds ≈ 10 MB to the server's memory, a Python with custreg and SQLAlchemy loaded ≈ 70 MB."""

import pickle
import sqlite3
import sys

US, RS = "\x1f", "\x1e"  # the unit and record separators the SQL puts between cells and runs
FETCH = 1000


def odd_rows(
    rows: list, runs: list[tuple[int, int]], separators: int, cells_again, stored_at: int | None = None
) -> dict:
    """{row index: its cells read again} for the rows whose runs of cells do not split
    cleanly (their data holds US or RS); `runs` are (position in the row, cells in the run).
    Rows with a stored line at `stored_at` have no runs and are skipped."""
    live = rows if stored_at is None else [r for r in rows if r[stored_at] is None]
    if not live:
        return {}
    text = RS.join([r[k] for r in live for k, _w in runs])
    odd: dict[int, list] = {}
    if text.count(US) != len(live) * separators or text.count(RS) != len(live) * len(runs) - 1:
        for i, r in enumerate(rows):
            if stored_at is not None and r[stored_at] is not None:
                continue
            if any(r[k].count(US) != w - 1 or RS in r[k] for k, w in runs):
                odd[i] = cells_again(r[0])
    return odd


class _Converters:
    """The export's Python converters of every column (SQLite's), loaded at first use only."""

    _convert = None

    def __getitem__(self, i: int):
        if self._convert is None:
            from sqlalchemy.dialects import sqlite

            from custreg.sync.export import _plan

            self._convert = _plan(sqlite.dialect(), None).convert
        return self._convert[i]


def batches(job: dict):
    """(rows, odd rows' cells) per batch of `job["sql"]`, in one read transaction."""
    from custreg.db import sqlite_functions

    convert = _Converters()
    conn = sqlite3.connect(job["path"], timeout=job["timeout"], isolation_level=None, check_same_thread=False)
    try:
        sqlite_functions.register(conn)
        conn.create_function("custreg_export_cell", 2, lambda i, v: convert[i](v), deterministic=True)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("BEGIN")
        by_id_sql, by_id_params, id_at = job["by_id"]

        def cells_again(customer_id: int) -> list:
            params = list(by_id_params)
            params[id_at] = customer_id
            row = conn.execute(by_id_sql, params).fetchone()
            return [convert[i](v) for i, v in enumerate(row)]

        cursor = conn.execute(job["sql"], job["params"])
        while rows := cursor.fetchmany(FETCH):
            yield rows, odd_rows(rows, job["runs"], job["separators"], cells_again, job["stored_at"])
    finally:
        conn.rollback()
        conn.close()


def main() -> None:
    out = sys.stdout.buffer
    try:
        for batch in batches(pickle.load(sys.stdin.buffer)):
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
    except BrokenPipeError:  # the download stopped
        return
    except BaseException as exc:
        pickle.dump({"failed": f"{type(exc).__name__}: {exc}"}, out)
    out.flush()


if __name__ == "__main__":
    main()
