"""Customer field validation over the field's libraries, and the all-or-nothing nested create."""

import datetime as dt

import pytest
from conftest import assert_problem, create_customer, new_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custreg.customers import identifiers
from custreg.customers.validation import normalize_email, normalize_phone

FI_IBAN = "FI2112345600000785"
SE_IBAN = "SE4550000000058398257466"


def post(client, url, **fields):
    fields.setdefault("lastName", "Virtanen")
    return client.post(url, json=fields)


# --- idNumber by country, birth date and gender ---------------------------------------------


def test_finnish_personal_code_fills_birth_date_and_gender(client, customers_url):
    c = create_customer(client, customers_url, idNumber=" 131052-308t ")
    assert c["idNumber"] == "131052-308T"
    assert c["dateOfBirth"] == "1952-10-13" and c["gender"] == "FEMALE"
    got = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert got["idNumber"] == "131052-308T" and got["dateOfBirth"] == "1952-10-13"


def test_finnish_personal_code_with_wrong_check_character(client, customers_url):
    assert_problem(post(client, customers_url, idNumber="131052-308X"), 422, "idNumber")


def test_swedish_company_number_on_a_swedish_company(client, customers_url):
    c = create_customer(
        client, customers_url, customerType="COMPANY", companyName="Volvo AB", countryCode="SE", idNumber="556016-0680"
    )
    assert c["idNumber"] == "556016-0680" and c["dateOfBirth"] is None


def test_norwegian_birth_number_on_a_norwegian_person(client, customers_url):
    c = create_customer(client, customers_url, countryCode="NO", idNumber="151086 95088")
    assert c["idNumber"] == "151086 95088"  # stdnum's standard format
    assert c["dateOfBirth"] == "1986-10-15" and c["gender"] == "FEMALE"


def test_danish_cpr_and_company_country_default(client):
    url = f"/v1/companies/{new_company(client, 'DK')}/customers"
    c = create_customer(client, url, idNumber="211062-5629")  # no countryCode: the company's
    assert c["idNumber"] == "211062-5629" and c["gender"] == "MALE"
    assert_problem(post(client, url, idNumber="321062-5629"), 422, "idNumber")  # no 32nd


def test_finnish_business_id_given_to_a_person_is_refused(client, customers_url):
    assert_problem(post(client, customers_url, idNumber="2077474-0"), 422, "idNumber")
    c = create_customer(client, customers_url, customerType="COMPANY", companyName="Oy Ab", idNumber="2077474-0")
    assert c["idNumber"] == "2077474-0"


def test_a_personal_code_for_a_company_is_refused(client, customers_url):
    assert_problem(
        post(client, customers_url, customerType="COMPANY", companyName="X", idNumber="131052-308T"), 422, "idNumber"
    )


def test_contradicting_birth_date_or_gender(client, customers_url):
    assert_problem(post(client, customers_url, idNumber="131052-308T", dateOfBirth="1952-10-14"), 422, "dateOfBirth")
    assert_problem(post(client, customers_url, idNumber="131052-308T", gender="MALE"), 422, "gender")
    c = create_customer(client, customers_url, idNumber="131052-308T", dateOfBirth="1952-10-13", gender="female")
    assert c["gender"] == "FEMALE"


def test_patching_the_code_rederives_the_birth_date(client, customers_url):
    c = create_customer(client, customers_url, idNumber="131052-308T")
    r = client.patch(f"{customers_url}/{c['customerGuid']}", json={"idNumber": "010101A123N"})
    assert r.status_code == 200, r.text
    assert r.json()["dateOfBirth"] == "2001-01-01" and r.json()["gender"] == "MALE"


def _hetu(born: dt.date, individual: int) -> str:
    sign = {18: "+", 19: "-", 20: "A"}[born.year // 100]
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), individual=st.integers(2, 899))
def test_any_finnish_code_gives_its_birth_date_and_gender(client, customers_url, born, individual):
    code = _hetu(born, individual)
    c = create_customer(client, customers_url, idNumber=code.lower())
    assert c["idNumber"] == code and c["dateOfBirth"] == born.isoformat()
    assert c["gender"] == ("MALE" if individual % 2 else "FEMALE")
    again = identifiers.validate_id_number(c["idNumber"], country="FI", person=True)
    assert again.value == code  # normalization is idempotent


