"""Bounded property tests (hypothesis) of the three parsers a request reaches: the OData
`$filter`, the CSV import's header, the JSON body decoder. Whatever the input: a 4xx
problem or an answer, never a 5xx (and the parser itself raises only a DomainError)."""

import csv
import datetime as dt
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custreg.customers.queries import FILTER_FIELDS
from custreg.errors import DomainError
from custreg.odata import parse_filter
from custreg.sync.csv_format import COLUMNS
from custreg.sync.import_rows import read_header

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
OVER_HTTP = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

FIELDS = sorted(FILTER_FIELDS)
_datetimes = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59))
_offsets = st.sampled_from(["Z", "+14:00", "-14:00", "+01:00", "-01:00", ""])
LITERALS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["1e400", "-1e-400", "99999999999999999999.99", "0.0000001", "null", "true", "false"]),
    st.text(max_size=20).map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.uuids().map(str),
    st.builds(lambda d, o: d.isoformat() + o, _datetimes, _offsets),
    st.dates().map(str),
)
COMPARE = st.builds(
    lambda f, op, v: f"{f} {op} {v}",
    st.sampled_from(FIELDS),
    st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
    LITERALS,
)
CALLS = st.builds(
    lambda fn, f, v: f"{fn}({f}, {v})",
    st.sampled_from(["contains", "startswith", "endswith", "tolower", "length", "substringof"]),
    st.sampled_from(FIELDS),
    LITERALS,
)
TERMS = st.one_of(
    COMPARE,
    CALLS,
    st.builds(lambda f, vs: f"{f} in ({', '.join(vs)})", st.sampled_from(FIELDS), st.lists(LITERALS, max_size=4)),
)
FILTERS = st.recursive(
    TERMS,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["and", "or"]), inner),
        inner.map(lambda x: f"not ({x})"),
        inner.map(lambda x: f"({x})"),
    ),
    max_leaves=8,
)
NOISE = st.text(alphabet=st.sampled_from([*"()',=<> .-+:eqandortl0129ZT", "\x00", "\u00a0"]), max_size=60)


@BOUNDED
@given(st.one_of(FILTERS, NOISE))
def test_filter_parser_raises_only_domain_errors(text):
    try:
        parse_filter(text, FILTER_FIELDS)
    except DomainError as exc:
        assert exc.status == 400


@OVER_HTTP
@given(st.one_of(FILTERS, NOISE))
def test_filter_over_http_never_5xx(client, customers_url, text):
    r = client.get(customers_url, params={"$filter": text})
    assert r.status_code in (200, 400), r.text


HEADER_NAMES = st.one_of(st.sampled_from(sorted(COLUMNS)), st.text(max_size=12))


@BOUNDED
@given(st.lists(HEADER_NAMES, max_size=300), st.sampled_from([",", ";"]))
def test_header_reader_raises_only_domain_errors(names, delimiter):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerow(names)
    try:
        header = read_header(csv.reader(io.StringIO(out.getvalue()), delimiter=delimiter))
    except DomainError as exc:
        assert exc.status in (400, 413)
    else:
        assert len(header) == len(set(header)) and set(header) <= set(COLUMNS)


@OVER_HTTP
@given(st.binary(max_size=300) | st.lists(HEADER_NAMES, min_size=1, max_size=30).map(lambda n: ",".join(n).encode()))
def test_import_header_over_http_never_5xx(client, customers_url, raw):
    r = client.post(f"{customers_url}/import", content=raw + b"\nx\n", headers={"content-type": "text/csv"})
    assert r.status_code < 500, r.text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**90), max_value=2**90) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
CUSTOMER_KEYS = st.sampled_from(
    [
        "lastName",
        "firstName",
        "email",
        "creditLimit",
        "birthDate",
        "customerGuid",
        "addresses",
        "dimensions",
        "idNumber",
        "countryCode",
        "regDate",
        "customerNumber",
    ]
)
BODIES = st.one_of(
    st.dictionaries(CUSTOMER_KEYS, JSON_VALUES, max_size=5).map(lambda d: json.dumps({"lastName": "X", **d}).encode()),
    st.binary(max_size=200),
    st.builds(lambda v, enc: json.dumps(v).encode(enc), JSON_VALUES, st.sampled_from(["utf-8", "utf-16", "utf-32"])),
)


@OVER_HTTP
@given(BODIES)
def test_json_body_decoder_never_5xx(client, customers_url, raw):
    r = client.post(customers_url, content=raw, headers={"content-type": "application/json"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")
