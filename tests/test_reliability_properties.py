"""Issue 9: Hypothesis property tests.

- PUT/PATCH semantics for arbitrary field subsets: PUT clears what is missing, PATCH
  keeps what is missing, null clears; a refused write changes nothing.
- `$filter`: arbitrary strings and grammar token soup never raise anything but a 400
  problem; structured filters generated from the grammar (fields, operators, functions,
  `in`, `null`, `not`, parentheses, literals of the right and the wrong kind) answer
  exactly what a Python model of the contract's semantics selects, or 400 when ill-typed.
- Identifier normalization (idNumber, VAT, phones, e-mail, lookup forms) is idempotent.
"""

import datetime as dt
import string
from decimal import Decimal

import pytest
from conftest import PG_URL, assert_problem, new_company
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite
from stdnum import luhn
from stdnum.fi import hetu, ytunnus
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from custreg.customers import identifiers, validation
from custreg.customers.queries import FILTER_FIELDS
from custreg.errors import BadRequest
from custreg.lookups.service import id_number_forms
from custreg.odata import parse_filter

FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
API_EXAMPLES = 25 if PG_URL else 40

# --- PUT / PATCH semantics -------------------------------------------------------------

WORD = st.text(alphabet=string.ascii_letters + "äöåÄÖÅ -'", min_size=1, max_size=20)
TEXT_FIELDS = (
    "firstName",
    "middleName",
    "nameSuffix",
    "notes",
    "customerReference",
    "clientReference",
    "placeOfBirth",
    "departmentName",
    "name2",
    "city",
    "street",
    "zipCode",
    "houseNo",
)
FIELD_VALUES = {
    **dict.fromkeys(TEXT_FIELDS, WORD),
    "lastName": WORD,
    "email": st.sampled_from(["aino@example.fi", "matti.meikalainen@example.com", "x@example.org"]),
    "rebate": st.sampled_from([0, 12.5, 100, 3.25]),
    "reverseTax": st.booleans(),
    "underAged": st.booleans(),
    "gender": st.sampled_from(["UNSPECIFIED", "MALE", "FEMALE"]),
    "languageCode": st.sampled_from(["fi", "sv", "en"]),
}
BASE = {
    "lastName": "Base",
    "firstName": "Aino",
    "middleName": "Maria",
    "nameSuffix": "Jr",
    "notes": "base notes",
    "customerReference": "REF-1",
    "clientReference": "C-1",
    "placeOfBirth": "Oulu",
    "departmentName": "Sales",
    "name2": "N2",
    "city": "Helsinki",
    "street": "Mannerheimintie",
    "zipCode": "00100",
    "houseNo": "1",
    "email": "base@example.fi",
    "rebate": 5,
    "reverseTax": True,
    "underAged": False,
    "gender": "FEMALE",
    "languageCode": "fi",
}


def _expected(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


subsets = st.dictionaries(st.sampled_from(sorted(FIELD_VALUES)), st.none(), max_size=len(FIELD_VALUES)).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.one_of(st.none(), FIELD_VALUES[k]) for k in keys})
)


@pytest.fixture(scope="module")
def put_patch_url(client):
    cuid = new_company(client)
    r = client.post(f"/v1/companies/{cuid}/customers", json=BASE)
    assert r.status_code == 201, r.text
    return f"/v1/companies/{cuid}/customers/{r.json()['customerNumber']}"


@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=FIXTURE_OK)
@given(body=subsets)
def test_put_clears_what_is_missing(client, put_patch_url, body):
    assert client.put(put_patch_url, json=BASE).status_code == 200
    before = client.get(put_patch_url).json()
    r = client.put(put_patch_url, json=body)
    if _expected(body.get("lastName")) is None:
        # No name left: refused, nothing changed.
        assert_problem(r, 422)
        after = client.get(put_patch_url).json()
        assert {k: after[k] for k in FIELD_VALUES} == {k: before[k] for k in FIELD_VALUES}
        return
    assert r.status_code == 200, r.text
    got = client.get(put_patch_url).json()
    for field in FIELD_VALUES:
        want = _expected(body.get(field))
        assert _same(got[field], want) or (
            field == "gender" and want is None and got[field] in (None, "UNSPECIFIED")
        ), (field, body, got[field])
    assert got["version"] == before["version"] + 1


