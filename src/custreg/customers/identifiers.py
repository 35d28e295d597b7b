"""Nordic identifiers through python-stdnum: one table, one normalizer.

`validate_id_number` returns the compact code plus the birth date and gender that a
personal code encodes, or raises ValueError with a message for the field.
"""

import datetime as dt
from dataclasses import dataclass
from types import ModuleType

from stdnum import ean
from stdnum.dk import cpr, cvr
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu, ytunnus
from stdnum.no import fodselsnummer, mva
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer


@dataclass(frozen=True)
class Scheme:
    module: ModuleType
    name: str


PERSONAL = {
    "FI": Scheme(hetu, "Finnish personal identity code (henkilötunnus)"),
    "SE": Scheme(personnummer, "Swedish personal identity number (personnummer)"),
    "NO": Scheme(fodselsnummer, "Norwegian birth number (fødselsnummer)"),
    "DK": Scheme(cpr, "Danish CPR number"),
}
BUSINESS = {
    "FI": Scheme(ytunnus, "Finnish business ID (Y-tunnus)"),
    "SE": Scheme(se_orgnr, "Swedish organisation number (organisationsnummer)"),
    "NO": Scheme(no_orgnr, "Norwegian organisation number (organisasjonsnummer)"),
    "DK": Scheme(cvr, "Danish CVR number"),
}


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date | None = None
    gender: str | None = None  # MALE | FEMALE


def _fi_birth(code: str) -> tuple[dt.date, str]:
    # stdnum has validated the code (including the date); read the parts it checked.
    century = {
        "+": 1800,
        "-": 1900,
        "Y": 1900,
        "X": 1900,
        "W": 1900,
        "V": 1900,
        "U": 1900,
        "A": 2000,
        "B": 2000,
        "C": 2000,
        "D": 2000,
        "E": 2000,
        "F": 2000,
    }[code[6]]
    born = dt.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))
    return born, "MALE" if int(code[7:10]) % 2 else "FEMALE"


def _birth(country: str, code: str) -> tuple[dt.date | None, str | None]:
    if country == "FI":
        return _fi_birth(code)
    if country == "SE":
        return personnummer.get_birth_date(code), (personnummer.get_gender(code) == "M" and "MALE") or "FEMALE"
    if country == "NO":
        return fodselsnummer.get_birth_date(code), (fodselsnummer.get_gender(code) == "M" and "MALE") or "FEMALE"
    if country == "DK":
        return cpr.get_birth_date(code), "MALE" if int(code[-1]) % 2 else "FEMALE"
    return None, None


def normalize_id_number(value: str, country: str | None) -> str:
    """A compact form for matching, whatever the kind; unknown kinds unchanged."""
    for table in (PERSONAL, BUSINESS):
        scheme = table.get(country or "")
        if scheme and scheme.module.is_valid(value):
            return scheme.module.compact(value)
    return "".join(value.split()).upper()


def _reason(exc: ValidationError) -> str:
    """The library's text for the kind of error (its subclasses carry `message`)."""
    return getattr(exc, "message", None) or str(exc)


def validate_id_number(value: str, *, country: str | None, person: bool) -> IdNumber:
    country = country or ""
    scheme = (PERSONAL if person else BUSINESS).get(country)
    if scheme is None:
        return IdNumber("".join(value.split()).upper())
    try:
        code = scheme.module.validate(value)
    except ValidationError as exc:
        raise ValueError(f"not a valid {scheme.name}: {_reason(exc)}") from None
    if not person:
        return IdNumber(code)
    try:
        born, gender = _birth(country, code)
    except (ValidationError, ValueError, KeyError):
        born, gender = None, None
    return IdNumber(code, born, gender)


# stdnum lists the member states in lower case; Greece's VAT prefix is EL.
EU_VAT_PREFIXES = frozenset(c.upper() for c in eu_vat.MEMBER_STATES) | {"EL"}


def validate_vat(value: str, *, country: str | None) -> str:
    compact = "".join(value.split()).upper().replace("-", "").replace(".", "")
    if compact.startswith("NO") or (country == "NO" and compact[:1].isdigit()):
        number = compact.removeprefix("NO")
        if number.isdigit():  # an organisasjonsnummer: the VAT form adds MVA
            number += "MVA"
        try:
            return "NO" + mva.validate(number)
        except ValidationError as exc:
            raise ValueError(f"not a valid Norwegian VAT number: {_reason(exc)}") from None
    if compact[:1].isdigit() and country in EU_VAT_PREFIXES | {"GR"}:
        if country == "SE" and len(compact) == 10:  # an organisationsnummer: VAT adds 01
            compact += "01"
        compact = ("EL" if country == "GR" else country) + compact
    if compact[:2] not in EU_VAT_PREFIXES:
        return compact  # outside the EU: kept as given, compacted
    try:
        return eu_vat.validate(compact)
    except ValidationError as exc:
        raise ValueError(f"not a valid EU VAT number: {_reason(exc)}") from None


def validate_gln(value: str) -> str:
    try:
        code = ean.validate(value)
    except ValidationError as exc:
        raise ValueError(f"not a valid GLN: {_reason(exc)}") from None
    if len(code) != 13:
        raise ValueError("a GLN has 13 digits")
    return code