# --- VAT, GLN -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "country,given,stored",
    [
        ("FI", "2077474-0", "FI20774740"),
        ("FI", "fi 20774740", "FI20774740"),
        ("SE", "556016-0680", "SE556016068001"),
        ("NO", "988 077 917", "NO988077917MVA"),
        ("DK", "13585628", "DK13585628"),
        ("CH", "CHE-116.281.710", "CHE116281710"),
    ],
)
def test_vat_number_forms(client, customers_url, country, given, stored):
    c = create_customer(
        client, customers_url, customerType="COMPANY", companyName="X", countryCode=country, vatNumber=given
    )
    assert c["vatNumber"] == stored


def test_invalid_vat_and_gln(client, customers_url):
    assert_problem(post(client, customers_url, vatNumber="FI12345679"), 422, "vatNumber")
    assert_problem(post(client, customers_url, vatNumber="DE123"), 422, "vatNumber")
    assert_problem(post(client, customers_url, glnNumber="6411111111114"), 422, "glnNumber")
    assert create_customer(client, customers_url, glnNumber="4006381333931")["glnNumber"] == "4006381333931"


# --- phones and e-mail ----------------------------------------------------------------------


def test_finnish_mobile_is_stored_in_e164(client, customers_url):
    c = create_customer(client, customers_url, cellularPhone="040 123 4567", countryCode="FI")
    assert c["cellularPhone"] == "+358401234567"


def test_phone_read_in_the_customers_country_else_the_companys(client, customers_url):
    c = create_customer(client, customers_url, countryCode="SE", homePhone="08-123 456 78")
    assert c["homePhone"] == "+46812345678"
    c = create_customer(client, customers_url, workPhone="09 1234 567")  # company: FI
    assert c["workPhone"] == "+35891234567"
    assert_problem(post(client, customers_url, cellularPhone="123"), 422, "cellularPhone")


def test_email_rules(client, customers_url):
    assert_problem(post(client, customers_url, email="not-an-email"), 422, "email")
    local = "a" * 48  # 48 + len("@example.com") = 60
    ok = create_customer(client, customers_url, invoiceEmailAddress=f"{local}@example.com")
    assert len(ok["invoiceEmailAddress"]) == 60
    assert_problem(post(client, customers_url, invoiceEmailAddress=f"{local}a@example.com"), 422, "invoiceEmailAddress")
    c = create_customer(client, customers_url, email="Someone@Example.COM")
    assert c["email"] == "Someone@example.com"


@settings(deadline=None)  # timings vary on a loaded machine
@given(number=st.from_regex(r"04[0-9] ?[0-9]{3} ?[0-9]{4}", fullmatch=True))
def test_phone_normalization_is_idempotent(number):
    try:
        e164 = normalize_phone(number, "FI")
    except ValueError:
        return
    assert e164.startswith("+358") and normalize_phone(e164, "SE") == e164


@settings(deadline=None)  # timings vary on a loaded machine
@given(email=st.emails())
def test_email_normalization_is_idempotent(email):
    try:
        once = normalize_email(email)
    except ValueError:
        return
    assert normalize_email(once) == once


# --- nested create --------------------------------------------------------------------------


def test_nested_create_makes_every_record(client, customers_url):
    c = create_customer(
        client,
        customers_url,
        street="Mannerheimintie 1",
        city="Helsinki",
        addresses=[{"addressType": "DELIVERY", "street": "Varasto 3", "city": "Vantaa"}],
        bankAccounts=[{"iban": FI_IBAN}, {"bban": "50000000058398257466", "countryCode": "SE", "defaultAccount": True}],
        contacts=[{"name": "Maija", "phone": "040 123 4567", "isDefault": True}],
    )
    assert c["version"] == 1
    assert sorted(a["addressType"] for a in c["addresses"]) == ["DELIVERY", "LEGAL"]
    assert [(a["iban"], a["defaultAccount"]) for a in c["bankAccounts"]] == [(FI_IBAN, False), (SE_IBAN, True)]
    assert c["contacts"][0]["phone"] == "+358401234567" and c["contacts"][0]["isDefault"]
    got = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert got["bankAccounts"] == c["bankAccounts"] and got["contacts"] == c["contacts"]
    assert got["addresses"] == c["addresses"]
    rels = {link["rel"] for link in got["links"]}
    assert {"addresses", "bank-accounts", "contacts"} <= rels


