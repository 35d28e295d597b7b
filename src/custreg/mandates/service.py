"""Direct debit mandates: type and account-class enums, account numbers checked for their
class, validity in order, and closing (sets closedAt, keeps the mandate)."""

import re
import warnings
from typing import Any

from schwifty import IBAN
from schwifty import exceptions as sx
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption
from stdnum import luhn
from stdnum.no import kontonr

from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.errors import Conflict, FieldErrors
from custreg.mandates.models import DirectDebitMandate
from custreg.mandates.schemas import MandateFields, MandateRead
from custreg.records import RecordKind, to_dict

warnings.filterwarnings("ignore", category=sx.NationalChecksumNotVerified)

SEPARATORS = re.compile(r"[\s\-.]")


def _digits(value: str, low: int, high: int, what: str) -> str:
    digits = SEPARATORS.sub("", value)
    if not digits.isdigit() or not low <= len(digits) <= high:
        raise ValueError(f"not a {what}: {low}-{high} digits expected")
    return digits


def _giro(value: str, low: int, high: int, what: str) -> str:
    digits = _digits(value, low, high, what)
    if not luhn.is_valid(digits):
        raise ValueError(f"not a {what}: wrong check digit")
    return digits


def _iban(value: str, country: str | None) -> str:
    try:
        iban = IBAN(value)
    except (sx.SchwiftyException, ValueError) as e:
        raise ValueError(f"not a valid IBAN ({e})") from None
    if country and iban.country_code != country:
        raise ValueError(f"must be an IBAN of {country}")
    return iban.compact


def _norwegian_account(value: str) -> str:
    digits = _digits(value, 11, 11, "Norwegian bank account number")
    if not kontonr.is_valid(digits):
        raise ValueError("not a Norwegian bank account number: wrong check digit")
    return digits


# Account class → fn(number) -> normalized number (ValueError when it does not fit).
# Classes without a format we can check (5 Danish and 7 Norwegian bankgiro) take any number.
ACCOUNT_FORMATS = {
    1: lambda v: _giro(v, 2, 8, "Plusgiro number"),
    2: lambda v: _giro(v, 7, 8, "Bankgiro number"),
    3: lambda v: _iban(v, "NL"),
    4: lambda v: _iban(v, None),
    8: _norwegian_account,
    9: lambda v: _digits(v, 8, 16, "Swedish bank account number (clearing number + account)"),
    10: lambda v: _iban(v, "FI"),
}


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    if existing is not None and existing.closed_at is not None:
        raise Conflict(
            "A closed mandate is kept as it was; create a new one",
            [{"field": "closedAt", "message": "the mandate is closed"}],
        )
    errors = FieldErrors()
    if values.get("validFrom") and values.get("validUntil") and values["validUntil"] < values["validFrom"]:
        errors.add("validUntil", "must not be before validFrom")
    account_class = values.get("sendingBankAccountClass")
    check = ACCOUNT_FORMATS.get(account_class) if account_class is not None else None
    if check and values.get("sendingBankAccountNo"):
        try:
            values["sendingBankAccountNo"] = check(values["sendingBankAccountNo"])
        except ValueError as e:
            errors.add("sendingBankAccountNo", str(e))
    errors.raise_if_any()
    return values


MANDATES = RecordKind(
    model=DirectDebitMandate,
    path="direct-debit-mandates",
    id_field="mandateGuid",
    write_schema=MandateFields,
    read_schema=MandateRead,
    title="direct debit mandate",
    rule=rule,
)


def close(session: Session, customer: Customer, mandate: DirectDebitMandate, closed_at) -> None:
    if mandate.closed_at is not None:
        raise Conflict(
            f"The mandate was closed at {mandate.closed_at.isoformat()}",
            [{"field": "closedAt", "message": "already closed"}],
        )
    mandate.closed_at = closed_at or utcnow()
    mandate.last_updated_at = utcnow()
    customer_writer.changed(session, customer)
    customer_writer.flush(session)


# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_direct_debit_mandates() -> LoaderOption:
    return selectinload(Customer.direct_debit_mandates)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"directDebitMandates": [to_dict(MANDATES, m) for m in c.direct_debit_mandates]}
