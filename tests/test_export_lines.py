"""Stored CSV lines (`customer_csv_lines`, migration 0013): each customer's export line is
written with its stored document (API writes, the bulk import) and deleted by triggers
whenever the customer's row, one of its addresses or external ids changes, whoever writes.
The export serves the stored lines as they are and formats the others from the columns: the
bytes are the same either way, and always those of the customers as they are now."""

import uuid

import pytest
from conftest import new_company
from sqlalchemy import text
from sync_util import custreg_cli
from test_export_format import expected_csv, full, make_tricky
from test_export_import import fresh_company
from test_import_documents import _configure, _csv

from custreg.sync import csv_format


def _lines(app, cuid: str) -> dict[str, str]:
    """{customer GUID (as stored): its stored line} of a company."""
    with app.state.db.engine.connect() as conn:
        return {
            str(g): line
            for g, line in conn.execute(
                text(
                    "SELECT c.customer_guid, l.line FROM customer_csv_lines l "
                    "JOIN customers c ON c.id = l.customer_id JOIN companies co ON co.id = c.company_id "
                    "WHERE co.cuid = :cuid"
                ),
                {"cuid": cuid},
            )
        }


def _count(app, cuid: str) -> int:
    with app.state.db.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM customers c JOIN companies co ON co.id = c.company_id WHERE co.cuid = :cuid"),
            {"cuid": cuid},
        ).scalar()


def _forget(app, cuid: str) -> None:
    with app.state.db.engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM customer_csv_lines WHERE customer_id IN (SELECT c.id FROM "
                "customers c JOIN companies co ON co.id = c.company_id WHERE co.cuid = :cuid)"
            ),
            {"cuid": cuid},
        )


def _export(client, cuid: str) -> bytes:
    r = client.get(f"/v1/companies/{cuid}/customers/export.csv", params={"includeExcluded": "true"})
    assert r.status_code == 200, r.text
    return r.content


def test_api_writes_store_lines_and_the_export_does_not_depend_on_them(app, client):
    cuid = fresh_company(client)
    make_tricky(client, cuid)
    n = _count(app, cuid)
    assert len(_lines(app, cuid)) == n, "every customer written through the API has its line"
    stored = _export(client, cuid)
    assert stored == expected_csv(full(client, cuid))
    _forget(app, cuid)
    assert _export(client, cuid) == stored  # formatted from the columns: the same bytes
    # Half of them stored again (a PATCH that changes something renders the document and
    # the line; an empty one is no change): mixed batches.
    url = f"/v1/companies/{cuid}/customers"
    for c in full(client, cuid)[::2]:
        changed = {"notes": f"{c.get('notes') or ''} again"}
        assert client.patch(f"{url}/{c['customerGuid']}", json=changed).status_code == 200
    assert 0 < len(_lines(app, cuid)) < n
    assert _export(client, cuid) == expected_csv(full(client, cuid))


def test_changes_through_any_endpoint_show_in_the_export(app, client):
    cuid = fresh_company(client)
    url = f"/v1/companies/{cuid}/customers"
    c = client.post(
        url,
        json={
            "lastName": "Lines",
            "street": "Katu 1",
            "city": "Oulu",
            "zipCode": "90100",
            "countryCode": "FI",
            "externalSystemId": 7,
            "externalSystemIdentifier": "ext-1",
        },
    ).json()
    other = client.post(url, json={"lastName": "Other"}).json()
    one = f"{url}/{c['customerNumber']}"
    steps = [
        lambda: client.patch(one, json={"firstName": "=Changed", "notes": 'a, "b"'}),
        lambda: client.patch(one, json={"street": "Uusikatu 2"}),
        lambda: client.post(
            f"{url}/{other['customerNumber']}/external-ids",
            json={"externalSystemId": 6, "externalSystemIdentifier": "other-6"},
        ),
    ]
    for step in steps:
        r = step()
        assert r.status_code in (200, 201), r.text
        assert _export(client, cuid) == expected_csv(full(client, cuid))
    ext = client.get(f"{one}/external-ids").json()["value"][0]["externalIdGuid"]
    assert client.delete(f"{one}/external-ids/{ext}").status_code == 204
    assert _export(client, cuid) == expected_csv(full(client, cuid))
    addresses = client.get(f"{one}/addresses").json()["value"]
    assert client.delete(f"{one}/addresses/{addresses[0]['addressGuid']}").status_code == 204
    body = _export(client, cuid)
    assert body == expected_csv(full(client, cuid))
    assert b"Uusikatu" not in body and b"ext-1" not in body