@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=FIXTURE_OK)
@given(body=subsets)
def test_patch_keeps_what_is_missing_and_null_clears(client, put_patch_url, body):
    assert client.put(put_patch_url, json=BASE).status_code == 200
    before = client.get(put_patch_url).json()
    r = client.patch(put_patch_url, json=body)
    if "lastName" in body and _expected(body["lastName"]) is None:
        assert_problem(r, 422)
        after = client.get(put_patch_url).json()
        assert {k: after[k] for k in FIELD_VALUES} == {k: before[k] for k in FIELD_VALUES}
        return
    assert r.status_code == 200, r.text
    got = client.get(put_patch_url).json()
    for field in FIELD_VALUES:
        want = _expected(body[field]) if field in body else before[field]
        assert _same(got[field], want) or (
            field == "gender" and want is None and got[field] in (None, "UNSPECIFIED")
        ), (field, body, got[field])


# --- $filter ---------------------------------------------------------------------------


def _compiles(expr) -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        expr.compile(dialect=dialect)


def _parse_only_400(text: str) -> None:
    try:
        expr = parse_filter(text, FILTER_FIELDS)
    except BadRequest as exc:
        assert exc.status == 400 and exc.errors and exc.errors[0]["field"] == "$filter"
        return
    _compiles(expr)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_parser_on_arbitrary_text_raises_only_400(text):
    _parse_only_400(text)


TOKENS = st.sampled_from(
    [
        "lastName",
        "firstName",
        "rebate",
        "underAged",
        "dateOfBirth",
        "customerNumber",
        "customerGuid",
        "regDate",
        "nosuchfield",
        "eq",
        "ne",
        "gt",
        "ge",
        "lt",
        "le",
        "and",
        "or",
        "not",
        "in",
        "(",
        ")",
        ",",
        "null",
        "true",
        "false",
        "'a'",
        "''",
        "'it''s'",
        "'",
        "1",
        "-1",
        "1.5",
        "1e400",
        "99999999999999999999999",
        "2024-01-01",
        "2024-02-30",
        "2024-01-01T00:00:00Z",
        "contains",
        "startswith",
        "endswith",
        "tolower",
        "toupper",
        "length",
        "substring",
        "now()",
        "$it",
        "/",
        "any",
        "all",
        "add",
        "mul",
        "-",
        "%",
        "\\",
        "6f1c1d6e-2b7a-4c31-9a7e-1c2d3e4f5a6b",
        "x" * 50,
        "'\x00'",
        "'\ud800'",
        "ü",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=25).map(" ".join))
def test_parser_on_token_soup_raises_only_400(text):
    _parse_only_400(text)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=3000))
def test_parser_on_deep_nesting_raises_only_400(depth):
    _parse_only_400("(" * depth + "lastName eq 'a'" + ")" * depth)
    _parse_only_400("not " * depth + "underAged")
    _parse_only_400(" and ".join(["underAged"] * depth))


@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
        st.lists(TOKENS.filter(lambda t: "\ud800" not in t), max_size=20).map(" ".join),
    )
)
def test_any_filter_over_http_is_200_or_400(client, filter_world, text):
    r = client.get(filter_world.url, params={"$filter": text})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert_problem(r, 400, "$filter")


