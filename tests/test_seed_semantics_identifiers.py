"""Issue 24, items 5 and 6 (lookups): identifiers are stored in one form — python-stdnum's
standard format, a Swedish personnummer in its 12-digit form — matched in any written form
(lookups, `$filter=idNumber eq ...`, searchWord, searchByOrgNumber) and shown in the
standard format (docs/customers.md, "Identifiers"). Migration 0017 rewrites stored forms."""

import datetime as dt

from alembic import command
from conftest import create_customer, new_company
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from stdnum import luhn

from custreg.customers import identifiers
from custreg.db.migrate import config


def _filter(client, url, expr) -> list[int]:
    r = client.get(url, params={"$filter": expr})
    assert r.status_code == 200, r.text
    return sorted(c["customerNumber"] for c in r.json()["value"])


def test_swedish_personal_numbers_in_any_form_are_one(client):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/customers"
    long = create_customer(client, url, lastName="Svensson", idNumber="198112189876")
    # One number in any written form: by default a second holder is refused, naming the first.
    r = client.post(url, json={"lastName": "Svensson", "idNumber": "811218-9876"})
    assert r.status_code == 409 and r.json()["holder"]["customerNumber"] == long["customerNumber"], r.text
    settings_url = f"/v1/companies/{cuid}/basic-details/settings"
    assert client.patch(settings_url, json={"uniqueIdentityNumbers": False}).status_code == 200
    short = create_customer(client, url, lastName="Svensson", idNumber="811218-9876")
    assert long["idNumber"] == short["idNumber"] == "19811218-9876"
    assert long["dateOfBirth"] == short["dateOfBirth"] == "1981-12-18"
    both = sorted([long["customerNumber"], short["customerNumber"]])
    for written in ("8112189876", "811218-9876", "198112189876", "19811218-9876"):
        r = client.get(f"{url}/lookup", params={"idNumber": written})
        assert r.status_code == 200, r.text
        assert r.json()["customerNumber"] == both[0]
        assert _filter(client, url, f"idNumber eq '{written}'") == both
        r = client.get(url, params={"searchWord": written.replace("-", "")})
        assert sorted(c["customerNumber"] for c in r.json()["value"]) == both, written
    assert _filter(client, url, "idNumber in ('8112189876', 'nope')") == both
    assert _filter(client, url, "idNumber ne '8112189876'") == []


def test_organisation_numbers_are_shown_in_their_standard_format(client):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/customers"
    org = create_customer(client, url, customerType="COMPANY", companyName="Volvo AB", idNumber="5560360793")
    assert org["idNumber"] == "556036-0793"
    assert _filter(client, url, "idNumber eq '556036-0793'") == [org["customerNumber"]]
    assert _filter(client, url, "idNumber eq '5560360793'") == [org["customerNumber"]]
    r = client.get(f"{url}/search-by-org-number/5560360793")
    assert r.status_code == 200 and r.json()["company"] == "Volvo AB"

    fi = new_company(client, "FI")
    fi_url = f"/v1/companies/{fi}/customers"
    y = create_customer(client, fi_url, customerType="COMPANY", companyName="Oy Ab", idNumber="20774740")
    assert y["idNumber"] == "2077474-0"
    assert client.get(f"{fi_url}/{y['customerNumber']}").json()["idNumber"] == "2077474-0"
    assert (
        client.get(f"{fi_url}/lookup", params={"idNumber": "20774740"}).json()["customerNumber"] == y["customerNumber"]
    )
    # The CSV export shows the same form.
    r = client.get(f"{fi_url}/export.csv")
    assert r.status_code == 200 and "2077474-0" in r.text


def test_search_by_org_number_finds_persons(client):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/customers"
    p = create_customer(client, url, firstName="Kalle", lastName="Svensson", idNumber="811218-9876", city="Lund")
    for written in ("8112189876", "19811218-9876"):
        r = client.get(f"{url}/search-by-org-number/{written}")
        assert r.status_code == 200, r.text
        assert (r.json()["firstname"], r.json()["lastname"], r.json()["company"]) == ("Kalle", "Svensson", None)
        r = client.get(f"/compat/billmate/customers/searchByOrgNumber/{written}", headers={"X-Company": cuid})
        assert r.status_code == 200, r.text
        assert r.json()["lastname"] == "Svensson" and r.json()["city"] == "Lund"
    assert p["idNumber"] == "19811218-9876"


TODAY = dt.date.today()


@settings(max_examples=40, deadline=None)
@given(
    st.dates(min_value=TODAY.replace(year=TODAY.year - 99), max_value=TODAY - dt.timedelta(days=1)), st.integers(0, 999)
)
def test_every_written_form_of_a_personnummer_has_one_stored_form(born, serial):
    """10 or 12 digits, with or without the hyphen: one stored form (a 10-digit form names
    the latest century that does not put the birth in the future)."""
    body = f"{born:%y%m%d}{serial:03d}"
    ten = body + luhn.calc_check_digit(body)
    full = f"{born.year // 100}{ten[:6]}-{ten[6:]}"
    written = [ten, f"{ten[:6]}-{ten[6:]}", f"{born.year // 100}{ten}", full]
    assert {identifiers.normalize_id_number(w, "SE") for w in written} == {full}
    assert all(full in identifiers.forms(w) for w in written)


def test_migration_0017_rewrites_stored_forms(client, database_url):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/customers"
    p = create_customer(client, url, lastName="Svensson", idNumber="811218-9876")
    o = create_customer(client, url, customerType="COMPANY", companyName="Volvo AB", idNumber="5560360793")
    odd = create_customer(client, url, lastName="Other", idNumber="x-123", countryCode="US")  # no scheme: kept
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:  # the forms stored before 0017
        for c, old in ((p, "811218-9876"), (o, "5560360793")):
            conn.execute(
                text("UPDATE customers SET id_number = :v WHERE customer_guid = :g"),
                {
                    "v": old,
                    "g": c["customerGuid"]
                    if engine.dialect.name == "postgresql"
                    else c["customerGuid"].replace("-", ""),
                },
            )
    assert client.get(f"{url}/{o['customerNumber']}").json()["idNumber"] == "5560360793"
    engine.dispose()
    command.downgrade(config(database_url), "0014")
    command.upgrade(config(database_url), "head")
    assert client.get(f"{url}/{p['customerNumber']}").json()["idNumber"] == "19811218-9876"
    assert client.get(f"{url}/{o['customerNumber']}").json()["idNumber"] == "556036-0793"
    assert client.get(f"{url}/{odd['customerNumber']}").json()["idNumber"] == odd["idNumber"]
    r = client.get(url, params={"searchWord": "8112189876"})
    assert [c["customerNumber"] for c in r.json()["value"]] == [p["customerNumber"]]
