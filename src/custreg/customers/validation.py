"""Customer field rules that need more than one field or a library: identifiers,
phones, e-mail, derived names. Works on the API's camelCase dict."""

import functools
import sys
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from custreg.customers import identifiers
from custreg.errors import FieldErrors

PHONE_FIELDS = ("homePhone", "workPhone", "cellularPhone", "telefax")
EMAIL_FIELDS = ("email", "invoiceEmailAddress", "emailOrder", "emailOffer")


def normalize_phone(value: str, region: str | None) -> str:
    try:
        parsed = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _cache_email_domains() -> None:
    """email-validator checks the part after the @ (IDNA, UTS #46, DNS label rules) on
    every call; on an import most addresses share a handful of domains, and that check is
    over half of the library's time. The check is a pure function of its arguments (it
    returns the normalized domain or raises), so its results are kept in an LRU cache:
    the same rules and messages, once per distinct domain. Exceptions are not cached."""
    module = sys.modules.get("email_validator.validate_email")
    name = "validate_email_domain_name"
    check = getattr(module, name, None)
    if module is None or check is None or hasattr(check, "__wrapped__"):
        return  # not loaded, renamed, or cached already
    cached = functools.lru_cache(maxsize=4096)(check)

    @functools.wraps(check)
    def validate_email_domain_name(
        domain: str, test_environment: bool = False, globally_deliverable: bool = True
    ) -> dict[str, Any]:
        result = cached(domain, test_environment=test_environment, globally_deliverable=globally_deliverable)
        return dict(result)  # a fresh dict per call, as the library returns

    setattr(module, name, validate_email_domain_name)


_cache_email_domains()


def normalize_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


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
