"""Issue 26, erasure: the person's data gone from every API answer and, after `custreg
compact`, from the database files; the number, the fact of erasure and financial records stay;
retention rules refuse it."""

import uuid
from pathlib import Path

from access_util import bearer, new_client, own_app, token_for
from conftest import ADMIN, assert_problem, create_customer, new_company
from sqlalchemy.engine import make_url
from sync_util import custreg_cli

from custreg.db.migrate import upgrade

FIRST, LAST = "Zyxwanda", "Qoppalainen"
EMAIL = "zyx.qoppa@example.fi"
PHONE_NATIONAL, PHONE_E164 = "040 765 4321", "+358407654321"
HETU = "131052-308T"
SECRETS = (FIRST, LAST, EMAIL, PHONE_E164, "407654321", HETU, "131052308T")
CLOSED_MANDATE = {
    "directDebitMandateType": 3,
    "receivingBankAccountNo": "FI2112345600000785",
    "referenceNo": "MND-9",
    "validFrom": "2020-02-01",
    "validUntil": "2021-01-31",
}


def _person(client, url):
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    r = client.post(
        url,
        json={
            "firstName": FIRST,
            "lastName": LAST,
            "email": EMAIL,
            "cellularPhone": PHONE_NATIONAL,
            "idNumber": HETU,
            "street": "Qoppakatu 3",
            "city": "Oulu",
        },
        headers=key,
    )
    assert r.status_code == 201, r.text
    c = r.json()
    base = f"{url}/{c['customerNumber']}"
    assert client.patch(base, json={"email": "other@example.fi"}).status_code == 200
    assert client.patch(base, json={"email": EMAIL}).status_code == 200
    assert client.post(f"{base}/contacts", json={"name": f"{FIRST} {LAST}", "email": EMAIL}).status_code == 201
    assert client.post(f"{base}/bank-accounts", json={"iban": "FI21 1234 5600 0007 85"}).status_code == 201
    assert client.put(f"{base}/consents/EMAIL", json={"granted": True, "source": EMAIL}).status_code in (200, 201)
    r = client.post(
        f"{base}/direct-debit-mandates", json=CLOSED_MANDATE, headers={"Idempotency-Key": f"k-{uuid.uuid4()}"}
    )
    assert r.status_code == 201, r.text
    return c, base


def _answers(client, company, url, c) -> str:
    base = f"{url}/{c['customerNumber']}"
    parts = [
        client.get(base).text,
        client.get(f"{url}/{c['customerGuid']}").text,
        client.get(f"{base}/history", params={"$top": 100}).text,
        client.get(f"{base}/subject-export").text,
        client.get(f"{base}/contacts").text,
        client.get(f"{base}/consents/EMAIL/history").text,
        client.get(url, params={"searchWord": LAST, "includeExcluded": True}).text,
        client.get(f"{url}/lookup", params={"idNumber": HETU, "includeExcluded": True}).text,
        client.get(f"{url}/export.csv", params={"includeExcluded": True}).text,
        client.get(f"/v1/companies/{company}/changes").text,
    ]
    return "\n".join(parts)


def test_erase_removes_the_person_from_answers(client, company, customers_url):
    _erase_and_check(client, company, customers_url)


def test_erase_removes_the_person_from_the_database_files(database_url, tmp_path):
    """SQLite: a database of its own (the shared one stays untouched by VACUUM), whose file and
    WAL are read byte by byte after `custreg compact`."""
    if make_url(database_url).get_backend_name() != "sqlite":
        return
    path = tmp_path / "erase.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    with own_app(url) as http:
        http.headers["Authorization"] = f"Bearer {ADMIN}"
        company = new_company(http)
        _erase_and_check(http, company, f"/v1/companies/{company}/customers")
        before = path.read_bytes() + Path(f"{path}-wal").read_bytes()
        assert LAST.encode() in before or LAST.lower().encode() in before  # still in freed pages
        r = custreg_cli(url, "compact")
        assert r.returncode == 0, r.stderr
        blobs = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert len(blobs) > 0
        for secret in SECRETS:
            for form in {secret, secret.lower(), secret.upper()}:
                assert form.encode() not in blobs, form
        assert http.get(f"/v1/companies/{company}/customers/1").json()["customerNumber"] == 1


