"""The export's bytes, cell by cell: CSV and XML compared byte for byte with an independent
rendering of docs/export.md built from the full GET of each customer (the stdlib csv
writer, the documented value formats, the formula prefix, the XML escapes). Tricky cells:
formula-like text, quotes, commas, line breaks, tabs, unicode, plain negative numbers, floats
in exponent form, decimals, JSON dimensions, empty text vs NULL, and text the API itself
refuses (control characters written by another tool)."""

import csv
import io
import json
import re
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, literal_column, select, update
from sync_util import custreg_cli, http, live_server
from test_export_import import fresh_company

from custreg.companies.models import Company
from custreg.customers.models import Customer, CustomerCsvLine
from custreg.sync.csv_format import COLUMNS, neutralize

DECIMALS = {"rebate": 2, "creditLimit": 2}


def text_of(name: str, value) -> str | None:
    """A value of the full GET (JSON) as docs/export.md writes it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in DECIMALS:
        return f"{Decimal(str(value)):.{DECIMALS[name]}f}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def full(client, cuid: str) -> list[dict]:
    """Every customer's full GET, in customer number order."""
    url = f"/v1/companies/{cuid}/customers"
    page = client.get(url, params={"$top": 100, "includeExcluded": "true", "$orderby": "customerNumber"}).json()
    out = []
    for item in page["value"]:
        r = client.get(f"{url}/{item['customerGuid']}")
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


def expected_csv(customers: list[dict], overrides: dict | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for c in customers:
        values = {**c, **(overrides or {}).get(c["customerGuid"], {})}
        w.writerow([neutralize(text_of(n, values.get(n)) or "") for n in COLUMNS])
    return buf.getvalue().encode("utf-8")


XML_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
    "\r": "&#13;",
    "\t": "&#9;",
    "\ufffe": "\ufffd",
    "\uffff": "\ufffd",
}


def esc(text: str) -> str:
    return "".join(XML_ESCAPES.get(ch, ch) for ch in text)


def expected_xml(customers: list[dict], cuid: str, exported_at: str, overrides: dict | None = None) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<customers company="{esc(cuid)}" exportedAt="{exported_at}">\n',
    ]
    for c in customers:
        values = {**c, **(overrides or {}).get(c["customerGuid"], {})}
        out.append("  <customer>\n")
        for n in COLUMNS:
            v = values.get(n)
            if v is None:
                continue
            if n == "dimensions":
                out.append("    <dimensions>\n")
                for code in sorted(v):
                    out.append(f'      <dimension code="{esc(code)}">{esc(str(v[code]))}</dimension>\n')
                out.append("    </dimensions>\n")
            else:
                out.append(f"    <{n}>{esc(text_of(n, v))}</{n}>\n")
        out.append("  </customer>\n")
    out.append("</customers>\n")
    return "".join(out).encode("utf-8")


def exported_at(body: bytes) -> str:
    return re.search(rb'exportedAt="([^"]+)"', body).group(1).decode()


TRICKY = [
    "=1+2",
    "+plus",
    "-minus",
    "-12.5",
    "-7",
    "-1e-05",
    "-1.5e+20",
    "@at",
    "'apos",
    "''",
    "＝fullwidth",
    "＋358",
    "－x",
    "＠y",
    'Quote "Q" here',
    '"',
    "Comma, Oy",
    ",",
    "a;b",
    "multi\nline",
    "CR\r\nLF",
    "tab\there",
    "Åsa Öberg 😀 漢字 עברית",
    "<&>'\"",
    '=HYPERLINK("http://x","y")',
    "x\u2028y",
    "nbsp\u00a0in",
    "trailing \\",
]


