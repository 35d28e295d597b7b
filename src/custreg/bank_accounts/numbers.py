"""Bank account numbers through schwifty: IBAN → BBAN, BIC, country; BBAN + country → IBAN, BIC.

`derive` returns the normalized account or raises `AccountError(field, why)`.
The IBAN is always built with `IBAN.from_bban` (never `IBAN.generate`, which pads the
parts and leaves a wrong check digit for Sweden without complaint).
"""

import re
import warnings
from dataclasses import dataclass

from schwifty import BIC, IBAN, registry
from schwifty import exceptions as sx

# Where schwifty has no algorithm for the national check digits (SE, DK) it warns and
# accepts; that is the documented behaviour we rely on, so keep it out of the logs.
warnings.filterwarnings("ignore", category=sx.NationalChecksumNotVerified)

# Countries whose whole national bank registry schwifty carries: a bank code it does not
# know there is an error (elsewhere the bank and its BIC simply stay unknown).
REGISTRY_COUNTRIES = frozenset({"FI", "SE", "NO", "DK", "DE", "NL"})


@dataclass(frozen=True)
class Account:
    iban: str
    bban: str
    bic: str | None
    country_code: str


class AccountError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def expand_fi(value: str) -> str:
    """A Finnish domestic account number (`123456-785`) as the 14-digit BBAN.

    The first six digits name the bank and branch; the rest is padded with zeros to 14
    digits: after the 7th digit for savings banks, POP and Aktia (4) and OP (5), after the
    6th for every other bank. Anything that is not 8-14 digits is returned cleaned only.
    """
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"[0-9]{8,14}", digits):
        return digits.upper()
    zeros = "0" * (14 - len(digits))
    if digits[0] in "45":
        return digits[:7] + zeros + digits[7:]
    return digits[:6] + zeros + digits[6:]


def _clean(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def _why(exc: Exception, country: str, *, bban: bool) -> str:
    spec = None
    try:
        spec = registry.get_iban_spec(country)
    except Exception:
        pass
    if isinstance(exc, sx.InvalidCountryCode) or (spec is None and country):
        return f"no IBAN for the country code {country!r}: unknown country or one without IBANs"
    if isinstance(exc, sx.InvalidChecksumDigits):
        return "wrong checksum: the IBAN check digits do not match (mistyped number?)"
    if isinstance(exc, sx.InvalidBBANChecksum):
        return "wrong checksum: the national check digit does not match (mistyped number?)"
    if isinstance(exc, sx.InvalidLength) and spec is not None:
        n = spec.iban_length - 4 if bban else spec.iban_length
        return f"wrong length: a {country} {'BBAN' if bban else 'IBAN'} has {n} characters"
    if isinstance(exc, (sx.InvalidBankCode, sx.InvalidBranchCode)):
        return "unknown bank"
    if isinstance(exc, sx.InvalidStructure) and spec is not None:
        n = spec.iban_length - 4 if bban else spec.iban_length
        return (
            f"wrong format: a {country} {'BBAN' if bban else 'IBAN'} has {n} characters, "
            f"the BBAN laid out as {spec.bban_spec} (n digit, a letter, c either)"
        )
    return "not a valid account number"


def derive(*, iban: str | None, bban: str | None, country: str | None) -> Account:
    """The full account from an IBAN, or from a BBAN and its country."""
    if iban:
        field, text = "iban", _clean(iban)
        country = text[:2]
        try:
            account = IBAN(text, validate_bban=True)
        except (sx.SchwiftyException, ValueError, KeyError, IndexError) as exc:
            raise AccountError("iban", _why(exc, country, bban=False)) from None
    elif bban:
        if not country:
            raise AccountError("countryCode", "needed to derive the IBAN from bban")
        field, text = "bban", expand_fi(bban) if country == "FI" else _clean(bban)
        try:
            account = IBAN.from_bban(country, text, validate_bban=True)
        except (sx.SchwiftyException, ValueError, KeyError, IndexError) as exc:
            raise AccountError("bban", _why(exc, country, bban=True)) from None
    else:
        raise AccountError("iban", "iban or bban is required")
    if account.bank is None and account.country_code in REGISTRY_COUNTRIES:
        raise AccountError(field, f"unknown bank: no {account.country_code} bank has the code {account.bank_code}")
    bic = account.bic  # None for a bank without a BIC of its own (some small Danish ones)
    return Account(
        iban=str(account.compact),
        bban=str(account.bban),
        bic=str(bic) if bic is not None else None,
        country_code=account.country_code,
    )


def check_bic(value: str) -> str:
    """A BIC given for an account whose bank schwifty does not know."""
    try:
        return str(BIC(_clean(value)))
    except (sx.SchwiftyException, ValueError, KeyError, IndexError):
        raise ValueError("not a valid BIC (SWIFT code)") from None
