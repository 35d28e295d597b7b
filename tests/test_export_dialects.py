"""Issue 22: the CSV export's excel dialect (`;` between cells, a UTF-8 BOM) for Nordic
spreadsheets, byte for byte against an independent rendering, over HTTP and the CLI, and
back in through the import, which reads `;` files too."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_util import custreg_cli
from test_export_format import CELL, full, make_tricky, text_of
from test_export_import import all_customers, comparable, export_csv, fresh_company, import_csv

from custreg.sync.csv_format import COLUMNS, neutralize

# The cells the issue names: `;`, quotes, a formula, non-ASCII letters; and a comma, line breaks.
AWKWARD = {
    "lastName": 'Öberg; "Åsa" & Søn',
    "firstName": '=HYPERLINK("http://x";"y")',
    "companyName": "Mäkinen, Kärkkäinen; Ærø",
    "notes": 'rivi 1; "lainaus"\r\nrivi 2, ø æ å ä ö\n@SUM(A1)',
    "street": "'Apostrophe",
    "city": "-Tromsø",
    "cellularPhone": "+358401234567",
    "dimensions": {"PROJ": "P1"},
}


def excel_cell(text: str) -> str:
    """docs/export.md: quoted when it holds `,` `;` `"` CR or LF, quotes doubled."""
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',;"\r\n') else text


def expected_excel(customers: list[dict]) -> bytes:
    lines = [";".join(COLUMNS)]
    for c in customers:
        lines.append(";".join(excel_cell(neutralize(text_of(n, c.get(n)) or "")) for n in COLUMNS))
    text = "\ufeff" + "".join(line + "\r\n" for line in lines)
    # What a spreadsheet (or Python's csv module) reads back: the same cells.
    parsed = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";", strict=True))
    assert parsed[1:] == [[neutralize(text_of(n, c.get(n)) or "") for n in COLUMNS] for c in customers]
    return text.encode("utf-8")


def test_excel_dialect_bytes_of_tricky_customers(client):
    cuid = fresh_company(client)
    make_tricky(client, cuid)
    url = f"/v1/companies/{cuid}/customers"
    customers = full(client, cuid)

    r = client.get(f"{url}/export.csv", params={"includeExcluded": "true", "dialect": "excel"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content == expected_excel(customers)
    assert r.content.startswith(b"\xef\xbb\xbfcustomerGuid;customerNumber;customerType;")

    picked = [customers[3], customers[1], customers[7]]
    r = client.post(f"{url}/export.csv", params={"dialect": "excel"}, json=[c["customerGuid"] for c in picked])
    assert r.content == expected_excel(sorted(picked, key=lambda c: c["customerNumber"]))

    # The default is the comma dialect, unchanged; an unknown dialect is a 400 naming it.
    plain = client.get(f"{url}/export.csv", params={"includeExcluded": "true"}).content
    assert client.get(f"{url}/export.csv", params={"includeExcluded": "true", "dialect": "rfc4180"}).content == plain
    assert not plain.startswith(b"\xef\xbb\xbf") and plain.startswith(b"customerGuid,customerNumber,")
    bad = client.get(f"{url}/export.csv", params={"dialect": "tsv"})
    assert bad.status_code == 400 and "dialect" in bad.text


def test_excel_export_imports_back_over_http(client):
    src = fresh_company(client)
    url = f"/v1/companies/{src}/customers"
    made = client.post(url, json=AWKWARD)
    assert made.status_code == 201, made.text
    client.post(url, json={"lastName": "Plain", "firstName": "Aino"})
    text = export_csv(client, src, dialect="excel")
    assert text.startswith("\ufeff") and "'=HYPERLINK" in text and "'+358401234567" in text

    dst = fresh_company(client)
    r = import_csv(client, dst, text)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["failed"]) == (2, 0)
    before, after = all_customers(client, src), all_customers(client, dst)
    assert {g: comparable(c) for g, c in after.items()} == {g: comparable(c) for g, c in before.items()}
    assert after[made.json()["customerGuid"]]["firstName"] == AWKWARD["firstName"]
    # Once more, out and in: the same bytes but the register's own columns.
    assert export_csv(client, dst, dialect="excel").count(";") == text.count(";")


def test_semicolon_import_reads_past_an_unreadable_row(client):
    cuid = fresh_company(client)
    lines = [
        "\ufefflastName;firstName;notes",
        "Virtanen;Aino;a, b",
        'Bad;"unterminated" quote;x',  # strict CSV: a quote inside a quoted cell's end
        'Öberg;Åsa;"x; ""y"""',
        "",
        "Kärkkäinen;Eino;",
    ]
    r = import_csv(client, cuid, "\r\n".join(lines) + "\r\n", mode="valid-rows")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["failed"]) == (3, 1), body
    assert [e["row"] for e in body["errors"]] == [3]
    people = {c["lastName"]: c for c in all_customers(client, cuid).values()}
    assert people["Öberg"]["notes"] == 'x; "y"' and people["Virtanen"]["notes"] == "a, b"
    assert set(people) == {"Virtanen", "Öberg", "Kärkkäinen"}


def test_cli_export_in_the_excel_dialect(database_url, client, tmp_path):
    src = fresh_company(client)
    url = f"/v1/companies/{src}/customers"
    assert client.post(url, json=AWKWARD).status_code == 201
    out = tmp_path / "excel.csv"
    r = custreg_cli(database_url, "export", "--company", src, "--dialect", "excel", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == client.get(f"{url}/export.csv", params={"dialect": "excel"}).content
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcustomerGuid;")

    dst = fresh_company(client)
    r = import_csv(client, dst, out.read_bytes())
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    (before,), (after,) = all_customers(client, src).values(), all_customers(client, dst).values()
    assert comparable(after) == comparable(before)
    by_cli = fresh_company(client)  # `custreg import` reads the `;` file too
    r = custreg_cli(database_url, "import", str(out), "--company", by_cli)
    assert r.returncode == 0 and "all rows written" in r.stdout + r.stderr, r.stdout + r.stderr
    (again,) = all_customers(client, by_cli).values()
    assert comparable(again) == comparable(before)

    for args in (["--dialect", "tsv"], ["--dialect", "excel", "--format", "xml"]):
        r = custreg_cli(database_url, "export", "--company", src, *args, "-o", str(tmp_path / "x"))
        assert r.returncode == 2 and "--dialect" in r.stderr, r.stderr


@given(st.lists(st.tuples(CELL, CELL, st.one_of(st.none(), CELL), st.one_of(st.none(), CELL)), min_size=1, max_size=4))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_arbitrary_text_in_the_excel_dialect_is_exact_and_imports_back(client, rows):
    src = fresh_company(client)
    url = f"/v1/companies/{src}/customers"
    for last, first, notes, company in rows:
        body = {"lastName": last, "firstName": first, "notes": notes, "companyName": company}
        r = client.post(url, json={k: v for k, v in body.items() if v is not None})
        assert r.status_code in (201, 422), r.text
    customers = full(client, src)
    text = client.get(f"{url}/export.csv", params={"dialect": "excel"}).content
    assert text == expected_excel(customers)
    dst = fresh_company(client)
    r = import_csv(client, dst, text)
    assert r.status_code == 200, r.text
    after = all_customers(client, dst)
    assert [comparable(after[c["customerGuid"]]) for c in customers] == [
        comparable(c) for c in all_customers(client, src).values()
    ]