def make_tricky(client, cuid: str) -> None:
    url = f"/v1/companies/{cuid}/customers"
    parent = client.post(
        url, json={"lastName": "Parent", "latitude": 60.0, "longitude": -0.5, "rebate": "0", "creditLimit": "0.01"}
    ).json()
    for i, name in enumerate(TRICKY):
        body = {
            "lastName": name,
            "firstName": TRICKY[(i + 5) % len(TRICKY)],
            "notes": f'{name}\r\n{TRICKY[(i + 1) % len(TRICKY)]}, line "{i}"',
            "street": TRICKY[(i + 3) % len(TRICKY)],
            "city": "Helsinki",
            "zipCode": "00100",
            "countryCode": "FI",
            "cellularPhone": "+358401234567" if i % 2 else None,
            "workPhone": "09 123 4567" if i % 3 == 0 else None,
            "email": f"user{i}@example.fi",
            "rebate": ["12.5", "100", None, "0.01"][i % 4],
            "creditLimit": ["15000", None, "123456789.99", "0"][i % 4],
            "latitude": [-33.8688, 1e-05, -1.5e-07, None, 89.999999][i % 5],
            "longitude": [None, 24.9384, -180.0, -1e-05][i % 4],
            "reverseTax": [True, False, None][i % 3],
            "handlingCharge": [None, True, False][i % 3],
            "excluded": i % 7 == 3,
            "dateOfBirth": "1955-02-03" if i % 2 else None,
            "dimensions": [None, {"PROJ": "P1"}, {"PROJ": "P2", "DEPT": "D1"}][i % 3],
            "customerGroup": [None, "VIP", "STD"][i % 3],
            "customerReference": f"ref, {i}" if i % 2 else None,
            "parentCustomer": parent["customerGuid"] if i % 4 == 1 else None,
        }
        if i % 3 == 1:
            body["externalSystemId"] = 7
            body["externalSystemIdentifier"] = f"=shop-{i}"
        r = client.post(url, json={k: v for k, v in body.items() if v is not None})
        assert r.status_code == 201, (name, r.text)


def test_csv_and_xml_bytes_of_tricky_customers(client):
    cuid = fresh_company(client)
    make_tricky(client, cuid)
    url = f"/v1/companies/{cuid}/customers"
    customers = full(client, cuid)
    assert len(customers) == len(TRICKY) + 1

    r = client.get(f"{url}/export.csv", params={"includeExcluded": "true"})
    assert r.status_code == 200
    assert r.content == expected_csv(customers)

    r = client.get(f"{url}/export.xml", params={"includeExcluded": "true"})
    assert r.status_code == 200
    assert r.content == expected_xml(customers, cuid, exported_at(r.content))

    # The same through the query parameters and the selected export (other statements).
    listed = [c for c in customers if not c["excluded"]]
    assert client.get(f"{url}/export.csv").content == expected_csv(listed)
    desc = client.get(f"{url}/export.csv", params={"$orderby": "customerNumber desc", "includeExcluded": "true"})
    assert desc.content == expected_csv(customers[::-1])
    picked = [customers[3], customers[1], customers[7]]
    r = client.post(f"{url}/export.csv", json=[c["customerGuid"] for c in picked])
    assert r.content == expected_csv(sorted(picked, key=lambda c: c["customerNumber"]))
    r = client.post(f"{url}/export.xml", json=[c["customerNumber"] for c in picked])
    assert r.content == expected_xml(sorted(picked, key=lambda c: c["customerNumber"]), cuid, exported_at(r.content))


def test_empty_text_and_separators_written_by_another_tool(client, database_url):
    """Values the API would refuse or never store (empty strings, control characters,
    U+FFFE) when another tool wrote them into the database: exported exactly as well."""
    cuid = fresh_company(client)
    url = f"/v1/companies/{cuid}/customers"
    made = [client.post(url, json={"lastName": f"Raw {i}", "notes": "x"}).json() for i in range(5)]
    raw = {
        made[0]["customerGuid"]: {"notes": "", "firstName": ""},
        made[1]["customerGuid"]: {"notes": "unit\x1fsep,\x1erecord", "firstName": "\x1f"},
        made[2]["customerGuid"]: {"notes": "\x02tag\x03 <a> \ufffe \uffff", "firstName": "\x1e=x"},
        made[3]["customerGuid"]: {"notes": "\t=tab first", "firstName": "\n-1"},
    }
    customers = full(client, cuid)  # before: the list's read model refuses such values
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for guid, values in raw.items():
                conn.execute(
                    update(Customer)
                    .where(Customer.customer_guid == uuid.UUID(guid))
                    .values(notes=values["notes"], first_name=values["firstName"])
                )
    finally:
        engine.dispose()
    assert client.get(f"{url}/export.csv").content == expected_csv(customers, raw)
    r = client.get(f"{url}/export.xml")
    assert r.content == expected_xml(customers, cuid, exported_at(r.content), raw)


