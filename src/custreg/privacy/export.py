"""The subject access export (issue 26): everything custreg holds about one customer as one
JSON document — the full customer as GET shows it (every field and record), the consents'
history, the audit trail (its own and that of customers merged into it), the aliases that
lead to it and the erasures done."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from custreg.access.schemas import HistoryEntry
from custreg.companies.models import Company
from custreg.consents import service as consents
from custreg.consents.schemas import ConsentChangeRead
from custreg.customers import read
from custreg.customers.models import AuditEntry, Customer, CustomerAlias
from custreg.db.base import utcnow
from custreg.privacy.models import Erasure
from custreg.privacy.schemas import ExportAlias, ExportErasure, ExportHistoryEntry, SubjectExport

MAX_AUDIT = 100_000  # entries of one customer; a register keeps far fewer


def subject_export(session: Session, company: Company, customer: Customer) -> SubjectExport:
    aliases = session.execute(
        select(CustomerAlias.customer_number, CustomerAlias.customer_guid, CustomerAlias.merged_at)
        .where(CustomerAlias.survivor_id == customer.id)
        .order_by(CustomerAlias.id)
    ).all()
    guids = [customer.customer_guid, *(a.customer_guid for a in aliases)]
    trail = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.company_id == company.id, AuditEntry.customer_guid.in_(guids))
        .order_by(AuditEntry.id)
        .limit(MAX_AUDIT)
    ).all()
    erasures = session.scalars(
        select(Erasure).where(Erasure.company_id == company.id, Erasure.customer_guid == customer.customer_guid)
    ).all()
    return SubjectExport(
        exportedAt=utcnow(),
        company={"cuid": company.cuid, "name": company.name},
        customer=read.detail(customer, company.cuid),
        consentHistory=[ConsentChangeRead(**c) for c in consents.all_changes(session, customer)],
        history=[
            ExportHistoryEntry(
                **HistoryEntry.of(e).model_dump(), customerNumber=e.customer_number, customerGuid=e.customer_guid
            )
            for e in trail
        ],
        mergedFrom=[
            ExportAlias(customerNumber=a.customer_number, customerGuid=a.customer_guid, mergedAt=a.merged_at)
            for a in aliases
        ],
        erasures=[ExportErasure(at=e.at, actor=e.actor, reason=e.reason) for e in erasures],
    )
