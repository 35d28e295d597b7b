"""The fast paths of normalize_phone and normalize_email are exact: for every input, the same
normalized string, or a ValueError with the same message, as the full library call. Compared
on generated inputs and on the edge cases where the libraries do something unexpected."""

import email_validator
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from custreg.customers.validation import (
    _email_fast,
    _email_full,
    _national_prefixes,
    _phone_fast,
    _phone_full,
    normalize_email,
    normalize_phone,
)


def outcome(fn, *args):
    """("ok", result) or ("error", message): what a caller of fn sees."""
    try:
        return "ok", fn(*args)
    except ValueError as exc:
        return "error", str(exc)


def same_phone(value, region):
    full = outcome(_phone_full, value, region)
    assert outcome(normalize_phone, value, region) == full, value
    fast = _phone_fast(value)
    assert fast is None or full == ("ok", fast), value


def same_email(value):
    full = outcome(_email_full, value)
    assert outcome(normalize_email, value) == full, value
    fast = _email_fast(value)
    assert fast is None or full == ("ok", fast), value


# --- phones --------------------------------------------------------------------------------

REGIONS = [None, "FI", "AX", "SE", "NO", "SJ", "DK", "IT", "US", "GB", "RU", "XX"]


def e164(number):
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def example_numbers():
    """The library's example number of every region and type, and of the non-geographic codes."""
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in vars(PhoneNumberType).values():
            if isinstance(kind, int) and (number := phonenumbers.example_number_for_type(region, kind)):
                found.add(e164(number))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        if number := phonenumbers.example_number_for_non_geo_entity(code):
            found.add(e164(number))
    return sorted(found)


EXAMPLES = example_numbers()

PHONE_EDGES = [
    # Finland and Åland share +358; a national prefix 0 after the calling code is stripped by parse
    "+358401234567",
    "+3580401234567",
    "+358 40 1234567",
    "+358 040 1234567",
    "+35818123456",
    "+358181234567",
    "+358 18 123456",
    "+3584",
    "+35840",
    "+358",
    "0401234567",
    "00358401234567",
    # Italy keeps leading zeros of fixed lines (italian_leading_zero)
    "+390612345678",
    "+39 06 1234 5678",
    "+39061234567",
    "+39312345678",
    "+3900612345678",
    "+390000000",
    # NANP +1: US, Canada and the Caribbean; national prefix 1
    "+12015550123",
    "+12015550123",
    "+112015550123",
    "+11234567890",
    "+16135550123",
    "+12684641234",
    "+4641234",
    # +7 Russia and Kazakhstan; national prefix 8
    "+79123456789",
    "+789123456789",
    "+77012345678",
    "+77172123456",
    # +44 GB, Guernsey, Jersey, Isle of Man; national prefix 0
    "+447400123456",
    "+4407400123456",
    "+441481256789",
    "+447781123456",
    "+441534456789",
    "+441624756789",
    # +47 Norway and Svalbard
    "+4741234567",
    "+4779123456",
    "+4702345678",
    # +46, +45
    "+46701234567",
    "+460701234567",
    "+4520123456",
    # non-geographic
    "+80012345678",
    "+800012345678",
    "+8823421234567",
    "+88213912345",
    "+8835100012345",
    "+87012345678",
    "+979123456789",
    # too short, too long, no or unknown calling code, not digits
    "+1",
    "+12",
    "+123",
    "+3584012345678901",
    "+35840123456789012345",
    "+0401234567",
    "+2891234567",
    "+999123456789",
    "+",
    "",
    "abc",
    "+358٤٠١٢٣٤٥٦٧",
    "＋358401234567",
    "+358401234567 ",
    "+358401234567x12",
    "+358401234567;ext=12",
    "tel:+358401234567",
]


@pytest.mark.parametrize("value", PHONE_EDGES)
@pytest.mark.parametrize("region", REGIONS)
def test_phone_edge_cases(value, region):
    same_phone(value, region)


def test_phone_every_example_number():
    for value in EXAMPLES:
        same_phone(value, None)
        same_phone(value, "FI")


