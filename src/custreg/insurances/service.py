"""Credit insurances (seed 002)."""

from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.errors import FieldErrors
from custreg.insurances.models import CreditInsurance
from custreg.insurances.schemas import InsuranceFields, InsuranceRead
from custreg.records import RecordKind, to_dict

# Names of the credit insurers whose reference codes the seed names (and the other large
# ones in the Nordics); another code's name is the code itself until a client gives one.
INSURERS = {
    "ATRADIUS": "Atradius",
    "EULERHERMES": "Euler Hermes",
    "ALLIANZTRADE": "Allianz Trade",
    "COFACE": "Coface",
    "EKN": "EKN",
    "FINNVERA": "Finnvera",
}


def rule(session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    """insuranceDate not given: the date it was first recorded (a replace keeps it; the
    end dates are checked against a given one only); insuranceCompanyName not given: the
    insurer's name by its reference code."""
    start = values.get("insuranceDate")
    if start is None:
        values["insuranceDate"] = existing.insurance_date if existing is not None else utcnow().date()
    code = values.get("insuranceCompanyReferenceCode")
    if values.get("insuranceCompanyName") is None and code:
        values["insuranceCompanyName"] = INSURERS.get(code.upper(), code)
    errors = FieldErrors()
    for name in ("endDate", "extraLimitEndDate"):
        if start and values.get(name) and values[name] < start:
            errors.add(name, "must not be before insuranceDate")
    errors.raise_if_any()
    return values


INSURANCES = RecordKind(
    model=CreditInsurance,
    path="credit-insurances",
    id_field="insuranceGuid",
    write_schema=InsuranceFields,
    read_schema=InsuranceRead,
    title="credit insurance",
    rule=rule,
)

# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_credit_insurances() -> LoaderOption:
    return selectinload(Customer.credit_insurances)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"creditInsurances": [to_dict(INSURANCES, i) for i in c.credit_insurances]}
