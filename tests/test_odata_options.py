"""Issue 22: OData list options and transport — unsupported `$` options are 400s,
`$select`, `nextLink`, gzip."""

import gzip
from urllib.parse import unquote

import pytest
from conftest import assert_problem, create_customer

IDENTIFIERS = {"customerGuid", "customerNumber", "version", "links"}


def test_select_keeps_the_named_fields_and_the_identifiers(client, customers_url):
    c = create_customer(client, customers_url, lastName="Virtanen", firstName="Aino", email="aino@example.fi")
    page = client.get(customers_url, params={"$select": "lastName,email"}).json()
    (item,) = page["value"]
    assert set(item) == {"lastName", "email"} | IDENTIFIERS
    assert item["lastName"] == "Virtanen" and item["email"] == "aino@example.fi"
    assert item["customerGuid"] == c["customerGuid"] and item["links"] == c["links"][:1]  # self
    assert page["count"] == page["total"] == 1

    r = client.get(f"{customers_url}/{c['customerNumber']}", params={"$select": " email , lastName"})
    assert r.status_code == 200, r.text
    one = r.json()
    assert set(one) == {"lastName", "email"} | IDENTIFIERS
    full = client.get(f"{customers_url}/{c['customerNumber']}")
    assert one == {k: full.json()[k] for k in one} and list(one) == [k for k in full.json() if k in one]
    assert r.headers["etag"] == full.headers["etag"] == '"1"'
    # A field of the whole customer only (its records) on the single GET.
    one = client.get(f"{customers_url}/{c['customerNumber']}", params={"$select": "addresses"}).json()
    assert set(one) == {"addresses"} | IDENTIFIERS


def test_without_select_the_bodies_are_unchanged(client, customers_url):
    """The single GET is whole; a list item is the summary, as the GET shows it (its self link)."""
    c = create_customer(client, customers_url, lastName="Korhonen")
    full = client.get(f"{customers_url}/{c['customerNumber']}").json()
    item = client.get(customers_url).json()["value"][0]
    assert item == {k: full[k] for k in item} | {"links": full["links"][:1]}
    assert "email" in item and "addresses" not in item and full == c


@pytest.mark.parametrize("select", ["lastName,nope", "addresses", "", "lastName,,email"])
def test_unknown_select_field_is_400_naming_select(client, customers_url, select):
    create_customer(client, customers_url)
    r = client.get(customers_url, params={"$select": select})
    body = assert_problem(r, 400, "$select")
    assert "nope" in body["errors"][0]["message"] or select != "lastName,nope"


def test_unknown_select_field_on_single_get(client, customers_url):
    c = create_customer(client, customers_url)
    assert_problem(client.get(f"{customers_url}/{c['customerNumber']}", params={"$select": "bogus"}), 400, "$select")


@pytest.mark.parametrize("option", ["$search", "$expand", "$foo", "$count", "$format"])
def test_unsupported_options_are_400_naming_them(client, customers_url, option):
    c = create_customer(client, customers_url, lastName="Virtanen")
    for url in (
        customers_url,
        f"{customers_url}/{c['customerNumber']}",
        f"{customers_url}/{c['customerNumber']}/addresses",
        f"{customers_url}/count",
        "/v1/companies",
    ):
        assert_problem(client.get(url, params={option: "virtanen"}), 400, option)


def test_select_is_unsupported_where_not_offered(client, customers_url):
    c = create_customer(client, customers_url)
    assert_problem(client.get(f"{customers_url}/{c['customerNumber']}/addresses", params={"$select": "street"}), 400)


def test_two_unsupported_options_are_both_named(client, customers_url):
    r = client.get(customers_url, params={"$search": "x", "$expand": "addresses", "$top": 2})
    body = assert_problem(r, 400)
    assert {e["field"] for e in body["errors"]} == {"$search", "$expand"}


def test_next_link_walks_the_pages(client, customers_url):
    made = [create_customer(client, customers_url, lastName=f"Page{i}")["customerNumber"] for i in range(5)]
    params = {"$top": 2, "$orderby": "customerNumber", "$select": "lastName"}
    page = client.get(customers_url, params=params).json()
    seen = [c["customerNumber"] for c in page["value"]]
    links = []
    while "nextLink" in page:
        links.append(page["nextLink"])
        r = client.get(page["nextLink"])
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page["value"][0]) == {"lastName"} | IDENTIFIERS  # the options are kept
        seen += [c["customerNumber"] for c in page["value"]]
    assert seen == made and len(links) == 2
    assert links[0].startswith(customers_url + "?") and links[0].endswith("&$skip=2") and links[1].endswith("&$skip=4")
    assert page["count"] == 1 and page["skip"] == 4 and "nextLink" not in page