def test_phone_fast_path_takes_common_nordic_numbers():
    for value in ("+358401234567", "+35818123456", "+46701234567", "+4741234567", "+4779123456", "+4520123456"):
        assert _phone_fast(value) == value
    for value in ("+12015550123", "+447400123456", "+79123456789", "+80012345678"):
        assert _phone_fast(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "+3580401234567",  # national prefix after the calling code
        "+4407400123456",
        "+789123456789",
        "+11234567890",
        "+390612345678",  # leading zero
        "+358 40 1234567",  # not E.164
        "+358123",  # invalid: the library says why
        "+999123456789",  # no calling code
    ],
)
def test_phone_fast_path_declines(value):
    assert _phone_fast(value) is None


def test_phone_national_prefix_patterns():
    """The patterns the fast path declines on: every region of a calling code, the non-geographic
    ones, and Argentina's, which matches any number (so +54 always takes the full call)."""
    assert [p.pattern for p in _national_prefixes(358)] == ["0", "0"]  # FI, AX
    assert len(_national_prefixes(1)) == len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
    assert any(p.match("4641234") for p in _national_prefixes(1))  # Antigua's 7-digit local numbers
    assert _national_prefixes(39) == () and _national_prefixes(800) == ()
    argentina = e164(phonenumbers.example_number("AR"))
    assert _national_prefixes(54)[0].match("") and _phone_fast(argentina) is None
    assert normalize_phone(argentina, None) == argentina


