"""Pledges: guarantees and collaterals (seed 002), one table told apart by pledgeKind."""

from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.customers.models import Customer
from custreg.errors import FieldErrors
from custreg.pledges.models import Pledge
from custreg.pledges.schemas import COLLATERAL_ONLY, GUARANTEE_ONLY, PledgeFields, PledgeRead
from custreg.records import RecordKind, to_dict


def rule(session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    errors = FieldErrors()
    other, kind = (
        (COLLATERAL_ONLY, "COLLATERAL") if values["pledgeKind"] == "GUARANTEE" else (GUARANTEE_ONLY, "GUARANTEE")
    )
    for name in other:
        if values.get(name) is not None:
            errors.add(name, f"belongs to a {kind} only")
    errors.raise_if_any()
    return values


PLEDGES = RecordKind(
    model=Pledge,
    path="pledges",
    id_field="pledgeGuid",
    write_schema=PledgeFields,
    read_schema=PledgeRead,
    title="pledge",
    rule=rule,
)

# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.
_COMMON = ("pledgeType", "referenceNumber", "description", "note", "currencyCode")


def detail_part(customer: Customer, cuid: str) -> dict[str, Any]:
    guarantees, collaterals = [], []
    for p in customer.pledges:
        d = to_dict(PLEDGES, p)
        if p.pledge_kind == "GUARANTEE":
            guarantees.append({"guaranteeGuid": p.pledge_guid, **{k: d[k] for k in _COMMON + GUARANTEE_ONLY}})
        else:
            collaterals.append({"collateralGuid": p.pledge_guid, **{k: d[k] for k in _COMMON + COLLATERAL_ONLY}})
    return {"guarantees": guarantees, "collaterals": collaterals}


def load_pledges() -> LoaderOption:
    return selectinload(Customer.pledges)