# Structured filters with a Python model of their meaning (two-valued: a comparison with
# null is false, `ne` includes null, `not` negates that).
NORDIC = "aAäÄöÖåÅbBxX"
STR_VALUE = st.text(alphabet=NORDIC + "'", min_size=0, max_size=3)
ROWS = [  # lastName, firstName, city, rebate, underAged, dateOfBirth
    ("Äijälä", "Aino", "Oulu", Decimal("12.5"), True, dt.date(1990, 1, 1)),
    ("aijala", None, "oulu", Decimal("0"), False, None),
    ("Bäck", "Björn", None, None, None, dt.date(2001, 12, 31)),
    ("bAx", "x'x", "Åbo", Decimal("100"), True, dt.date(1950, 6, 15)),
    ("Xa", "aa", "ÅBO", Decimal("3.25"), False, dt.date(1990, 1, 2)),
    ("ab", "AB", "b'a", Decimal("50"), None, dt.date(1989, 12, 31)),
    ("A", "a", "a", None, True, None),
]
FIELDS = {
    "lastName": ("str", 0),
    "firstName": ("str", 1),
    "city": ("str", 2),
    "rebate": ("decimal", 3),
    "underAged": ("bool", 4),
    "dateOfBirth": ("date", 5),
    "customerNumber": ("int", 6),
}


def _lit(kind, value) -> str:
    if value is None:
        return "null"
    if kind == "str":
        return "'" + value.replace("'", "''") + "'"
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


LITERALS = {
    "str": STR_VALUE,
    "decimal": st.sampled_from([Decimal(x) for x in ("0", "3.25", "12.5", "50", "100", "-1", "99.5")]),
    "bool": st.booleans(),
    "date": st.sampled_from([dt.date(1990, 1, 1), dt.date(1950, 6, 15), dt.date(2000, 1, 1), dt.date(1989, 12, 31)]),
    "int": st.integers(min_value=0, max_value=9),
}
WRONG = {"str": "12", "decimal": "'x'", "bool": "'true'", "date": "'1990-01-01'", "int": "'1'"}
CMP = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


@st.composite
def leaf(draw):
    """(filter text, predicate over a row, well-typed?)"""
    name = draw(st.sampled_from(sorted(FIELDS)))
    kind, index = FIELDS[name]

    def get(row, i=index):
        return row[i]

    shape = draw(st.sampled_from(["cmp", "cmp", "null", "in", "func", "bare", "wrong", "swap"]))
    if shape == "wrong":
        return f"{name} eq {WRONG[kind]}", None, False
    if shape == "bare" and kind == "bool":
        return name, (lambda row: get(row) is True), True
    if shape == "null":
        op = draw(st.sampled_from(["eq", "ne"]))
        return (f"{name} {op} null", (lambda row: (get(row) is None) == (op == "eq")), True)
    if shape == "in":
        values = draw(st.lists(LITERALS[kind], min_size=1, max_size=3))
        text = f"{name} in ({', '.join(_lit(kind, v) for v in values)})"
        return text, (lambda row: get(row) is not None and get(row) in values), True
    if shape == "func" and kind == "str":
        fn = draw(st.sampled_from(["contains", "startswith", "endswith"]))
        case = draw(st.sampled_from(["", "tolower", "toupper"]))
        arg = draw(STR_VALUE)
        target = f"{case}({name})" if case else name
        test = {"contains": lambda s, a: a in s, "startswith": str.startswith, "endswith": str.endswith}[fn]
        return (
            f"{fn}({target}, {_lit('str', arg)})",
            (lambda row: get(row) is not None and test(get(row).lower(), arg.lower())),
            True,
        )
    op = draw(st.sampled_from(sorted(CMP) if kind != "bool" else ["eq", "ne"]))
    value = draw(LITERALS[kind])
    case = draw(st.sampled_from(["", "tolower", "toupper"])) if kind == "str" else ""
    fold = {"": lambda s: s, "tolower": str.lower, "toupper": str.upper}[case]
    target = f"{case}({name})" if case else name

    def pred(row):
        v = get(row)
        if v is None:
            return op == "ne"
        return CMP[op](fold(v), value)

    if shape == "swap" and op in ("eq", "ne", "lt", "gt"):
        mirrored = {"eq": "eq", "ne": "ne", "lt": "gt", "gt": "lt"}[op]
        return f"{_lit(kind, value)} {mirrored} {target}", pred, True
    return f"{target} {op} {_lit(kind, value)}", pred, True


