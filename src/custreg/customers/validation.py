"""Customer field rules that need more than one field or a library: identifiers,
phones, e-mail, derived names. Works on the API's camelCase dict.

Phones and e-mail addresses are normalized by their libraries (phonenumbers, email-validator).
An import spends most of its validation time there, so each has an exact fast path for the
common, already-normalized shape: an E.164 phone (`+358401234567`) and a plain ASCII
`first.last@domain` address. A fast path returns only what the full library call would return
for the same input, and declines (returns None) whenever it cannot prove that; a declined input
and every invalid input go through the full call, so every error message is the library's own.
tests/test_validation_fast_paths.py compares both paths on generated and edge-case inputs.
Only public library API is used, and nothing runs at import time."""

import functools
import re
from typing import Any

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberFormat

from custreg.customers import identifiers
from custreg.errors import FieldErrors

PHONE_FIELDS = ("homePhone", "workPhone", "cellularPhone", "telefax")
EMAIL_FIELDS = ("email", "invoiceEmailAddress", "emailOrder", "emailOffer")

# ----------------------------------------------------------------------------- phones

# "+" and 3 to 15 digits, the first not 0 (E.164; shorter ones are never valid numbers).
# ASCII digits only ([0-9], not \d, which also matches other scripts' digits).
_E164 = re.compile(r"\+[1-9][0-9]{2,14}")


def normalize_phone(value: str, region: str | None) -> str:
    """The number in E.164 (`+358401234567`); `region` (ISO 3166 alpha-2) reads a number
    written without its country calling code. Raises ValueError naming what is wrong."""
    fast = _phone_fast(value)
    return fast if fast is not None else _phone_full(value, region)


def _phone_full(value: str, region: str | None) -> str:
    """normalize_phone through the full library call: parse, is_valid_number, format_number."""
    try:
        parsed = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def _phone_fast(value: str) -> str | None:
    """`value` itself when it is a valid number already in E.164, else None (not decided).

    parse() of "+" and digits ignores the region: it takes the calling code as the first
    1, 2 or 3 digits that are a known code (COUNTRY_CODE_TO_REGION_CODE), and the rest as the
    national significant number (NSN), which it then changes in two cases only, both declined:
    - a national prefix (or carrier code) after the calling code: parse strips it when the
      region's national_prefix_for_parsing matches the start of the NSN ("+358 040..." becomes
      "+35840..."). Declined whenever that pattern matches, for every region of the calling
      code (parse reads only the code's main region: this is a superset);
    - leading zeros (Italy's "+3906..."): parse keeps them aside (italian_leading_zero), which
      int() would lose. Declined when the NSN starts with 0.
    Otherwise the number parse would build is PhoneNumber(country_code, national_number), the
    one checked here; a valid one whose E.164 form is `value` is what the full call returns.
    An invalid one is declined, so that the full call raises its own error. (With today's
    metadata, parse strips no prefix from a number that is valid as written: the prefix check
    only sends such numbers, e.g. every +54 one and Russia's +78..., to the full call, and
    keeps the fast path exact if the metadata changes.)"""
    if _E164.fullmatch(value) is None:
        return None
    digits = value[1:]
    for size in (1, 2, 3):
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None  # no known calling code: parse retries the digits as a national number
    national = digits[size:]
    if len(national) < 2 or national[0] == "0":
        return None
    prefixes = _national_prefixes(country_code)
    if prefixes is None or any(prefix.match(national) for prefix in prefixes):
        return None
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.format_number(number, PhoneNumberFormat.E164) != value:
        return None
    return value


@functools.cache
def _national_prefixes(country_code: int) -> tuple[re.Pattern[str], ...] | None:
    """The national_prefix_for_parsing patterns of every region sharing `country_code`
    (+1: US, CA, the Caribbean; +358: FI and AX; non-geographic codes as region "001"),
    compiled once per calling code on first use; None if a region has no metadata."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]:
        if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            metadata = PhoneMetadata.metadata_for_nongeo_region(country_code)
        else:
            metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            return None
        if metadata.national_prefix_for_parsing:
            patterns.append(re.compile(metadata.national_prefix_for_parsing))
    return tuple(patterns)


# ----------------------------------------------------------------------------- e-mail

# RFC 5322 dot-atom text in ASCII: atext runs separated by single dots, no dot at either end.
# The same characters as email-validator's unquoted ASCII local part.
_ATEXT = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+"
_DOT_ATOM = re.compile(_ATEXT + r"(?:\." + _ATEXT + r")*")
_LOCAL_MAX = 64  # RFC 5321 4.5.3.1.1; email-validator enforces it only in strict mode
_EMAIL_MAX_BYTES = 254  # RFC 3696 errata 1690; email-validator counts UTF-8 bytes
# RFC 2142's role mailboxes, which email-validator lower-cases in the local part.
_ROLE_MAILBOXES = frozenset(
    {"info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster", "hostmaster"}
    | {"usenet", "news", "webmaster", "www", "uucp", "ftp"}
)


def normalize_email(value: str) -> str:
    """The address as email-validator normalizes it (`.normalized`, no DNS check): the domain
    lower-cased and in Unicode (IDNA decoded). Raises ValueError with the library's message."""
    fast = _email_fast(value)
    return fast if fast is not None else _email_full(value)


