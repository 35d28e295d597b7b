"""Nordic identifiers through python-stdnum: one table, one normalizer.

`validate_id_number` returns the code in its one stored form — the standard format of
python-stdnum's `format` (`2077474-0`, `556036-0793`, `131052-308T`), a Swedish personnummer
always in its 12-digit form (`19811218-9876`) — plus the birth date and gender that a
personal code encodes, or raises ValueError with a message for the field. `forms` gives
every stored form a written code may have, so lookups and `$filter` match any written form
(docs/customers.md, "Identifiers").
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


def standard(module: ModuleType, code: str) -> str:
    """A valid code's stored form: the library's standard format; a Swedish personnummer
    with its century (12 digits), whichever form was written."""
    if module is personnummer:
        digits = "".join(ch for ch in personnummer.compact(code) if ch.isdigit())[-10:]
        century = personnummer.get_birth_date(code).year // 100
        return f"{century}{digits[:6]}-{digits[6:]}"
    fmt = getattr(module, "format", None)
    return fmt(code) if fmt is not None else module.compact(code)


def _plain(value: str) -> str:
    return "".join(value.split()).upper()


def normalize_id_number(value: str, country: str | None) -> str:
    """The stored form of a code of `country` (a personal code first); unknown kinds compacted."""
    for table in (PERSONAL, BUSINESS):
        scheme = table.get(country or "")
        if scheme and scheme.module.is_valid(value):
            return standard(scheme.module, value)
    return _plain(value)


def forms(value: str) -> set[str]:
    """Every stored form a written code may have: as given (compacted) and in the stored
    form of each Nordic scheme it is valid in (a Swedish sole trader's organisationsnummer
    is also a personnummer; the customer's kind decides which one it is stored as)."""
    out = {_plain(value)}
    for table in (PERSONAL, BUSINESS):
        for scheme in table.values():
            if scheme.module.is_valid(value):
                out.add(standard(scheme.module, value))
    return out


def search_forms(value: str | None) -> list[str]:
    """Extra words a stored code is found by: a 12-digit personnummer by its 10 digits too."""
    if value and len(value) == 13 and value[8] == "-" and personnummer.is_valid(value):
        return [value[2:]]
    return []


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
        return IdNumber(standard(scheme.module, code))
    try:
        born, gender = _birth(country, code)
    except (ValidationError, ValueError, KeyError):
        born, gender = None, None
    return IdNumber(standard(scheme.module, code), born, gender)


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
