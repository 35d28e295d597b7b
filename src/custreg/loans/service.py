"""Loans (seed 002): a customer's loans with their interest periods, written by the lending
system; read natively, through CLVR, and summed in CLVR's engagements view."""

from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.customers.models import Customer
from custreg.errors import Conflict
from custreg.loans.models import Loan
from custreg.loans.schemas import LoanFields, LoanPeriod, LoanRead
from custreg.records import RecordKind, to_dict

_PERIODS = TypeAdapter(list[LoanPeriod])


def rule(session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    """A loan number names one loan of the customer; the periods are stored as JSON."""
    number = values["loanNumber"].strip()
    taken = select(func.count(Loan.id)).where(Loan.customer_id == customer.id, Loan.loan_number == number)
    if existing is not None:
        taken = taken.where(Loan.id != existing.id)
    if customer.id is not None and session.scalar(taken):
        raise Conflict(
            f"The customer already has a loan {number!r}",
            [{"field": "loanNumber", "message": "already exists for this customer"}],
        )
    values["loanNumber"] = number
    values["periods"] = _PERIODS.dump_python(_PERIODS.validate_python(values.get("periods") or []), mode="json")
    return values


LOANS = RecordKind(
    model=Loan,
    path="loans",
    id_field="loanGuid",
    write_schema=LoanFields,
    read_schema=LoanRead,
    title="loan",
    rule=rule,
)


def balances(customer: Customer) -> tuple[Decimal | None, str | None]:
    """The sum of the outstanding balances of the customer's loans in the customer's
    currency (a loan without one counts in it), and that currency; None without such a loan."""
    currency = customer.currency_code
    counted = [
        loan.balance or Decimal(0)
        for loan in customer.loans
        if loan.currency_code is None or currency is None or loan.currency_code == currency
    ]
    return (sum(counted, Decimal(0)) if counted else None), currency


# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_loans() -> LoaderOption:
    return selectinload(Customer.loans)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"loans": [to_dict(LOANS, loan) for loan in c.loans]}