def _combine(children):
    def both(op):
        return st.tuples(children, children).map(
            lambda ab: (
                f"({ab[0][0]}) {op} ({ab[1][0]})",
                (lambda row, a=ab[0][1], b=ab[1][1]: (a(row) and b(row)) if op == "and" else (a(row) or b(row)))
                if ab[0][2] and ab[1][2]
                else None,
                ab[0][2] and ab[1][2],
            )
        )

    negate = children.map(lambda c: (f"not ({c[0]})", (lambda row, p=c[1]: not p(row)) if c[2] else None, c[2]))
    return st.one_of(both("and"), both("or"), negate)


FILTERS = st.recursive(leaf(), _combine, max_leaves=6)


class FilterWorld:
    url: str
    numbers: list[int]


@pytest.fixture(scope="module")
def filter_world(client):
    w = FilterWorld()
    cuid = new_company(client)
    w.url = f"/v1/companies/{cuid}/customers"
    w.numbers = []
    for last, first, city, rebate, under, born in ROWS:
        body = {
            "lastName": last,
            "firstName": first,
            "city": city,
            "rebate": float(rebate) if rebate is not None else None,
            "underAged": under,
            "dateOfBirth": born.isoformat() if born else None,
        }
        r = client.post(w.url, json=body)
        assert r.status_code == 201, r.text
        w.numbers.append(r.json()["customerNumber"])
    return w


def _rows(world):
    return [(*row, number) for row, number in zip(ROWS, world.numbers)]


@settings(max_examples=150 if not PG_URL else 80, deadline=None, suppress_health_check=FIXTURE_OK)
@given(FILTERS)
def test_structured_filters_select_what_the_contract_says(client, filter_world, generated):
    text, pred, typed = generated
    r = client.get(filter_world.url, params={"$filter": text, "$top": 100})
    if not typed:
        assert_problem(r, 400, "$filter")
        return
    assert r.status_code == 200, (text, r.text)
    got = sorted(c["customerNumber"] for c in r.json()["value"])
    want = sorted(row[6] for row in _rows(filter_world) if pred(row))
    assert got == want, text


# --- identifier normalization ------------------------------------------------------------

HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@st.composite
def fi_hetu(draw):
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
    sep = "-" if born.year < 2000 else "A"
    number = draw(st.integers(2, 899))
    digits = f"{born:%d%m}{born.year % 100:02d}{number:03d}"
    return f"{digits[:6]}{sep}{digits[6:]}{HETU_CHECK[int(digits) % 31]}"


@st.composite
def fi_ytunnus(draw):
    digits = draw(st.text(alphabet=string.digits, min_size=7, max_size=7))
    rest = sum(w * int(d) for w, d in zip((7, 9, 10, 5, 8, 4, 2), digits)) % 11
    assume(rest != 1)
    return f"{digits}-{0 if rest == 0 else 11 - rest}"


@st.composite
def se_personnummer(draw):
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)))
    base = f"{born:%y%m%d}{draw(st.integers(0, 999)):03d}"
    return f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"


@st.composite
def se_orgnr(draw):
    base = "5" + draw(st.text(alphabet=string.digits, min_size=8, max_size=8))
    return f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"


@st.composite
def no_fodselsnummer(draw):
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(1999, 12, 31)))
    base = f"{born:%d%m%y}{draw(st.integers(0, 499)):03d}"
    try:
        d1 = fodselsnummer.calc_check_digit1(base)
        d2 = fodselsnummer.calc_check_digit2(base + d1)
    except Exception:
        assume(False)
    number = base + d1 + d2
    assume(len(number) == 11 and fodselsnummer.is_valid(number))
    return number


def _variants(code: str):
    return st.sampled_from(
        [code, f"  {code} ", code.lower(), code.replace("-", ""), " ".join(code), code.replace("-", " - ")]
    )