def _count_and_next(client, url) -> tuple[int, int]:
    count = client.get(f"{url}/count").json()["count"]
    probe = create_customer(client, url, lastName="Probe")
    client.delete(f"{url}/{probe['customerGuid']}")
    return count, probe["customerNumber"]


def test_nested_create_is_all_or_nothing(client, customers_url):
    first = create_customer(client, customers_url)
    r = post(
        client,
        customers_url,
        street="Katu 1",
        addresses=[{"addressType": "DELIVERY", "street": "Varasto 3"}],
        bankAccounts=[{"iban": FI_IBAN}, {"iban": "FI21 1234 5600 0007 86"}],
        contacts=[{"name": "Maija"}],
    )
    problem = assert_problem(r, 422, "bankAccounts[1].iban")
    assert [e["field"] for e in problem["errors"]] == ["bankAccounts[1].iban"]
    assert "checksum" in problem["errors"][0]["message"]
    # Nothing was kept: one customer, and the next number follows the first.
    assert client.get(f"{customers_url}/count").json()["count"] == 1
    nxt = create_customer(client, customers_url)
    assert nxt["customerNumber"] == first["customerNumber"] + 1
    page = client.get(customers_url).json()
    assert page["total"] == 2


def test_nested_create_names_every_bad_record(client, customers_url):
    r = post(
        client,
        customers_url,
        bankAccounts=[{"iban": FI_IBAN}, {"bban": "1", "countryCode": "FI"}],
        contacts=[{"name": "A", "email": "nope"}],
    )
    problem = assert_problem(r, 422, "bankAccounts[1].bban")
    assert {e["field"] for e in problem["errors"]} == {"bankAccounts[1].bban", "contacts[0].email"}
    # Shape errors are named the same way, before anything is written.
    assert_problem(
        post(client, customers_url, bankAccounts=[{"iban": FI_IBAN, "currencyCode": "EURO"}]),
        422,
        "bankAccounts[0].currencyCode",
    )
    assert_problem(post(client, customers_url, addresses=[{"countryCode": "QQ"}]), 422, "addresses[0].countryCode")
    assert_problem(
        post(client, customers_url, bankAccounts=[{"iban": FI_IBAN}, {"bban": "123456-785"}]),
        409,
        "bankAccounts[1].iban",
    )
    assert client.get(f"{customers_url}/count").json()["count"] == 0


def test_customer_put_leaves_the_records_alone(client, customers_url):
    c = create_customer(client, customers_url, bankAccounts=[{"iban": FI_IBAN}], contacts=[{"name": "A"}])
    body = {**c, "lastName": "Uusi"}
    r = client.put(f"{customers_url}/{c['customerGuid']}", json=body | {"bankAccounts": []})
    assert r.status_code == 200, r.text
    assert [a["iban"] for a in r.json()["bankAccounts"]] == [FI_IBAN] and len(r.json()["contacts"]) == 1


# --- never a 5xx ----------------------------------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(
    field=st.sampled_from(["idNumber", "vatNumber", "glnNumber", "cellularPhone", "email", "invoiceEmailAddress"]),
    value=st.text(min_size=1, max_size=40),
    country=st.sampled_from(["FI", "SE", "NO", "DK", "DE", "GR", "US", "CH"]),
    company=st.booleans(),
)
def test_any_text_is_accepted_or_refused_naming_the_field(field, value, country, company):
    from custreg.customers.validation import normalize
    from custreg.errors import Unprocessable

    values = {"lastName": "X", "countryCode": country, field: value, "customerType": "COMPANY" if company else "PERSON"}
    try:
        out = normalize(values, default_country="FI")
    except Unprocessable as exc:
        assert {e["field"] for e in exc.errors} <= {field, "dateOfBirth", "gender"}
        return
    assert normalize({**values, **out}, default_country="FI")[field] == out[field]  # idempotent
