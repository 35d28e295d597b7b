"""`custreg import --errors FILE`: every refused row's errors as CSV (row, field, value,
message), the cell named by the field included, however many there are; the rows are
numbered as the report numbers them (the header is row 1)."""

import csv
import io

import pytest
from conftest import new_company
from sync_util import csv_rows, custreg_cli

from custreg.sync import import_rows


def _file(path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["lastName", "email", "cellularPhone", "notes"])
        w.writerows(rows)


@pytest.mark.parametrize("mode", ["all-or-nothing", "valid-rows"])
def test_every_refused_row_is_written_with_its_value(client, database_url, tmp_path, mode):
    cuid = new_company(client)
    path, out = tmp_path / "in.csv", tmp_path / "errors.csv"
    _file(
        path,
        [
            ["Good", "good@example.fi", "+358401234567", ""],
            ["Mail", "not an e-mail", "", ""],
            ["", "", "", "no name"],
            ["Phone", "", "12", "=HYPERLINK(1)"],
            ["Short", "x@example.fi"],
            ["Good2", "good2@example.fi", "", ""],
        ],
    )
    r = custreg_cli(database_url, "import", str(path), "--company", cuid, "--mode", mode, "--errors", str(out))
    assert r.returncode == 1, r.stdout + r.stderr
    got = csv_rows(out.read_text(encoding="utf-8"))
    by_row = {}
    for e in got:
        by_row.setdefault(int(e["row"]), []).append((e["field"], e["value"]))
    assert sorted(by_row) == [3, 4, 5, 6]
    assert ("email", "not an e-mail") in by_row[3]
    assert {f for f, _ in by_row[4]} >= {"lastName"}
    assert by_row[5] == [("notes", "'=HYPERLINK(1)")]  # a formula-like value is neutralized in the file
    assert by_row[6] == [("row", "")]  # the wrong number of cells
    assert all(e["message"] for e in got)
    created = client.get(f"/v1/companies/{cuid}/customers").json()["total"]
    assert created == (2 if mode == "valid-rows" else 0)


def test_more_errors_than_the_report_lists(client, database_url, tmp_path):
    cuid = new_company(client)
    path, out = tmp_path / "in.csv", tmp_path / "errors.csv"
    n = import_rows.MAX_REPORTED + 25
    _file(path, [[f"Bad{i}", f"bad {i}", "", ""] for i in range(n)])
    r = custreg_cli(database_url, "import", str(path), "--company", cuid, "--errors", str(out))
    assert r.returncode == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["row", "field", "value", "message"] and len(rows) == n + 1
    assert rows[-1][:3] == [str(n + 1), "email", f"bad {n - 1}"]