CELL = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(list("=+-@'\"\t\n\r,;<>&＝＋－＠ 0123456789.e")),
    min_size=1,
    max_size=25,
)


@given(
    st.lists(
        st.tuples(
            CELL,
            CELL,
            st.one_of(st.none(), CELL),
            # SQLite stores -0.0 as 0 (the GET's stored document keeps the sign)
            st.one_of(st.none(), st.floats(-90, 90, allow_nan=False).map(lambda x: x + 0.0)),
        ),
        min_size=1,
        max_size=5,
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_arbitrary_text_is_exported_byte_for_byte(client, rows):
    cuid = fresh_company(client)
    url = f"/v1/companies/{cuid}/customers"
    for last, first, notes, lat in rows:
        body = {"lastName": last, "firstName": first, "notes": notes, "latitude": lat}
        r = client.post(url, json={k: v for k, v in body.items() if v is not None})
        assert r.status_code in (201, 422), r.text
    customers = full(client, cuid)
    assert client.get(f"{url}/export.csv").content == expected_csv(customers)
    r = client.get(f"{url}/export.xml")
    assert r.content == expected_xml(customers, cuid, exported_at(r.content))


def test_downloads_stopped_early_release_their_connections(client, database_url):
    """A client that goes away after the first chunk closes the export's generator, which
    returns its connection: after more abandoned downloads than the pool holds, a whole
    export and a write still go through (a real server, so the downloads really stop)."""
    cuid = fresh_company(client)
    rows = 7000  # several batches (export.BATCH = 1000)
    body = "lastName,firstName\r\n" + "".join(f"Left {i},Early\r\n" for i in range(rows))
    r = client.post(
        f"/v1/companies/{cuid}/customers/import",
        params={"mode": "valid-rows"},
        content=body.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200 and r.json()["created"] == rows, r.text
    url = f"/v1/companies/{cuid}/customers"
    with live_server(database_url) as base, http(base) as h:
        for i in range(30):
            with h.stream("GET", f"{url}/export.{'csv' if i % 2 else 'xml'}") as r:
                assert r.status_code == 200
                next(r.iter_bytes())
        r = h.get(f"{url}/export.csv", timeout=120)
        assert r.status_code == 200 and r.text.count("\r\n") == rows + 1
        assert h.post(url, json={"lastName": "After"}).status_code == 201


def test_odd_values_export_the_same_from_stored_lines_and_from_columns(client, database_url):
    """Values another tool wrote (control characters in the data, a date SQLite stores in a
    form of its own) give the same CSV whether the customers' lines are stored or are
    formatted from their columns at export time."""
    cuid = fresh_company(client)
    make_tricky(client, cuid)
    url = f"/v1/companies/{cuid}/customers"
    made = client.post(url, json={"lastName": "Raw", "notes": "x"}).json()
    week = client.post(url, json={"lastName": "Week"}).json()
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(Customer)
                .where(Customer.customer_guid == uuid.UUID(made["customerGuid"]))
                .values(notes="unit\x1fsep,\x1erecord", first_name="\x1e=x")
            )
            if engine.dialect.name == "sqlite":  # a text column there: a non-canonical date,
                # read through the column type's own conversion
                conn.execute(
                    update(Customer)
                    .where(Customer.customer_guid == uuid.UUID(week["customerGuid"]))
                    .values(date_of_birth=literal_column("'1990-W01-2'"))
                )
    finally:
        engine.dispose()
    # Triggers deleted the changed customers' lines: `custreg lines` stores them again.
    assert custreg_cli(database_url, "lines", "--company", cuid).returncode == 0
    params = {"includeExcluded": "true", "$orderby": "lastName desc"}
    stored = client.get(f"{url}/export.csv", params=params)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            company = select(Customer.id).join(Company).where(Company.cuid == cuid)
            assert conn.execute(delete(CustomerCsvLine).where(CustomerCsvLine.customer_id.in_(company))).rowcount
    finally:
        engine.dispose()
    formatted = client.get(f"{url}/export.csv", params=params)
    assert formatted.status_code == stored.status_code == 200
    assert formatted.content == stored.content
    rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8"), newline="")))
    assert len(rows) == len(TRICKY) + 4  # header, parent, the tricky ones, raw, week
    if database_url.startswith("sqlite"):
        assert "1990-01-02" in {r[rows[0].index("dateOfBirth")] for r in rows}