def mutated(example, tail, prefix):
    """An example number with its last digits replaced, optionally with a national prefix after
    the calling code: many valid numbers in real ranges, and some that parse changes."""
    digits = example[1:]
    size = next(n for n in (1, 2, 3) if int(digits[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    code, national = digits[:size], digits[size:]
    if tail:
        national = national[: max(0, len(national) - len(tail))] + tail
    return "+" + code + (prefix or "") + national


@settings(deadline=None, max_examples=1500)
@given(
    example=st.sampled_from(EXAMPLES),
    tail=st.text("0123456789", max_size=6),
    prefix=st.none() | st.sampled_from(["0", "1", "8", "00", "90"]),
    region=st.sampled_from(REGIONS),
)
def test_phone_mutated_example_numbers(example, tail, prefix, region):
    same_phone(mutated(example, tail, prefix), region)


@settings(deadline=None, max_examples=1000)
@given(value=st.from_regex(r"\+[0-9]{1,17}", fullmatch=True), region=st.sampled_from(REGIONS))
def test_phone_plus_and_digits(value, region):
    same_phone(value, region)


@settings(deadline=None, max_examples=300)
@given(value=st.text("+0123456789 -()x٠١", max_size=18), region=st.sampled_from(REGIONS))
def test_phone_any_text(value, region):
    same_phone(value, region)


# --- e-mail --------------------------------------------------------------------------------


def domain_of(length, tld="fi"):
    """A valid domain of exactly `length` characters: labels of "a" (at most 63) and `tld`."""
    rest = length - len(tld)  # for the labels, each with its dot
    labels = []
    while rest > 0:
        size = min(63, rest - 1)
        if rest - (size + 1) == 1:  # would leave one character, too few for a label and its dot
            size -= 1
        labels.append("a" * size)
        rest -= size + 1
    return "".join(label + "." for label in labels) + tld


LOCAL_64 = "f" * 31 + "." + "l" * 32
LOCAL_65 = LOCAL_64 + "x"

EMAIL_EDGES = [
    "matti.virtanen@example.fi",
    "Matti.Virtanen@Example.FI",
    "MATTI@EXAMPLE.FI",
    "o'brien+tag@example.com",
    "a!#$%&'*+-/=?^_`{|}~z@example.com",
    # IDN: Unicode and Punycode domains, normalized to Unicode
    "user@bücher.de",
    "user@BÜCHER.DE",
    "user@xn--bcher-kva.de",
    "user@XN--BCHER-KVA.DE",
    "user@ß.de",
    "user@xn--zca.de",
    "user@xn--zz.de",
    "user@xn--a.de",
    "user@ＥＸＡＭＰＬＥ.fi",
    "user@example。fi",
    "user@äö.fi",
    "user@xn--4dbc.1.com",
    # RFC 2142 role mailboxes are lower-cased by the library
    "Postmaster@example.fi",
    "INFO@example.fi",
    "info@example.fi",
    "Info.Desk@example.fi",
    "Sales@example.fi",
    "WebMaster@example.fi",
    # quoted, non-ASCII and broken local parts
    '"matti virtanen"@example.fi',
    '"matti"@example.fi',
    '"a@b"@example.fi',
    "ä@example.fi",
    "märta@example.se",
    "a\u0308@example.se",
    ".matti@example.fi",
    "matti.@example.fi",
    "matti..virtanen@example.fi",
    "matti virtanen@example.fi",
    "matti@@example.fi",
    "@example.fi",
    "matti@",
    "matti",
    "Matti <matti@example.fi>",
    " matti@example.fi",
    "matti@example.fi ",
    # lengths: the local part (64 is the limit in strict mode only), the domain, the whole address
    LOCAL_64 + "@example.fi",
    LOCAL_65 + "@example.fi",
    "a" * 200 + "@example.fi",
    LOCAL_64 + "@" + domain_of(189),
    LOCAL_64 + "@" + domain_of(190),
    "ab@" + domain_of(251),
    "ab@" + domain_of(252),
    "ab@" + domain_of(253),
    "a@" + domain_of(254),
    "a@" + "b" * 64 + ".fi",
    LOCAL_64 + "@" + domain_of(170, tld="bücher"),
    LOCAL_64 + "@" + domain_of(175, tld="de") + ".äää",
    LOCAL_64 + "@" + domain_of(186, tld="de") + ".ää",
    LOCAL_64 + "@" + "ä" * 40 + "." + domain_of(140),
    # IDN: the Unicode form within the limit, the IDNA ASCII form over it, and the other way round
    LOCAL_64 + "@" + "äaöbücådée." * 3 + domain_of(124),
    LOCAL_64 + "@" + "äaöbücådée." * 3 + domain_of(139),
    LOCAL_64 + "@" + "äaöbücådée." * 3 + domain_of(140),
    LOCAL_64 + "@" + "xn--wgvaa02kbab8264dcac." * 4 + domain_of(76),
    LOCAL_64 + "@" + "xn--wgvaa02kbab8264dcac." * 4 + domain_of(77),
    LOCAL_64 + "@" + "xn--wgvaa02kbab8264dcac." * 4 + domain_of(80),
    # full-width letters: the input over the limit in UTF-8, its normalized form within it
    LOCAL_64 + "@" + "ｅ" * 30 + "." + domain_of(98),
    LOCAL_64 + "@" + "ｅ" * 30 + "." + domain_of(99),
    # special-use and reserved domains, dots and hyphens
    "matti@printer.local",
    "matti@local",
    "matti@example.test",
    "matti@localhost",
    "matti@example.invalid",
    "matti@example.onion",
    "matti@10.in-addr.arpa",
    "matti@example.com",
    "matti@example",
    "matti@example.123",
    "matti@.example.fi",
    "matti@example.fi.",
    "matti@example..fi",
    "matti@-example.fi",
    "matti@example-.fi",
    "matti@ab--cd.fi",
    "matti@exa_mple.fi",
    "matti@[127.0.0.1]",
    "matti@[IPv6:::1]",
]


@pytest.mark.parametrize("value", EMAIL_EDGES)
def test_email_edge_cases(value):
    same_email(value)


def test_email_edge_lengths_are_what_they_say():
    assert len(LOCAL_64) == 64 and len(LOCAL_65) == 65
    assert len(LOCAL_64 + "@" + domain_of(189)) == 254
    assert all(len(domain_of(n)) == n for n in range(4, 300))


def test_email_fast_path_takes_plain_addresses():
    assert _email_fast("matti.virtanen@example.fi") == "matti.virtanen@example.fi"
    assert _email_fast("Matti.Virtanen@EXAMPLE.FI") == "Matti.Virtanen@example.fi"  # the local part keeps its case
    assert _email_fast("user@xn--bcher-kva.de") == "user@bücher.de"
    assert _email_fast(LOCAL_64 + "@" + domain_of(189)) == LOCAL_64 + "@" + domain_of(189)


@pytest.mark.parametrize(
    "value",
    [
        "Postmaster@example.fi",
        '"matti"@example.fi',
        "märta@example.se",
        LOCAL_65 + "@example.fi",
        LOCAL_64 + "@" + domain_of(190),
        "matti@printer.local",
        "matti..virtanen@example.fi",
    ],
)
def test_email_fast_path_declines(value):
    assert _email_fast(value) is None


MAILBOX_WORDS = (
    # RFC 2142's role mailboxes, and common words that are not
    *("info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster", "hostmaster"),
    *("usenet", "news", "webmaster", "www", "uucp", "ftp"),
    *("admin", "contact", "noreply", "no-reply", "hello", "billing", "office", "mail", "root", "help"),
    *("kontakt", "asiakaspalvelu", "kundservice", "post", "info1", "myynti", "laskutus", "hr", "it"),
)


@pytest.mark.parametrize("word", MAILBOX_WORDS)
def test_email_role_mailboxes_match_the_library(word):
    """The library lower-cases the local part of role mailboxes (RFC 2142) only; a word it would
    lower-case but the fast path did not decline would show here as a difference."""
    same_email(word.upper() + "@example.fi")
    same_email(word.title() + "@example.fi")


def test_email_follows_the_library_settings(monkeypatch):
    """email-validator's module settings (public API) change its domain rules; the domain
    cache is keyed by them."""
    assert normalize_email("matti@example.fi") == "matti@example.fi"
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "fi"])
    same_email("matti@example.fi")
    with pytest.raises(ValueError, match="special-use"):
        normalize_email("matti@example.fi")
    monkeypatch.setattr(email_validator, "TEST_ENVIRONMENT", True)
    same_email("matti@example.test")
    assert normalize_email("matti@example.test") == "matti@example.test"
    for allowed in (True, False):
        monkeypatch.setattr(email_validator, "ALLOW_DOMAIN_LITERAL", allowed)
        same_email("matti@[192.0.2.1]")
    for deliverable in (False, True):
        monkeypatch.setattr(email_validator, "GLOBALLY_DELIVERABLE", deliverable)
        same_email("matti@intranet")


ATEXT = "abcxyzABCXYZ0189!#$%&'*+-/=?^_`{|}~"
DOMAINS = ["example.fi", "EXAMPLE.fi", "bücher.de", "xn--bcher-kva.de", "ß.de", "printer.local", "x.test", "localhost"]


@st.composite
def addresses(draw):
    local = draw(
        st.text(ATEXT + "..", min_size=1, max_size=70)
        | st.text(ATEXT + '." @äö\\', max_size=12)
        | st.from_regex(r"[a-z]{1,20}(\.[a-z]{1,20}){0,2}", fullmatch=True)
    )
    domain = draw(st.sampled_from(DOMAINS) | st.text("abcXYZ09-.äüß。", min_size=1, max_size=20))
    pad = draw(st.sampled_from([0, 0, 0, 150, 170, 180, 185, 190, 200]))
    if pad:  # long addresses around the 254-byte limit
        domain = domain_of(pad) + "." + domain
    return local + "@" + domain


@settings(deadline=None, max_examples=1500)
@given(value=addresses())
def test_email_generated_addresses(value):
    same_email(value)


@settings(deadline=None, max_examples=300)
@given(value=st.emails())
def test_email_hypothesis_addresses(value):
    same_email(value)
    same_email(value.upper())


@settings(deadline=None, max_examples=300)
@given(value=st.text(max_size=30))
def test_email_any_text(value):
    same_email(value)
