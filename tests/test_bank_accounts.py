"""Bank accounts: IBAN/BBAN/BIC derived through schwifty, one default account per customer."""

import uuid
from random import Random

import pytest
from conftest import assert_problem, create_customer, new_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from custreg.bank_accounts.numbers import derive, expand_fi

# Known-good accounts: (IBAN, BBAN, BIC) per country.
KNOWN = {
    "FI": ("FI2112345600000785", "12345600000785", "NDEAFIHH"),
    "SE": ("SE4550000000058398257466", "50000000058398257466", "ESSESESS"),
    "NO": ("NO9386011117947", "86011117947", "DABANO22"),
    "DK": ("DK5000400440116243", "00400440116243", "NDEADKKK"),
    "DE": ("DE89370400440532013000", "370400440532013000", "COBADEFFXXX"),
    "NL": ("NL91ABNA0417164300", "ABNA0417164300", "ABNANL2A"),
}


@pytest.fixture
def accounts_url(client, customers_url) -> str:
    c = create_customer(client, customers_url)
    return f"{customers_url}/{c['customerNumber']}/bank-accounts"


def test_iban_derives_bban_bic_and_country(client, accounts_url):
    r = client.post(accounts_url, json={"iban": "FI21 1234 5600 0007 85"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["iban"] == "FI2112345600000785"
    assert a["bban"] == "12345600000785" and a["bic"] == "NDEAFIHH" and a["countryCode"] == "FI"
    assert a["defaultAccount"] is True  # the first account is the default
    assert r.headers["Location"].endswith(a["accountGuid"])
    assert client.get(f"{accounts_url}/{a['accountGuid']}").json() == a


@pytest.mark.parametrize(
    "body",
    [
        {"bban": "12345600000785", "countryCode": "FI"},
        {"bban": "123456-785", "countryCode": "FI"},  # the Finnish short form people type
        {"bban": "1234 5600 0007 85", "countryCode": "FI"},
        {"bban": "123456-785"},  # no countryCode: the customer's, else the company's (FI)
    ],
)
def test_bban_gives_the_same_iban(client, accounts_url, body):
    r = client.post(accounts_url, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["iban"] == "FI2112345600000785" and r.json()["bic"] == "NDEAFIHH"


def test_swedish_bban_gives_the_right_check_digits(client, accounts_url):
    r = client.post(accounts_url, json={"bban": "50000000058398257466", "countryCode": "SE"})
    assert r.status_code == 201, r.text
    assert r.json()["iban"] == "SE4550000000058398257466" and r.json()["countryCode"] == "SE"


def test_iban_generate_would_have_been_wrong_for_sweden():
    # Why the service builds IBANs with from_bban: generate pads the parts and silently
    # produces another check digit for this Swedish account.
    good = IBAN("SE4550000000058398257466")
    generated = IBAN.generate("SE", bank_code=good.bank_code, account_code=good.account_code)
    assert generated.compact != good.compact
    assert derive(iban=None, bban="50000000058398257466", country="SE").iban == "SE4550000000058398257466"


@pytest.mark.parametrize("country", sorted(KNOWN))
def test_known_good_accounts_per_country(client, accounts_url, country):
    iban, bban, bic = KNOWN[country]
    spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower()
    a = client.post(accounts_url, json={"iban": spaced}).json()
    assert (a["iban"], a["bban"], a["bic"], a["countryCode"]) == (iban, bban, bic, country)
    client.delete(f"{accounts_url}/{a['accountGuid']}")
    b = client.post(accounts_url, json={"bban": bban, "countryCode": country}).json()
    assert (b["iban"], b["bban"], b["bic"], b["countryCode"]) == (iban, bban, bic, country)


def test_finnish_short_form_expansion():
    assert expand_fi("123456-785") == "12345600000785"  # zeros after the 6th digit
    assert expand_fi("500015-28") == "50001520000008"  # OP (5): after the 7th
    assert expand_fi("423456-78") == "42345670000008"  # savings banks (4): after the 7th
    assert expand_fi("12345600000785") == "12345600000785"
    assert derive(iban=None, bban="500015-28", country="FI").iban == "FI4450001520000008"
    assert derive(iban=None, bban="500015-28", country="FI").bic == "OKOYFIHH"


@settings(deadline=None)  # timings vary on a loaded machine
@given(head=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True), tail=st.from_regex(r"[0-9]{2,8}", fullmatch=True))
def test_finnish_expansion_keeps_the_digits_and_is_idempotent(head, tail):
    full = expand_fi(f"{head}-{tail}")
    assert len(full) == 14 and full.isdigit() and full.startswith(head)
    cut = 7 if head[0] in "45" else 6
    pad = 14 - len(head) - len(tail)
    assert full[cut : cut + pad] == "0" * pad and full[:cut] + full[cut + pad :] == head + tail
    assert expand_fi(full) == full


@settings(deadline=None, max_examples=150)
@given(country=st.sampled_from(sorted(KNOWN)), seed=st.integers(0, 10**9))
def test_derivation_is_idempotent(country, seed):
    iban = IBAN.random(country, random=Random(seed))
    a = derive(iban=iban.formatted, bban=None, country=None)
    assert derive(iban=a.iban, bban=None, country=None) == a
    assert derive(iban=None, bban=a.bban, country=country) == a


@pytest.mark.parametrize(
    "body,field,why",
    [
        ({"iban": "FI21 1234 5600 0007 86"}, "iban", "checksum"),
        ({"iban": "FI22 1234 5600 0007 85"}, "iban", "checksum"),
        ({"iban": "FI21 1234 5600 0007"}, "iban", "length"),
        ({"iban": "XX21 1234 5600 0007 85"}, "iban", "country"),
        ({"bban": "123456789", "countryCode": "US"}, "bban", "without IBANs"),
        ({"bban": "12345600000786", "countryCode": "FI"}, "bban", "checksum"),
        ({"bban": "1234", "countryCode": "SE"}, "bban", "length"),
        ({"bban": "310000-03", "countryCode": "FI"}, "bban", "unknown bank"),
        ({"iban": "NL56XXXX0417164300"}, "iban", "unknown bank"),
        ({"countryCode": "FI", "currencyCode": "EUR"}, "iban", "required"),
        ({"iban": "FI2112345600000785", "currencyCode": "XYZ"}, "currencyCode", "ISO 4217"),
        ({"iban": "GB82WEST12345698765432", "bic": "NOT A BIC"}, "bic", "BIC"),
    ],
)
def test_invalid_account_is_422_naming_field_and_why(client, accounts_url, body, field, why):
    problem = assert_problem(client.post(accounts_url, json=body), 422, field)
    messages = " ".join(e["message"] for e in problem["errors"] if e["field"] == field)
    assert why.lower() in messages.lower(), problem


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.text(max_size=40))
def test_any_text_is_an_account_or_a_422(client, accounts_url, number):
    r = client.post(accounts_url, json={"iban": number})
    assert r.status_code in (201, 409, 422), r.text
    r = client.post(accounts_url, json={"bban": number, "countryCode": "FI"})
    assert r.status_code in (201, 409, 422), r.text


def test_unknown_bank_outside_the_registry_keeps_a_given_bic(client, accounts_url):
    r = client.post(accounts_url, json={"iban": "GB82 WEST 1234 5698 7654 32", "bic": "nwbkgb2l"})
    assert r.status_code == 201, r.text
    assert r.json()["bic"] == "NWBKGB2L" and r.json()["countryCode"] == "GB"


def test_iban_wins_over_given_bban_bic_and_country(client, accounts_url):
    r = client.post(
        accounts_url,
        json={"iban": "FI2112345600000785", "bban": "1", "bic": "ESSESESS", "countryCode": "SE", "currencyCode": "eur"},
    )
    assert r.status_code == 201, r.text
    a = r.json()
    assert (a["bban"], a["bic"], a["countryCode"], a["currencyCode"]) == ("12345600000785", "NDEAFIHH", "FI", "EUR")


def test_bban_is_read_in_the_customers_country(client, customers_url):
    c = create_customer(client, customers_url, countryCode="SE", street="Drottninggatan 1")
    url = f"{customers_url}/{c['customerGuid']}/bank-accounts"
    r = client.post(url, json={"bban": "50000000058398257466"})
    assert r.status_code == 201, r.text
    assert r.json()["iban"] == "SE4550000000058398257466"


def test_one_default_account_and_customer_moves(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/bank-accounts"
    first = client.post(url, json={"iban": KNOWN["FI"][0]}).json()
    second = client.post(url, json={"iban": KNOWN["SE"][0]}).json()
    assert first["defaultAccount"] is True and second["defaultAccount"] is False
    before = client.get(f"{customers_url}/{c['customerGuid']}").json()
    third = client.post(url, json={"iban": KNOWN["NO"][0], "defaultAccount": True}).json()
    after = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert third["defaultAccount"] is True
    defaults = [a["accountGuid"] for a in after["bankAccounts"] if a["defaultAccount"]]
    assert defaults == [third["accountGuid"]]
    assert after["version"] > before["version"] and after["lastUpdatedAt"] >= before["lastUpdatedAt"]
    # Making the first the default again through PUT unsets the third.
    r = client.put(f"{url}/{first['accountGuid']}", json={"iban": KNOWN["FI"][0], "defaultAccount": True})
    assert r.status_code == 200, r.text
    assert client.get(f"{url}/{third['accountGuid']}").json()["defaultAccount"] is False
    page = client.get(url, params={"$filter": "defaultAccount eq true"}).json()
    assert page["total"] == 1 and page["value"][0]["accountGuid"] == first["accountGuid"]


def test_replace_all_clears_and_path_id_wins(client, accounts_url):
    a = client.post(accounts_url, json={"iban": KNOWN["FI"][0], "currencyCode": "EUR"}).json()
    r = client.put(
        f"{accounts_url}/{a['accountGuid']}",
        json={"bban": KNOWN["DE"][1], "countryCode": "DE", "accountGuid": str(uuid.uuid4())},
    )
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["accountGuid"] == a["accountGuid"] and b["iban"] == KNOWN["DE"][0]
    assert b["currencyCode"] is None  # missing clears
    assert b["defaultAccount"] is True  # no other default: it stays the default
    assert_problem(client.put(f"{accounts_url}/{a['accountGuid']}", json={"currencyCode": "EUR"}), 422, "iban")


def test_same_account_twice_is_a_conflict(client, accounts_url):
    assert client.post(accounts_url, json={"iban": KNOWN["FI"][0]}).status_code == 201
    assert_problem(client.post(accounts_url, json={"bban": "123456-785", "countryCode": "FI"}), 409, "iban")


def test_list_filter_order_delete(client, accounts_url):
    for country in ("FI", "SE", "NL"):
        client.post(accounts_url, json={"iban": KNOWN[country][0]})
    page = client.get(accounts_url, params={"$filter": "countryCode ne 'SE'", "$orderby": "iban desc"}).json()
    assert page["total"] == 2 and [a["countryCode"] for a in page["value"]] == ["NL", "FI"]
    assert_problem(client.get(accounts_url, params={"$filter": "secret eq 1"}), 400)
    guid = page["value"][0]["accountGuid"]
    assert client.delete(f"{accounts_url}/{guid}").status_code == 204
    assert_problem(client.get(f"{accounts_url}/{guid}"), 404)
    assert_problem(client.get(f"{accounts_url}/not-a-guid"), 404)


def test_deleting_the_customer_deletes_its_accounts_and_contacts(client, customers_url):
    c = create_customer(client, customers_url, bankAccounts=[{"iban": KNOWN["FI"][0]}], contacts=[{"name": "A"}])
    assert client.delete(f"{customers_url}/{c['customerGuid']}").status_code == 204
    assert_problem(client.get(f"{customers_url}/{c['customerGuid']}/bank-accounts"), 404)
    # The same account may now belong to a new customer of the company.
    d = create_customer(client, customers_url, bankAccounts=[{"iban": KNOWN["FI"][0]}])
    assert d["bankAccounts"][0]["iban"] == KNOWN["FI"][0]


def test_openapi_names_the_new_resources(anon):
    paths = anon.get("/openapi.json").json()["paths"]
    base = "/v1/companies/{cuid}/customers/{customer}"
    assert f"{base}/bank-accounts/{{accountGuid}}" in paths and f"{base}/contacts/{{contactGuid}}" in paths


def test_customer_links_and_other_company(client, customers_url):
    c = create_customer(client, customers_url, bankAccounts=[{"iban": KNOWN["FI"][0]}])
    assert {"rel": "bank-accounts", "href": f"{customers_url}/{c['customerGuid']}/bank-accounts"} in c["links"]
    other = new_company(client)
    r = client.get(f"/v1/companies/{other}/customers/{c['customerGuid']}/bank-accounts")
    assert_problem(r, 404)
