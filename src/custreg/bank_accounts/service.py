"""Bank account rules: the numbers derived through schwifty, one default account per customer."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from custreg.bank_accounts import numbers
from custreg.bank_accounts.models import BankAccount
from custreg.bank_accounts.schemas import BankAccountFields, BankAccountRead
from custreg.customers.shape import main_address
from custreg.errors import Conflict, field_error
from custreg.records import RecordKind


def customer_country(company, customer) -> str:
    """The country a national number is read in: the customer's, else the company's."""
    address = main_address(customer)
    return (address.country_code if address is not None else None) or company.country_code


def unset_other_defaults(session: Session, customer, keep_id: int | None) -> None:
    stmt = update(BankAccount).where(BankAccount.customer_id == customer.id, BankAccount.default_account.is_(True))
    if keep_id is not None:
        stmt = stmt.where(BankAccount.id != keep_id)
    session.execute(stmt.values(default_account=False), execution_options={"synchronize_session": "fetch"})


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    country = values.get("countryCode") or customer_country(company, customer)
    try:
        account = numbers.derive(iban=values.get("iban"), bban=values.get("bban"), country=country)
    except numbers.AccountError as exc:
        raise field_error(exc.field, exc.message) from None
    bic = account.bic
    if bic is None and values.get("bic"):  # a bank schwifty does not know: keep a valid given BIC
        try:
            bic = numbers.check_bic(values["bic"])
        except ValueError as exc:
            raise field_error("bic", str(exc)) from None
    values.update(iban=account.iban, bban=account.bban, bic=bic, countryCode=account.country_code)

    keep = existing.id if existing is not None else None
    same = select(BankAccount.id).where(BankAccount.customer_id == customer.id, BankAccount.iban == account.iban)
    if keep is not None:
        same = same.where(BankAccount.id != keep)
    if session.scalar(same.limit(1)) is not None:
        raise field_error("iban", f"the customer already has the account {account.iban}", Conflict)

    if values.get("defaultAccount") is None:
        # The first account is the default.
        others = select(BankAccount.id).where(
            BankAccount.customer_id == customer.id, BankAccount.default_account.is_(True)
        )
        if keep is not None:
            others = others.where(BankAccount.id != keep)
        values["defaultAccount"] = session.scalar(others.limit(1)) is None
    if values["defaultAccount"]:
        unset_other_defaults(session, customer, keep)
    return values


BANK_ACCOUNTS = RecordKind(
    model=BankAccount,
    path="bank-accounts",
    id_field="accountGuid",
    write_schema=BankAccountFields,
    read_schema=BankAccountRead,
    title="bank account",
    rule=rule,
)
