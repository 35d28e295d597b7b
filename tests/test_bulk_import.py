"""The batched import (sync/bulk.py, issue 8) writes exactly what the per-row path writes:
the same report and the same stored customers whether the rows are validated here or in
worker processes, and a batch the database refuses is retried row by row."""

import csv
import io
import uuid

from conftest import new_company
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from custreg.companies import service as companies
from custreg.db.inserts import Rows
from custreg.sync import importer

HEADER = [
    "customerGuid",
    "customerType",
    "firstName",
    "lastName",
    "companyName",
    "idNumber",
    "street",
    "city",
    "zipCode",
    "countryCode",
    "cellularPhone",
    "email",
    "paymentTerms",
    "externalSystemId",
    "externalSystemIdentifier",
    "parentCustomer",
]


def _csv() -> str:
    g = [str(uuid.uuid4()) for _ in range(6)]
    rows = [
        [
            g[0],
            "PERSON",
            "Åsa",
            "Åström",
            "",
            "",
            "Storgatan 1",
            "Göteborg",
            "411 01",
            "SE",
            "+46701234567",
            "asa@example.se",
            "NET14",
            "6",
            "woo-1",
            "",
        ],
        [
            g[1],
            "COMPANY",
            "",
            "",
            "Mäkinen Rakennus Oy",
            "0737546-2",
            "Hämeenkatu 3",
            "Tampere",
            "33100",
            "FI",
            "",
            "info@example.fi",
            "NET30",
            "",
            "",
            "",
        ],
        [g[2], "PERSON", "Bad", "Phone", "", "", "", "", "", "FI", "12345", "", "", "", "", ""],
        [g[3], "PERSON", "Bad", "Code", "", "", "", "", "", "FI", "", "", "NET99", "", "", ""],
        ["", "PERSON", "No", "Guid", "", "", "", "Oulu", "90100", "FI", "", "", "", "", "", ""],
        [
            g[0],
            "PERSON",
            "Åsa",
            "Åström-Berg",
            "",
            "",
            "Storgatan 1",
            "Göteborg",
            "411 01",
            "SE",
            "+46701234567",
            "asa@example.se",
            "NET14",
            "6",
            "woo-1",
            "",
        ],  # updates row 2
        [
            str(uuid.uuid4()),
            "PERSON",
            "Other",
            "Guid",
            "",
            "",
            "",
            "",
            "",
            "FI",
            "",
            "",
            "",
            "6",
            "woo-1",
            "",
        ],  # the external id belongs to another customer
        [g[4], "PERSON", "Child", "Later", "", "", "", "", "", "FI", "", "", "", "", "", g[5]],
        [g[5], "PERSON", "Parent", "Later", "", "", "", "", "", "FI", "", "", "", "", "", ""],
        ["x", "y"],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _import(app, cuid: str, data: str, **kw):
    db = app.state.db
    with db.session(write=True) as session:
        company = companies.get(session, cuid)
        report = importer.run(session, company, io.StringIO(data, newline=""), "valid-rows", **kw)
        session.commit()
    return report


def _stored(app, cuid: str) -> list[tuple]:
    with app.state.db.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT c.customer_number, c.full_name, c.last_name, c.company_name, c.id_number, "
                    "c.cellular_phone, c.email, c.payment_terms, c.search_text, c.version, "
                    "c.parent_customer IS NOT NULL, a.street, a.city, a.country_code, "
                    "(SELECT min(e.external_system_identifier) FROM external_ids e WHERE e.customer_id = c.id), "
                    "(SELECT count(*) FROM change_log l WHERE l.company_id = c.company_id "
                    "AND l.customer_guid = c.customer_guid) "
                    "FROM customers c JOIN companies co ON co.id = c.company_id "
                    "LEFT JOIN addresses a ON a.customer_id = c.id WHERE co.cuid = :cuid "
                    "ORDER BY c.customer_number"
                ),
                {"cuid": cuid},
            )
        ]


def _errors(report) -> list[tuple]:
    return [(e["row"], e["field"]) for e in report.errors]


def test_worker_processes_give_the_same_import(app, client):
    data = _csv()
    here, there = new_company(client), new_company(client)
    a = _import(app, here, data)
    b = _import(app, there, data, jobs=2)
    assert (a.rows, a.created, a.updated, a.failed) == (b.rows, b.created, b.updated, b.failed) == (10, 5, 1, 4)
    assert _errors(a) == _errors(b) == [(4, "cellularPhone"), (5, "paymentTerms"), (8, "customerGuid"), (11, "row")]
    assert _stored(app, here) == _stored(app, there)
    rows = _stored(app, here)
    assert [r[2] for r in rows] == ["Åström-Berg", None, "Guid", "Later", "Later"]
    assert rows[0][8].startswith("1 ") and "astrom-berg" in rows[0][8] and rows[0][9] == 2
    assert bool(rows[3][10])  # the parent named before it existed is set at the end


def test_a_refused_batch_is_retried_row_by_row(app, client, monkeypatch):
    calls = {"n": 0}
    real = Rows.write

    def refuse_once(self, session, rows):
        real(self, session, rows)
        if self.name == "change_log" and calls["n"] == 0:
            calls["n"] += 1
            raise IntegrityError("INSERT", {}, Exception("refused for the test"))

    monkeypatch.setattr(Rows, "write", refuse_once)
    data = _csv()
    batched, fallback = new_company(client), new_company(client)
    report = _import(app, fallback, data)
    monkeypatch.setattr(Rows, "write", real)
    expected = _import(app, batched, data)
    assert calls["n"] == 1
    assert (report.created, report.updated, report.failed) == (expected.created, expected.updated, expected.failed)
    assert _stored(app, fallback) == _stored(app, batched)
