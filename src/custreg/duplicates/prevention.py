"""Prevention (issue 26): identity numbers unique within a company while its register
setting says so (the default). A rule of the one write path (`hooks.APPLY_MANY`): a create
batch of the import is checked with one query, an update with the same one.

The numbers compared are the write path's normalized form (`validation.normalize` →
`identifiers.validate_id_number`), so any written form of one number matches. The check is
in the service rather than a unique index, which the setting could not switch per company;
races are closed by the company's change lock (`writer.lock_changes`, taken first: every
writer of a company on PostgreSQL waits for it; SQLite serializes writers anyway)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import writer
from custreg.customers.models import Customer
from custreg.errors import Conflict
from custreg.register import service as register


def identity_key(values: dict[str, Any]) -> str | None:
    """The identity number a customer's normalized values match on, or None."""
    return values.get("idNumber") or None


def refuse_duplicate_identity(session: Session, company: Company, items: list[tuple[Any, dict[str, Any]]]) -> None:
    """409 naming the customer that holds an identity number one of `items` would repeat."""
    keys = [(c, identity_key(v)) for c, v in items]
    wanted = {k for _, k in keys if k}
    if not wanted or not register.settings(session, company.id).unique_identity_numbers:
        return
    writer.lock_changes(session, company.id)
    own = {c.id for c, _ in keys if c.id is not None}
    holders: dict[str, tuple[int, Any]] = {}
    for number, guid, id_number, cid in session.execute(
        select(Customer.customer_number, Customer.customer_guid, Customer.id_number, Customer.id).where(
            Customer.company_id == company.id, Customer.id_number.in_(sorted(wanted))
        )
    ):
        if cid not in own and id_number is not None:
            holders.setdefault(id_number, (number, guid))
    seen: dict[str, int] = {}
    for i, (_, key) in enumerate(keys):
        if not key:
            continue
        if key in holders:
            number, guid = holders[key]
            raise _conflict(number, str(guid))
        if key in seen:  # two new customers of one batch: the batch is retried row by row
            raise Conflict(
                "Two customers of this batch have the same idNumber",
                [{"field": "idNumber", "message": "repeated within the batch"}],
            )
        seen[key] = i


def _conflict(number: int, guid: str) -> Conflict:
    return Conflict(
        f"idNumber is already used by customer {number}",
        [{"field": "idNumber", "message": f"already used by customer {number}"}],
        holder={"customerNumber": number, "customerGuid": guid},
    )