def test_the_fast_page_is_the_model_rendering(client, customers_url):
    from custreg.customers.schemas import CustomerSummary
    from custreg.paging import Page

    for i in range(3):
        create_customer(client, customers_url, lastName=f"Model{i}", creditLimit="10.5")
    for params in ({"$top": 2}, {"$top": 2, "$skip": 2}, {}):
        r = client.get(customers_url, params=params)
        assert r.content == Page[CustomerSummary].model_validate(r.json()).model_dump_json(exclude_unset=True).encode()
    assert "nextLink" in client.get(customers_url, params={"$top": 2}).json()


def test_last_or_only_page_has_no_next_link(client, customers_url):
    for i in range(3):
        create_customer(client, customers_url, lastName=f"Only{i}")
    assert "nextLink" not in client.get(customers_url).json()
    assert "nextLink" not in client.get(customers_url, params={"$top": 3}).json()
    assert "nextLink" not in client.get(customers_url, params={"$top": 0}).json()
    assert "nextLink" not in client.get(customers_url, params={"$skip": 10}).json()
    assert "nextLink" in client.get(customers_url, params={"$top": 2}).json()


def test_record_lists_carry_next_link(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/addresses"
    for city in ("Oulu", "Turku", "Vaasa"):
        assert client.post(url, json={"addressType": "DELIVERY", "city": city}).status_code == 201
    page = client.get(url, params={"$top": 2}).json()
    assert unquote(page["nextLink"]) == f"{url}?$top=2&$skip=2"
    rest = client.get(page["nextLink"]).json()
    assert rest["count"] == 1 and "nextLink" not in rest


def test_big_pages_are_gzip_coded_when_accepted(client, customers_url):
    for i in range(30):
        create_customer(client, customers_url, lastName=f"Gzip{i}", email=f"g{i}@example.fi")
    plain = client.get(customers_url, params={"$top": 30}, headers={"Accept-Encoding": "identity"})
    coded = client.get(customers_url, params={"$top": 30}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert coded.headers["content-encoding"] == "gzip" and "accept-encoding" in coded.headers["vary"].lower()
    assert coded.content == plain.content and coded.num_bytes_downloaded < len(plain.content) / 3
    # Small answers are sent as they are.
    small = client.get(f"{customers_url}/count", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_gzip_keeps_the_etag_and_the_export_streams(client, customers_url):
    c = create_customer(client, customers_url, lastName="Etag", notes="x" * 2000)
    url = f"{customers_url}/{c['customerNumber']}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    coded = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert coded.headers["content-encoding"] == "gzip" and coded.content == plain.content
    assert coded.headers["etag"] == plain.headers["etag"] == '"1"'
    r = client.patch(url, json={"firstName": "E"}, headers={"If-Match": coded.headers["etag"]})
    assert r.status_code == 200, r.text

    export = f"{customers_url}/export.csv"
    plain = client.get(export, headers={"Accept-Encoding": "identity"})
    with client.stream("GET", export, headers={"Accept-Encoding": "gzip"}) as s:
        assert s.headers["content-encoding"] == "gzip"
        raw = b"".join(s.iter_raw())
    assert gzip.decompress(raw) == plain.content and b"Etag" in plain.content


def test_history_and_clients_lists_carry_next_link(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}"
    for name in ("A", "B"):
        assert client.patch(url, json={"firstName": name}).status_code == 200
    page = client.get(f"{url}/history", params={"$top": 1}).json()
    assert page["total"] >= 3 and page["nextLink"].endswith("$skip=1")
    assert client.get(page["nextLink"]).json()["skip"] == 1
    assert "nextLink" not in client.get(f"{url}/history", params={"$top": 100}).json()

    for i in range(2):
        r = client.post("/v1/clients", json={"name": f"odata-{i}", "companies": [], "scopes": ["customers:read"]})
        assert r.status_code == 201, r.text
    page = client.get("/v1/clients", params={"$top": 1}).json()
    assert page["nextLink"].endswith("$skip=1") and client.get(page["nextLink"]).json()["skip"] == 1
    page = client.get("/v1/companies", params={"$top": 1}).json()
    assert page["total"] >= 2 and client.get(page["nextLink"]).json()["skip"] == 1


def test_compatibility_apis_keep_ignoring_dollar_options(client, company):
    r = client.get("/compat/billmate/customers/count", params={"$foo": "x"}, headers={"X-Company": company})
    assert r.status_code == 200, r.text


def test_authentication_comes_first(anon, customers_url):
    assert_problem(anon.get(customers_url, params={"$search": "x"}), 401)
