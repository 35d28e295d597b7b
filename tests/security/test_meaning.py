"""Literal meaning: searchWord's wildcards, the import's formula check, UTF-8 JSON only."""

import pytest
from conftest import assert_problem, create_customer

CSV = {"content-type": "text/csv"}


@pytest.mark.parametrize("word", ["%", "_", "*", '"', "%%", "*_*", ' " ', "-- &", "'", "\\"])
def test_search_without_a_letter_or_digit_is_400(client, customers_url, word):
    create_customer(client, customers_url)
    assert_problem(client.get(customers_url, params={"searchWord": word}), 400, "searchWord")
    assert_problem(client.get(f"{customers_url}/count", params={"searchWord": word}), 400, "searchWord")
    assert_problem(client.get(f"{customers_url}/export.csv", params={"searchWord": word}), 400, "searchWord")


@pytest.mark.parametrize("word", ["virta%", "virta_", "virta*", '"virta"', "vi%ta", "v_rta"])
def test_wildcards_are_literal(client, customers_url, word):
    """A wildcard is not a letter: it separates terms, so `vi%ta` asks for `vi` and `ta`."""
    virtanen = create_customer(client, customers_url, lastName="Virtanen")
    create_customer(client, customers_url, lastName="Korhonen")
    r = client.get(customers_url, params={"searchWord": word})
    assert r.status_code == 200, r.text
    numbers = [c["customerNumber"] for c in r.json()["value"]]
    assert virtanen["customerNumber"] not in numbers or all(
        t in "virtanen" for t in word.replace("%", " ").replace("_", " ").replace("*", " ").replace('"', " ").split()
    )
    assert len(numbers) <= 1  # never everyone


@pytest.mark.parametrize("lead", [" ", "\u00a0", "\t", "\u2007", "\u202f", "\ufeff", "\u200b", "  \u00a0"])
@pytest.mark.parametrize("formula", ["=1+1", "+SUM(A1)", "@cmd", "-1+2"])
def test_formula_with_leading_space_is_refused(client, customers_url, lead, formula):
    r = client.post(f"{customers_url}/import", content=f'lastName\n"{lead}{formula}"\n', headers=CSV)
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "lastName" and "formula" in body["errors"][0]["message"]
    assert client.get(customers_url).json()["total"] == 0


def test_plain_values_with_leading_space_pass(client, customers_url):
    r = client.post(
        f"{customers_url}/import", content="lastName,cellularPhone\n\u00a0Virtanen, +358 40 1234567\n", headers=CSV
    )
    assert r.status_code == 200 and r.json()["created"] == 1, r.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_json_in_utf_16_or_32_is_refused(client, customers_url, encoding):
    body = '{"lastName": "Virtanen"}'.encode(encoding)
    r = client.post(customers_url, content=body, headers={"content-type": "application/json"})
    assert_problem(r, 415, "Content-Type")
    assert client.get(customers_url).json()["total"] == 0


def test_json_charset_other_than_utf8_is_refused(client, customers_url):
    body = '{"lastName": "Virtanen"}'.encode("latin-1")
    r = client.post(customers_url, content=body, headers={"content-type": "application/json; charset=latin-1"})
    assert_problem(r, 415)
    r = client.post(customers_url, content=body, headers={"content-type": "application/json; charset=UTF-8"})
    assert r.status_code == 201, r.text


def test_invalid_utf8_is_a_400(client, customers_url):
    r = client.post(
        customers_url, content=b'{"lastName": "Vir\xfftanen"}', headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500, r.text
