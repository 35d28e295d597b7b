"""Every create takes the one write path (customers/writer.py): the same body through
`POST /customers` (with or without an empty record list), the HTTP import, the CLI import and
a compatibility API comes out the same in every way a client can see: the stored customer,
GET, the ETag, the audit trail, the change feed, search, the export."""

import csv
import io
import uuid

import pytest
from conftest import assert_problem, new_company
from sync_util import custreg_cli

BODIES = [
    {
        "firstName": "Aino",
        "lastName": "Mäkinen",
        "customerReference": "r1",
        "email": "Aino@Example.fi",
        "cellularPhone": "040 123 4567",
        "street": "Hämeenkatu",
        "houseNo": "3",
        "zipCode": "33100",
        "city": "Tampere",
        "countryCode": "FI",
        "languageCode": "fi",
        "preferredChannel": "EMAIL",
    },
    {"lastName": "X"},
    {
        "customerType": "COMPANY",
        "companyName": "Oy Ab",
        "vatNumber": "FI01120389",
        "creditLimit": 5000,
        "rebate": 2.5,
        "notes": "n",
        "excluded": True,
        "homePhone": "+358 9 1234 567",
        "city": "Turku",
        "dimensions": None,
        "dateOfBirth": None,
    },
    {
        "firstName": "Matti",
        "lastName": "Virtanen",
        "idNumber": "131052-308T",
        "latitude": 60.1,
        "longitude": 24.9,
        "fullName": "Given Name",
        "customerGroup": "VIP",
        "dimensions": {"PROJ": "P1"},
    },
]
MOVING = {"customerGuid", "customerNumber", "regDate", "lastUpdatedAt", "links", "addressGuid", "id", "at", "href"}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in MOVING}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _trail(client, url):
    r = client.get(f"{url}/history")
    assert r.status_code == 200, r.text
    out = []
    for e in r.json()["value"]:
        changes = [
            {**c, "new": "*"} if c["field"] in ("customerGuid", "customerNumber", "addressGuid") else c
            for c in e["changes"]
        ]
        out.append({**_strip(e), "resource": e["resource"].split("/")[0], "changes": changes})
    return out


@pytest.fixture
def coded(client, company):
    base = f"/v1/companies/{company}/basic-details"
    assert client.put(f"{base}/customerGroups", json=[{"code": "VIP", "name": "V"}]).status_code == 200
    assert (
        client.put(
            f"{base}/dimensions", json=[{"code": "PROJ", "name": "Project", "values": [{"code": "P1", "name": "One"}]}]
        ).status_code
        == 200
    )
    # The paths write the same body more than once: identity numbers may repeat here.
    assert client.patch(f"{base}/settings", json={"uniqueIdentityNumbers": False}).status_code == 200
    return company


@pytest.mark.parametrize("body", BODIES, ids=["person", "minimal", "company", "coded"])
def test_a_body_with_and_without_an_empty_record_list_is_the_same(client, coded, body):
    url = f"/v1/companies/{coded}/customers"
    fast = client.post(url, json=body)
    orm = client.post(url, json={**body, "addresses": []})
    assert fast.status_code == orm.status_code == 201, (fast.text, orm.text)
    f, o = fast.json(), orm.json()
    assert _strip(f) == _strip(o)
    assert o["customerNumber"] == f["customerNumber"] + 1  # one sequence, nothing skipped
    assert fast.headers["ETag"] == orm.headers["ETag"] == '"1"'
    assert fast.headers["Location"] == f"{url}/{f['customerGuid']}"
    got = client.get(f"{url}/{f['customerGuid']}")
    assert got.json() == f and got.headers["ETag"] == fast.headers["ETag"]
    assert _trail(client, f"{url}/{f['customerGuid']}") == _trail(client, f"{url}/{o['customerGuid']}")
    assert _export_row(client, url, f) == _export_row(client, url, o)


def _export_row(client, url, customer) -> dict:
    r = client.get(f"{url}/export.csv", params={"includeExcluded": "true"})
    assert r.status_code == 200, r.text
    delimiter = ";" if r.text.split("\n", 1)[0].count(";") > r.text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.DictReader(io.StringIO(r.text), delimiter=delimiter))
    mine = [row for row in rows if customer["customerGuid"] in row.values()]
    assert len(mine) == 1, rows
    return {k: v for k, v in mine[0].items() if k not in MOVING}