def _erase_and_check(client, company, url):
    c, base = _person(client, url)
    assert LAST in _answers(client, company, url, c)
    r = client.post(f"{base}/erase", json={"reason": "GDPR art. 17 request #42"})
    assert r.status_code == 200, r.text
    assert r.json()["customerNumber"] == c["customerNumber"] and r.json()["reason"] == "GDPR art. 17 request #42"
    assert r.json()["erasedBy"] == "admin:admin"
    seen = _answers(client, company, url, c)
    for secret in SECRETS:
        assert secret.lower() not in seen.lower(), secret
    got = client.get(base).json()
    assert got["customerNumber"] == c["customerNumber"] and got["customerGuid"] == c["customerGuid"]
    assert got["bankAccounts"] == [] and got["contacts"] == [] and got["consents"] == []
    assert [m["referenceNo"] for m in got["directDebitMandates"]] == ["MND-9"]  # bookkeeping keeps it
    trail = client.get(f"{base}/history", params={"$top": 100}).json()["value"]
    assert trail[0]["operation"] == "erase" and trail[0]["changes"][0]["new"] == "GDPR art. 17 request #42"
    assert any(e["operation"] == "create" for e in trail)  # who and when stay; the values do not
    export = client.get(f"{base}/subject-export").json()
    assert export["erasures"][0]["reason"] == "GDPR art. 17 request #42"


def test_erasure_needs_its_scope(app, client, company, customers_url):
    c = create_customer(client, customers_url, lastName="Scoped")
    writer = new_client(client, [company], ["customers:read", "customers:write", "customers:delete"])
    from fastapi.testclient import TestClient

    with TestClient(app) as http:
        headers = bearer(token_for(http, writer))
        r = http.post(f"{customers_url}/{c['customerNumber']}/erase", json={"reason": "x"}, headers=headers)
        assert_problem(r, 403)
        eraser = new_client(client, [company], ["privacy:erase"])
        headers = bearer(token_for(http, eraser))
        r = http.post(f"{customers_url}/{c['customerNumber']}/erase", json={"reason": "x"}, headers=headers)
        assert r.status_code == 200, r.text


def test_retention_rules_refuse_erasure(client, company, customers_url):
    c = create_customer(client, customers_url, lastName="Kept")
    base = f"{customers_url}/{c['customerNumber']}"
    r = client.post(f"{base}/direct-debit-mandates", json={**CLOSED_MANDATE, "validUntil": "2999-01-01"})
    assert r.status_code == 201, r.text
    body = assert_problem(client.post(f"{base}/erase", json={"reason": "asked"}), 409, "directDebitMandates")
    assert "mandate" in body["detail"]
    guid = r.json()["mandateGuid"]
    assert client.delete(f"{base}/direct-debit-mandates/{guid}").status_code == 204
    assert client.post(f"{base}/credit-insurances", json={"amount": 100}).status_code == 201
    assert_problem(client.post(f"{base}/erase", json={"reason": "asked"}), 409, "creditInsurances")
    d = create_customer(client, customers_url, lastName="Booked")
    other = f"{customers_url}/{d['customerNumber']}"
    assert client.post(f"{other}/direct-debit-mandates", json=CLOSED_MANDATE).status_code == 201
    settings = f"/v1/companies/{company}/basic-details/settings"
    assert client.patch(settings, json={"financialRetentionYears": 7}).status_code == 200
    assert_problem(client.post(f"{other}/erase", json={"reason": "asked"}), 409, "financialRetentionYears")
    assert client.get(other).json()["lastName"] == "Booked"
    assert client.patch(settings, json={"financialRetentionYears": 0}).status_code == 200
    assert client.post(f"{other}/erase", json={"reason": "asked"}).status_code == 200
