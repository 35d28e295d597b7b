"""Reading the audit trail (`GET .../customers/{customer}/history`). The trail is written by
the customer write path (customers/audit.py)."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from custreg.customers.models import AuditEntry, Customer
from custreg.customers.service import parse_key
from custreg.errors import NotFound


def history_page(
    session: Session, company, key: str, *, top: int, skip: int, where: list | None = None, order: list | None = None
) -> tuple[int, list]:
    """The trail of one customer, newest first; works for a deleted customer too."""
    kind, asked = parse_key(key)
    column, value = (AuditEntry.customer_number if kind == "number" else AuditEntry.customer_guid), asked
    if kind == "number":
        # Numbers are never reused, but resolve through the live customer when there is one.
        guid = session.scalar(
            select(Customer.customer_guid).where(Customer.company_id == company.id, Customer.customer_number == value)
        )
        if guid is not None:
            column, value = AuditEntry.customer_guid, guid
    conds = [AuditEntry.company_id == company.id, column == value, *(where or [])]
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conds)) or 0
    if total == 0 and not where:
        exists = session.scalar(
            select(Customer.id).where(
                Customer.company_id == company.id,
                (Customer.customer_number if kind == "number" else Customer.customer_guid) == asked,
            )
        )
        if exists is None:
            raise NotFound(f"Customer {key!r} not found")
    rows = session.scalars(
        select(AuditEntry).where(*conds).order_by(*(order or []), AuditEntry.id.desc()).limit(top).offset(skip)
    ).all()
    return total, list(rows)
