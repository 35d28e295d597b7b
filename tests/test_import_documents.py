"""Customers created by the CSV import get their stored document in the same batch
(customers/document.py, sync/bulk.py): a GET right after the import is one indexed read,
and its body is exactly what the live rendering (read.detail) gives for that customer —
through the API's import (one process) and the CLI's (worker processes)."""

import csv
import io
import uuid

import pytest
from conftest import count_statements, new_company
from sqlalchemy import text
from sync_util import custreg_cli

from custreg.companies import service as companies
from custreg.customers import read
from custreg.customers import service as customers

HEADER = [
    "customerGuid",
    "customerType",
    "customerReference",
    "firstName",
    "middleName",
    "lastName",
    "companyName",
    "fullName",
    "idNumber",
    "vatNumber",
    "dateOfBirth",
    "street",
    "houseNo",
    "city",
    "zipCode",
    "countryCode",
    "cellularPhone",
    "workPhone",
    "email",
    "languageCode",
    "currencyCode",
    "preferredChannel",
    "customerGroup",
    "dimensions",
    "rebate",
    "creditLimit",
    "reverseTax",
    "underAged",
    "notes",
    "latitude",
    "longitude",
    "excluded",
    "externalSystemId",
    "externalSystemIdentifier",
]


def _rows() -> list[list[str]]:
    rows = [
        [
            str(uuid.uuid4()),
            "PERSON",
            "R1",
            "Åsa",
            "",
            "Åström",
            "",
            "",
            "",
            "",
            "1980-02-29",
            "Storgatan",
            "12 B",
            "Göteborg",
            "411 01",
            "SE",
            "+46701234567",
            "",
            "Asa@Example.SE",
            "sv",
            "SEK",
            "EMAIL",
            "VIP",
            '{"PROJ": "P1"}',
            "12.5",
            "1000",
            "true",
            "false",
            'Says "hi" \\ back, ünïcödé ✓ and\nnew line',
            "57.70887",
            "11.97456",
            "",
            "6",
            "woo-1",
        ],
        [
            str(uuid.uuid4()),
            "COMPANY",
            "",
            "",
            "",
            "",
            "Mäkinen Rakennus Oy",
            "",
            "0737546-2",
            "FI07375462",
            "",
            "",
            "",
            "",
            "",
            "FI",
            "",
            "09 1234567",
            "info@example.fi",
            "fi",
            "EUR",
            "E-INVOICE",
            "",
            "",
            "",
            "250000.75",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "PERSON",
            "",
            "Liisa",
            "Maria",
            "Virtanen",
            "",
            "Dr. Liisa Virtanen",
            "",
            "",
            "",
            "",
            "",
            "Oulu",
            "90100",
            "FI",
            "040 123 4567",
            "",
            "",
            "",
            "",
            "",
            "STD",
            "",
            "0",
            "",
            "false",
            "",
            "",
            "-0.5",
            "180",
            "true",
            "6",
            "woo-2",
        ],
        [
            str(uuid.uuid4()),
            "PERSON",
            "",
            "Ole",
            "",
            "Hansen",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "NO",
            "+4791234567",
            "",
            "ole@example.no",
            "nb",
            "NOK",
            "SMS",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    for i in range(40):  # enough rows for a few cached values and the template's checks
        rows.append(
            [
                str(uuid.uuid4()),
                "PERSON",
                f"R{100 + i}",
                ["Matti", "Zoë", "Jörg"][i % 3],
                "",
                f"Virtanen {i % 5}",
                "",
                "",
                "",
                "",
                "",
                "Katu",
                str(i),
                "Vaasa",
                "65100",
                "FI",
                f"+35840{2000000 + i}",
                "",
                f"m{i}@example.fi",
                "fi",
                "EUR",
                "LETTER",
                "",
                "",
                "",
                str(i * 10),
                "",
                "",
                "",
                "63.1",
                "21.6",
                "",
                "",
                "",
            ]
        )
    return rows


def _csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_rows())
    return out.getvalue()


def _configure(client, cuid: str) -> None:
    r = client.put(
        f"/v1/companies/{cuid}/basic-details/dimensions",
        json=[{"code": "PROJ", "name": "Project", "values": [{"code": "P1", "name": "One"}]}],
    )
    assert r.status_code == 200, r.text
    r = client.put(
        f"/v1/companies/{cuid}/basic-details/customerGroups",
        json=[{"code": "VIP", "name": "Very important"}, {"code": "STD", "name": "Standard"}],
    )
    assert r.status_code == 200, r.text


def _check_documents(app, client, cuid: str, n: int) -> None:
    with app.state.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.customer_guid, d.body IS NOT NULL FROM customers c "
                "JOIN companies co ON co.id = c.company_id "
                "LEFT JOIN customer_documents d ON d.customer_id = c.id WHERE co.cuid = :cuid"
            ),
            {"cuid": cuid},
        ).all()
    assert len(rows) == n
    assert all(stored for _, stored in rows), "every imported customer has a stored document"
    url = f"/v1/companies/{cuid}/customers"
    for guid in [str(uuid.UUID(str(g))) for g, _ in rows]:
        with count_statements(app) as seen:
            got = client.get(f"{url}/{guid}")
        assert got.status_code == 200, got.text
        assert not any("addresses" in s for s in seen), "the stored document is served as is"
        with app.state.db.session(write=False) as session:
            company = companies.get(session, cuid)
            live = read.detail(customers.get(session, company, guid), cuid)
            assert got.text == live.model_dump_json(), guid
            assert got.headers["ETag"] == f'"{live.version}"'


def test_api_import_stores_each_customers_document(app, client):
    cuid = new_company(client)
    _configure(client, cuid)
    r = client.post(
        f"/v1/companies/{cuid}/customers/import", content=_csv().encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 44 and r.json()["failed"] == 0, r.json()
    _check_documents(app, client, cuid, 44)
    # The live and the stored rendering also agree after a write renders it anew.
    guid = client.get(f"/v1/companies/{cuid}/customers", params={"$top": 1}).json()["value"][0]["customerGuid"]
    before = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()
    r = client.patch(f"/v1/companies/{cuid}/customers/{guid}", json={})
    assert r.status_code == 200, r.text
    after = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()
    for doc in (before, after):  # what a write moves
        for key in ("version", "lastUpdatedAt"):
            doc.pop(key)
        for a in doc["addresses"]:
            a.pop("lastUpdatedAt")
    assert before == after


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_import_stores_each_customers_document(app, client, database_url, tmp_path, jobs):
    cuid = new_company(client)
    _configure(client, cuid)
    path = tmp_path / "customers.csv"
    path.write_text(_csv(), encoding="utf-8")
    r = custreg_cli(database_url, "import", str(path), "--company", cuid, "--jobs", jobs)
    assert r.returncode == 0, r.stderr
    _check_documents(app, client, cuid, 44)
