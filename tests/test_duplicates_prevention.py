"""Issue 26, prevention: identity numbers unique within a company (a register setting,
default on) on create, update, replace and every import path."""

from conftest import assert_problem, create_customer, new_company
from sync_util import custreg_cli

from custreg.customers.identifiers import PERSONAL

HETU = "131052-308T"
YTUNNUS = "0112038-9"


def hetus(n: int) -> list[str]:
    """n valid Finnish personal codes (checked with stdnum)."""
    out = []
    for i in range(n):
        digits = f"0101{80 + i // 800:02d}{2 + i % 800:03d}"
        code = f"{digits[:6]}-{digits[6:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"
        assert PERSONAL["FI"].module.is_valid(code)
        out.append(code)
    return out


def import_csv(client, cuid: str, text: str, mode: str | None = None):
    params = {"mode": mode} if mode else {}
    return client.post(
        f"/v1/companies/{cuid}/customers/import",
        params=params,
        content=text.encode(),
        headers={"Content-Type": "text/csv"},
    )


def test_second_customer_with_the_same_number_in_another_form_is_409(client, customers_url):
    first = create_customer(client, customers_url, lastName="First", idNumber=HETU)
    body = assert_problem(client.post(customers_url, json={"lastName": "Second", "idNumber": " 131052-308t "}), 409)
    assert body["errors"] == [{"field": "idNumber", "message": f"already used by customer {first['customerNumber']}"}]
    assert body["holder"] == {"customerNumber": first["customerNumber"], "customerGuid": first["customerGuid"]}
    org = create_customer(client, customers_url, customerType="COMPANY", companyName="Oy", idNumber=YTUNNUS)
    r = client.post(customers_url, json={"customerType": "COMPANY", "companyName": "Ab", "idNumber": "01120389"})
    assert assert_problem(r, 409, "idNumber")["holder"]["customerNumber"] == org["customerNumber"]
    assert client.get(f"{customers_url}/count").json() == {"count": 2}


def test_update_and_replace_to_a_held_number_are_409_and_keeping_ones_own_is_not(client, customers_url):
    first = create_customer(client, customers_url, lastName="First", idNumber=HETU)
    other = create_customer(client, customers_url, lastName="Other")
    url = f"{customers_url}/{other['customerNumber']}"
    body = assert_problem(client.patch(url, json={"idNumber": HETU}), 409, "idNumber")
    assert str(first["customerNumber"]) in body["detail"]
    assert_problem(client.put(url, json={"lastName": "Other", "idNumber": HETU}), 409, "idNumber")
    assert client.get(url).json()["idNumber"] is None
    own = f"{customers_url}/{first['customerNumber']}"
    r = client.patch(own, json={"email": "first@example.fi"})
    assert r.status_code == 200, r.text
    r = client.put(own, json={"lastName": "First", "idNumber": HETU})
    assert r.status_code == 200, r.text


def test_the_setting_turns_the_rule_off_and_is_per_company(client, company, customers_url):
    settings_url = f"/v1/companies/{company}/basic-details/settings"
    assert client.get(settings_url).json() == {"uniqueIdentityNumbers": True, "financialRetentionYears": 0}
    create_customer(client, customers_url, idNumber=HETU)
    other = new_company(client)
    create_customer(client, f"/v1/companies/{other}/customers", idNumber=HETU)  # another company: allowed
    r = client.patch(settings_url, json={"uniqueIdentityNumbers": False})
    assert r.status_code == 200 and r.json()["uniqueIdentityNumbers"] is False
    create_customer(client, customers_url, idNumber=HETU)
    assert client.get(f"{customers_url}/count").json() == {"count": 2}
    assert_problem(client.patch(settings_url, json={"unknown": 1}), 422)


def test_http_import_twice_creates_nothing_the_second_time(client, company):
    codes = hetus(30)
    text = "lastName,idNumber\r\n" + "".join(f"Person {i},{c}\r\n" for i, c in enumerate(codes))
    r = import_csv(client, company, text)
    assert r.status_code == 200 and r.json()["created"] == 30, r.text
    body = assert_problem(import_csv(client, company, text), 422)
    assert body["created"] == 0 and body["failed"] == 30
    assert {e["field"] for e in body["errors"]} == {"idNumber"}
    r = import_csv(client, company, text, mode="valid-rows")
    assert r.status_code == 200 and r.json()["created"] == 0 and r.json()["failed"] == 30, r.text
    assert client.get(f"/v1/companies/{company}/customers/count").json() == {"count": 30}


def test_one_file_repeating_a_number_reports_the_later_row(client, company):
    codes = hetus(5)
    rows = [f"P{i},{c}" for i, c in enumerate(codes)] + [f"Again,{codes[2].lower()}"]
    text = "lastName,idNumber\r\n" + "\r\n".join(rows) + "\r\n"
    body = assert_problem(import_csv(client, company, text), 422)
    assert body["errors"][0]["row"] == 7 and body["errors"][0]["field"] == "idNumber"
    r = import_csv(client, company, text, mode="valid-rows")
    assert r.json()["created"] == 5 and r.json()["errors"][0]["row"] == 7, r.text


def test_cli_import_twice_creates_nothing_the_second_time(client, company, database_url, tmp_path):
    path = tmp_path / "people.csv"
    codes = hetus(12)
    path.write_text("lastName,idNumber\r\n" + "".join(f"Cli {i},{c}\r\n" for i, c in enumerate(codes)))
    r = custreg_cli(database_url, "import", str(path), "--company", company)
    assert r.returncode == 0, r.stderr
    r = custreg_cli(database_url, "import", str(path), "--company", company)
    assert r.returncode == 1 and "nothing was written" in r.stderr
    r = custreg_cli(database_url, "import", str(path), "--company", company, "--mode", "valid-rows")
    assert r.returncode == 1
    assert client.get(f"/v1/companies/{company}/customers/count").json() == {"count": 12}