VALID_IDS = st.one_of(
    st.tuples(st.just("FI"), fi_hetu()),
    st.tuples(st.just("FI"), fi_ytunnus()),
    st.tuples(st.just("SE"), se_personnummer()),
    st.tuples(st.just("SE"), se_orgnr()),
    st.tuples(st.just("NO"), no_fodselsnummer()),
).flatmap(lambda cc: st.tuples(st.just(cc[0]), _variants(cc[1])))
COUNTRIES = st.sampled_from(["FI", "SE", "NO", "DK", "DE", "", None])


@settings(max_examples=300, deadline=None)
@given(st.one_of(VALID_IDS, st.tuples(COUNTRIES, st.text(max_size=30))))
def test_id_number_normalization_is_idempotent(country_value):
    country, value = country_value
    once = identifiers.normalize_id_number(value, country)
    assert identifiers.normalize_id_number(once, country) == once
    if country:
        forms = id_number_forms(value, country)
        assert once in forms or country not in ("FI", "SE", "NO", "DK")
        for form in forms:
            assert identifiers.normalize_id_number(form, country) in id_number_forms(form, country)


@settings(max_examples=200, deadline=None)
@given(VALID_IDS, st.booleans())
def test_validated_id_numbers_validate_to_themselves(country_value, person):
    country, value = country_value
    try:
        first = identifiers.validate_id_number(value, country=country, person=person)
    except ValueError:
        return  # a personal code given as a business id (or the reverse)
    again = identifiers.validate_id_number(first.value, country=country, person=person)
    assert again == first
    # A lookup by any written form finds the stored one.
    assert first.value in id_number_forms(first.value, country)
    assert first.value in id_number_forms(value, country)


def test_sole_trader_is_found_by_either_written_form(client):
    cuid = new_company(client, "SE")
    url = f"/v1/companies/{cuid}/customers"
    r = client.post(url, json={"customerType": "COMPANY", "companyName": "Enskild firma", "idNumber": "000101-0008"})
    assert r.status_code == 201, r.text
    for written in ("0001010008", "000101-0008", r.json()["idNumber"]):
        found = client.get(f"{url}/lookup", params={"idNumber": written})
        assert found.status_code == 200, (written, found.text)


@pytest.mark.parametrize("code", ["131052-308T", "010101A123N"])
def test_known_hetu_forms(code):
    assert hetu.is_valid(code)
    assert identifiers.validate_id_number(code.lower(), country="FI", person=True).value == code


VAT = st.sampled_from(
    [
        "FI20774740",
        "fi 2077 4740",
        "SE556703748501",
        "DE136695976",
        "NO923609016MVA",
        "923609016",
        "DK13585628",
        "GB980780684",
        "XX123",
    ]
)


@settings(max_examples=100, deadline=None)
@given(VAT, COUNTRIES)
def test_vat_normalization_is_idempotent(value, country):
    try:
        once = identifiers.validate_vat(value, country=country)
    except ValueError:
        return
    assert identifiers.validate_vat(once, country=country) == once


PHONES = st.sampled_from(
    [
        "040 123 4567",
        "+358401234567",
        "0401234567",
        "(09) 1234 5678",
        "+46 70 123 45 67",
        "070-123 45 67",
        "+47 412 34 567",
        "+4520123456",
    ]
)


@settings(max_examples=100, deadline=None)
@given(PHONES, st.sampled_from(["FI", "SE", "NO", "DK", None]))
def test_phone_normalization_is_idempotent(value, region):
    try:
        once = validation.normalize_phone(value, region)
    except ValueError:
        return
    assert once.startswith("+")
    assert validation.normalize_phone(once, region) == once
    assert validation.normalize_phone(once, None) == once


@settings(max_examples=100, deadline=None)
@given(st.emails())
def test_email_normalization_is_idempotent(value):
    try:
        once = validation.normalize_email(value)
    except ValueError:
        return
    assert validation.normalize_email(once) == once


def test_ytunnus_generator_is_valid():
    assert ytunnus.is_valid("0112038-9") and personnummer.is_valid("8112189876")