def test_writes_by_another_tool_are_exported_as_they_are(app, client):
    """Triggers, not the API, delete the line: a row changed with plain SQL exports as it
    is now, its customer row, main address or external id alike."""
    cuid = fresh_company(client)
    url = f"/v1/companies/{cuid}/customers"
    made = [
        client.post(
            url,
            json={
                "lastName": f"Tool {i}",
                "street": "Katu",
                "city": "Oulu",
                "externalSystemId": 3,
                "externalSystemIdentifier": f"t-{i}",
            },
        ).json()
        for i in range(4)
    ]
    assert len(_lines(app, cuid)) == 4
    guids = [uuid.UUID(m["customerGuid"]) for m in made]
    with app.state.db.engine.begin() as conn:
        ids = [
            conn.execute(
                text("SELECT id FROM customers WHERE customer_guid = :g"),
                {"g": g.hex if conn.dialect.name == "sqlite" else g},
            ).scalar()
            for g in guids
        ]
        conn.execute(text("UPDATE customers SET notes = 'by a tool' WHERE id = :i"), {"i": ids[0]})
        conn.execute(text("UPDATE addresses SET street = 'Tool Street' WHERE customer_id = :i"), {"i": ids[1]})
        conn.execute(
            text("UPDATE external_ids SET external_system_identifier = 'tool-ext' WHERE customer_id = :i"),
            {"i": ids[2]},
        )
    assert len(_lines(app, cuid)) == 1  # only the untouched customer keeps its line
    body = _export(client, cuid)
    for needle in (b"by a tool", b"Tool Street", b"tool-ext"):
        assert needle in body
    _forget(app, cuid)
    assert _export(client, cuid) == body


def test_lines_of_another_format_are_not_used(app, client):
    cuid = fresh_company(client)
    url = f"/v1/companies/{cuid}/customers"
    client.post(url, json={"lastName": "Format"})
    with app.state.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE customer_csv_lines SET line_format = :f, line = 'stale\r\n'"),
            {"f": csv_format.LINE_FORMAT + 1},
        )
    body = _export(client, cuid)
    assert b"stale" not in body and body == expected_csv(full(client, cuid))


def test_api_import_stores_lines(app, client):
    cuid = new_company(client)
    _configure(client, cuid)
    r = client.post(
        f"/v1/companies/{cuid}/customers/import", content=_csv().encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 200 and r.json()["created"] == 44, r.text
    assert len(_lines(app, cuid)) == 44
    stored = _export(client, cuid)
    assert stored == expected_csv(full(client, cuid))
    _forget(app, cuid)
    assert _export(client, cuid) == stored


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_import_stores_lines(app, client, database_url, tmp_path, jobs):
    cuid = new_company(client)
    _configure(client, cuid)
    path = tmp_path / "customers.csv"
    path.write_text(_csv(), encoding="utf-8")
    r = custreg_cli(database_url, "import", str(path), "--company", cuid, "--jobs", jobs)
    assert r.returncode == 0, r.stderr
    assert len(_lines(app, cuid)) == 44
    stored = _export(client, cuid)
    assert stored == expected_csv(full(client, cuid))
    _forget(app, cuid)
    assert _export(client, cuid) == stored


def test_cli_lines_stores_the_missing_ones(app, client, database_url):
    """`custreg lines`: a register from before migration 0013 (no lines) gets them, per
    company; the export's bytes do not change."""
    cuid = fresh_company(client)
    other = fresh_company(client)
    make_tricky(client, cuid)
    client.post(f"/v1/companies/{other}/customers", json={"lastName": "Elsewhere"})
    _forget(app, cuid)
    _forget(app, other)
    before = _export(client, cuid)
    r = custreg_cli(database_url, "lines", "--company", cuid)
    assert r.returncode == 0, r.stderr
    assert len(_lines(app, cuid)) == _count(app, cuid) and not _lines(app, other)
    assert _export(client, cuid) == before == expected_csv(full(client, cuid))
    r = custreg_cli(database_url, "lines")  # every company; nothing left to do for the first
    assert r.returncode == 0, r.stderr
    assert len(_lines(app, other)) == 1
    assert custreg_cli(database_url, "lines", "--company", "no-such").returncode == 2