def _email_full(value: str) -> str:
    """normalize_email through the full library call."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def _email_fast(value: str) -> str | None:
    """The normalized address when the local part is plain ASCII dot-atom, else None.

    validate_email splits at the first "@" (such a local part has no quote, "<" or "@"),
    returns a dot-atom ASCII local part unchanged, except RFC 2142 role names, which it
    lower-cases (declined here), and checks the domain on its own, independently of the local
    part. So the domain is checked by the library itself, as the address "a@" + domain
    (_checked_domain, cached per domain), and `.normalized` is the local part, "@", and the
    domain's `.domain` (its normalized Unicode form). The length limits count the whole
    address: the input, the normalized address and the one with the IDNA ASCII domain, in
    UTF-8; one over the limit is declined. Whatever fails is declined too, so that the full
    call raises the library's error about the whole address."""
    local, at, domain = value.partition("@")
    if not at or len(local) > _LOCAL_MAX or _DOT_ATOM.fullmatch(local) is None:
        return None
    if local.lower() in _ROLE_MAILBOXES:
        return None
    try:
        unicode_domain, ascii_domain = _checked_domain(
            domain,
            email_validator.TEST_ENVIRONMENT,
            email_validator.GLOBALLY_DELIVERABLE,
            email_validator.ALLOW_DOMAIN_LITERAL,
            tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES),
        )
    except EmailNotValidError:
        return None
    normalized = local + "@" + unicode_domain
    for address in (value, normalized, local + "@" + ascii_domain):
        if len(address.encode()) > _EMAIL_MAX_BYTES:
            return None
    return normalized


@functools.lru_cache(maxsize=4096)
def _checked_domain(
    domain: str,
    test_environment: bool,
    globally_deliverable: bool,
    allow_domain_literal: bool,
    special_use: tuple[str, ...],
) -> tuple[str, str]:
    """The Unicode and IDNA ASCII forms (`.domain`, `.ascii_domain`) of an e-mail domain as
    validate_email gives them for the address "a@" + domain, or its EmailNotValidError, which
    is not cached. An import has a few distinct domains for many addresses. The key holds the
    library's module settings (public API) that its domain rules read, so that a changed
    setting is never answered from the cache; `special_use` is only for that, as the library
    reads its own list."""
    result = validate_email(
        "a@" + domain,
        check_deliverability=False,
        test_environment=test_environment,
        globally_deliverable=globally_deliverable,
        allow_domain_literal=allow_domain_literal,
    )
    return result.domain, result.ascii_domain


# ----------------------------------------------------------------------------- customers


def derive_full_name(v: dict[str, Any]) -> str | None:
    if v.get("customerType") == "COMPANY" and v.get("companyName"):
        return v["companyName"]
    parts = [v.get(k) for k in ("firstName", "middleName", "lastName", "nameSuffix")]
    name = " ".join(p for p in parts if p)
    return name or v.get("companyName")


def normalize(values: dict[str, Any], *, default_country: str) -> dict[str, Any]:
    """Validate and normalize a whole customer; raises 422 naming every bad field."""
    v = dict(values)
    errors = FieldErrors()
    country = v.get("countryCode") or default_country
    person = (v.get("customerType") or "PERSON") == "PERSON"
    v["customerType"] = "PERSON" if person else "COMPANY"

    if not (v.get("fullName") or v.get("lastName") or v.get("companyName")):
        for f in ("fullName", "lastName", "companyName"):
            errors.add(f, "one of fullName, lastName or companyName is required")

    if v.get("idNumber"):
        try:
            found = identifiers.validate_id_number(v["idNumber"], country=country, person=person)
            v["idNumber"] = found.value
            if found.birth_date:
                if v.get("dateOfBirth") is None:
                    v["dateOfBirth"] = found.birth_date
                elif v["dateOfBirth"] != found.birth_date:
                    errors.add("dateOfBirth", "contradicts the birth date in idNumber")
            if found.gender:
                if v.get("gender") in (None, "UNSPECIFIED"):
                    v["gender"] = found.gender
                elif v["gender"] != found.gender:
                    errors.add("gender", "contradicts the gender in idNumber")
        except ValueError as exc:
            errors.add("idNumber", str(exc))

    if v.get("vatNumber"):
        try:
            v["vatNumber"] = identifiers.validate_vat(v["vatNumber"], country=country)
        except ValueError as exc:
            errors.add("vatNumber", str(exc))
    if v.get("glnNumber"):
        try:
            v["glnNumber"] = identifiers.validate_gln(v["glnNumber"])
        except ValueError as exc:
            errors.add("glnNumber", str(exc))
    for f in PHONE_FIELDS:
        if v.get(f):
            try:
                v[f] = normalize_phone(v[f], country)
            except ValueError as exc:
                errors.add(f, str(exc))
    for f in EMAIL_FIELDS:
        if v.get(f):
            try:
                v[f] = normalize_email(v[f])
            except ValueError as exc:
                errors.add(f, str(exc))
            if f == "invoiceEmailAddress" and len(v[f]) > 60:
                errors.add(f, "at most 60 characters")
    errors.raise_if_any()
    return v
