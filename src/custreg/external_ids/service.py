"""External system identifiers: the pair rule, uniqueness per company and system."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.errors import Conflict
from custreg.external_ids.models import ExternalId
from custreg.external_ids.schemas import ExternalIdFields, ExternalIdRead
from custreg.records import RecordKind
from custreg.register import service as register


def _check(
    session: Session,
    company: Company,
    customer: Customer,
    system_id: int,
    identifier: str,
    *,
    keep_id: int | None,
    field: str = "externalSystemIdentifier",
) -> None:
    register.check_code(session, company, "externalSystems", str(system_id), field.replace("Identifier", "Id"))
    holder = session.execute(
        select(ExternalId.id, Customer.customer_number)
        .join(Customer, Customer.id == ExternalId.customer_id)
        .where(
            ExternalId.company_id == company.id,
            ExternalId.external_system_id == system_id,
            ExternalId.external_system_identifier == identifier,
        )
    ).first()
    if holder is not None and holder.id != keep_id:
        raise Conflict(
            f"External id {system_id}/{identifier} belongs to customer {holder.customer_number}",
            [{"field": field, "message": f"already used by customer {holder.customer_number}"}],
            customerNumber=holder.customer_number,
        )


def rule(session: Session, company: Company, customer: Customer, values: dict[str, Any], existing):
    _check(
        session,
        company,
        customer,
        values["externalSystemId"],
        values["externalSystemIdentifier"],
        keep_id=existing.id if existing is not None else None,
    )
    return values


def set_for_system(
    session: Session,
    company: Company,
    customer: Customer,
    system_id: int,
    identifier: str,
    *,
    field: str = "externalSystemIdentifier",
) -> None:
    """The customer's identifier in `system_id` becomes `identifier` (Tehden's inline pair)."""
    current = [e for e in customer.external_ids if e.external_system_id == system_id]
    if any(e.external_system_identifier == identifier for e in current):
        return
    _check(session, company, customer, system_id, identifier, keep_id=None, field=field)
    for e in current:
        customer.external_ids.remove(e)
    customer_writer.flush(session)  # the old identifier goes before the new one is inserted
    customer.external_ids.append(
        ExternalId(company_id=company.id, external_system_id=system_id, external_system_identifier=identifier)
    )


EXTERNAL_IDS = RecordKind(
    model=ExternalId,
    path="external-ids",
    id_field="externalIdGuid",
    write_schema=ExternalIdFields,
    read_schema=ExternalIdRead,
    title="external id",
    rule=rule,
)


def usage(session: Session, company: Company, removed: set[str]) -> dict[str, int]:
    ids = [int(c) for c in removed if c.isdigit()]
    rows = session.execute(
        select(ExternalId.external_system_id, func.count())
        .where(ExternalId.company_id == company.id, ExternalId.external_system_id.in_(ids))
        .group_by(ExternalId.external_system_id)
    )
    return {str(k): n for k, n in rows}