def test_plain_create_is_found_fed_and_written_once(client, company, customers_url):
    name = f"Zq{uuid.uuid4().hex[:8]}"
    r = client.post(customers_url, json={"lastName": name, "city": "Oulu", "email": f"{name}@example.fi"})
    assert r.status_code == 201, r.text
    c = r.json()
    found = client.get(customers_url, params={"searchWord": name.lower()[:6]}).json()
    assert [x["customerGuid"] for x in found["value"]] == [c["customerGuid"]]
    listed = client.get(customers_url, params={"$filter": f"lastName eq '{name}'"}).json()
    assert listed["total"] == 1
    # the stored timestamps are the document's (both engines' own conversions)
    since = client.get(customers_url, params={"fromDate": c["lastUpdatedAt"]}).json()
    assert [x["customerGuid"] for x in since["value"]] == [c["customerGuid"]]
    assert {k: v for k, v in since["value"][0].items() if k in ("regDate", "lastUpdatedAt")} == {
        k: c[k] for k in ("regDate", "lastUpdatedAt") if k in since["value"][0]
    }
    feed = client.get(f"/v1/companies/{company}/changes").json()
    assert [(x["customerGuid"], x["op"]) for x in feed["changes"]] == [(c["customerGuid"], "upsert")]
    # and it is an ordinary customer from here on: PATCH, its records, DELETE
    url = f"{customers_url}/{c['customerGuid']}"
    p = client.patch(url, json={"firstName": "Eino"}, headers={"If-Match": '"1"'})
    assert p.status_code == 200 and p.json()["firstName"] == "Eino" and p.headers["ETag"] == '"2"'
    assert client.get(f"{url}/addresses").json()["value"][0]["city"] == "Oulu"
    assert client.delete(url).status_code == 204


def test_a_bad_plain_body_names_the_field_and_writes_nothing(client, company, customers_url):
    first = client.post(customers_url, json={"lastName": "A"}).json()
    assert_problem(client.post(customers_url, json={"lastName": "B", "email": "not-an-email"}), 422, "email")
    assert_problem(client.post(customers_url, json={"lastName": "B", "idNumber": "131052-308U"}), 422, "idNumber")
    assert_problem(client.post(customers_url, json={"lastName": "B", "customerGroup": "NOPE"}), 422, "customerGroup")
    assert client.get(f"{customers_url}/count").json()["count"] == 1
    assert client.get(f"/v1/companies/{company}/changes").json()["changes"][-1]["customerGuid"] == first["customerGuid"]
    nxt = client.post(customers_url, json={"lastName": "C"}).json()
    assert nxt["customerNumber"] == first["customerNumber"] + 1  # no number lost to the failures


def test_plain_create_with_an_idempotency_key_replays(client, customers_url):
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    a = client.post(customers_url, json={"lastName": "Once"}, headers=key)
    b = client.post(customers_url, json={"lastName": "Once"}, headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json() and a.headers["Location"] == b.headers["Location"]
    assert client.get(f"{customers_url}/count").json()["count"] == 1


def _configure(client, cuid: str) -> None:
    base = f"/v1/companies/{cuid}/basic-details"
    assert client.put(f"{base}/customerGroups", json=[{"code": "VIP", "name": "V"}]).status_code == 200
    dims = [{"code": "PROJ", "name": "Project", "values": [{"code": "P1", "name": "One"}]}]
    assert client.put(f"{base}/dimensions", json=dims).status_code == 200


def _only(client, cuid: str) -> dict:
    page = client.get(f"/v1/companies/{cuid}/customers", params={"includeExcluded": "true"}).json()
    assert page["total"] == 1, page
    return client.get(f"/v1/companies/{cuid}/customers/{page['value'][0]['customerGuid']}").json()


def _seen(client, cuid: str, customer: dict) -> dict:
    """What a client sees of one created customer, identifiers, times and actors aside."""
    url = f"/v1/companies/{cuid}/customers/{customer['customerGuid']}"
    got = client.get(url)
    trail = [{k: v for k, v in e.items() if k not in ("actorType", "actorId")} for e in _trail(client, url)]
    feed = client.get(f"/v1/companies/{cuid}/changes").json()["changes"]
    return {
        "body": _strip(got.json()),
        "etag": got.headers["ETag"],
        "trail": trail,
        "feed": [c["op"] for c in feed if c["customerGuid"] == customer["customerGuid"]],
    }


@pytest.mark.parametrize("body", BODIES, ids=["person", "minimal", "company", "coded"])
def test_every_create_path_gives_the_same_customer(client, database_url, tmp_path, body):
    """POST, HTTP import and CLI import, each in a company of its own configured alike."""
    companies = {path: new_company(client) for path in ("post", "http", "cli")}
    for cuid in companies.values():
        _configure(client, cuid)
    posted = client.post(f"/v1/companies/{companies['post']}/customers", json=body)
    assert posted.status_code == 201, posted.text
    # The CSV of the posted customer, without its identifiers, is what the imports read.
    export = client.get(f"/v1/companies/{companies['post']}/customers/export.csv", params={"includeExcluded": "true"})
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"), newline="")))
    header, row = rows[0], rows[1]
    row[header.index("customerGuid")] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, row])
    r = client.post(
        f"/v1/companies/{companies['http']}/customers/import",
        content=out.getvalue().encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    path = tmp_path / "one.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    done = custreg_cli(database_url, "import", str(path), "--company", companies["cli"])
    assert done.returncode == 0, done.stdout + done.stderr
    seen = {path: _seen(client, cuid, _only(client, cuid)) for path, cuid in companies.items()}
    assert seen["post"]["etag"] == '"1"' and len(seen["post"]["feed"]) == 1
    assert [e["operation"] for e in seen["post"]["trail"]].count("create") >= 1
    for path in ("http", "cli"):
        assert seen[path] == seen["post"], path
