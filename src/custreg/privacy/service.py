"""Erasure (issue 26, docs/privacy.md): a person's personal data removed or irreversibly
anonymised everywhere custreg keeps it, through the one write path; the customer number, the
fact of erasure and the financial records bookkeeping requires stay. Refused (409 naming the
rule) while a retention rule holds."""

import datetime as dt
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.consents.models import ConsentChange
from custreg.custom_services import service as custom_services
from custreg.customers import audit, writer
from custreg.customers.models import AuditEntry, Customer, CustomerAlias
from custreg.customers.shape import CUSTOMER_FIELDS
from custreg.db.base import utcnow
from custreg.db.columns import snake
from custreg.db.idempotency import IdempotencyKey
from custreg.errors import Conflict
from custreg.events import service as events
from custreg.insurances.models import CreditInsurance
from custreg.loans.models import Loan
from custreg.mandates.models import DirectDebitMandate
from custreg.pledges.models import Pledge
from custreg.privacy.models import Erasure
from custreg.register import service as register

# What an erased customer keeps of its own fields: its kind (the number and GUID are keys).
KEPT_FIELDS = frozenset({"customerType"})
# Records removed with the person's data; mandates, insurances and pledges are the financial
# records that stay (their free-text notes cleared).
REMOVED = (
    *("addresses", "bank_accounts", "contacts", "consents", "actions", "parameters", "extra_fields"),
    *("external_ids", "user_links", "relations", "related_by"),
)
ERASED = "(erased)"


def retention_holds(session: Session, company: Company, customer: Customer, today: dt.date) -> list[dict[str, str]]:
    """The retention rules that hold for the customer now, each as a problem's field error."""
    rules = []
    m, i, p = DirectDebitMandate, CreditInsurance, Pledge
    if session.scalar(
        select(func.count(m.id)).where(
            m.customer_id == customer.id, m.closed_at.is_(None), or_(m.valid_until.is_(None), m.valid_until >= today)
        )
    ):
        rules.append({"field": "directDebitMandates", "message": "an active direct debit mandate"})
    if session.scalar(
        select(func.count(i.id)).where(i.customer_id == customer.id, or_(i.end_date.is_(None), i.end_date >= today))
    ):
        rules.append({"field": "creditInsurances", "message": "an active credit insurance"})
    if session.scalar(
        select(func.count(p.id)).where(
            p.customer_id == customer.id,
            or_(p.realized.is_(None), p.realized.is_(False)),
            or_(p.valid_until.is_(None), p.valid_until >= today),
        )
    ):
        rules.append({"field": "pledges", "message": "an active guarantee or collateral"})
    if session.scalar(select(func.count(Loan.id)).where(Loan.customer_id == customer.id, Loan.balance > 0)):
        rules.append({"field": "loans", "message": "a loan with an outstanding balance"})
    years = register.settings(session, company.id).financial_retention_years
    if years:
        last = session.scalar(
            select(
                func.max(
                    union_all(*(select(t.last_updated_at).where(t.customer_id == customer.id) for t in (m, i, p, Loan)))
                    .subquery()
                    .c.last_updated_at
                )
            )
        )
        if last is not None and _plus_years(last.date(), years) > today:
            rules.append(
                {
                    "field": "financialRetentionYears",
                    "message": f"the last financial record is from {last.date()}, kept {years} years",
                }
            )
    return rules


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def erase(session: Session, company: Company, customer: Customer, *, actor: str, reason: str) -> Erasure:
    rules = retention_holds(session, company, customer, utcnow().date())
    if rules:
        raise Conflict(
            "Erasure is refused while a retention rule holds: " + "; ".join(r["message"] for r in rules),
            rules,
            rules=[r["field"] for r in rules],
        )
    guids = [customer.customer_guid, *_merged_guids(session, customer)]
    for name in REMOVED:
        collection = getattr(customer, name)
        for record in list(collection):
            owner = record.customer if name == "related_by" else None
            collection.remove(record)
            session.delete(record)
            if owner is not None and owner.id != customer.id:
                writer.changed(session, owner)
    for record in [*customer.credit_insurances, *customer.pledges, *customer.loans]:
        record.note = None
    session.execute(delete(ConsentChange).where(ConsentChange.customer_id == customer.id))
    for f in CUSTOMER_FIELDS:
        if f not in KEPT_FIELDS:
            setattr(customer, snake(f), None)
    customer.full_name_given = False
    customer.excluded = True  # out of lists and searches
    writer.changed(session, customer, event="customer.erased")
    writer.flush(session)
    _anonymise_audit(session, company, guids)
    events.forget(session, company, guids)
    custom_services.forget(session, company, guids)
    _forget_answers(session, company, customer)
    audit.note(session, customer, "erase", "customer", [{"field": "reason", "old": None, "new": reason}])
    done = Erasure(
        company_id=company.id,
        customer_guid=customer.customer_guid,
        customer_number=customer.customer_number,
        actor=actor,
        reason=reason,
    )
    session.add(done)
    session.flush()
    return done


def _merged_guids(session: Session, customer: Customer) -> list[Any]:
    """The GUIDs of customers merged into this one: their audit entries hold the person too."""
    return list(session.scalars(select(CustomerAlias.customer_guid).where(CustomerAlias.survivor_id == customer.id)))


def _anonymise_audit(session: Session, company: Company, guids: list[Any]) -> None:
    """Every audit entry keeps who, when, what operation on which field; the values go."""
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.changes).where(
            AuditEntry.company_id == company.id, AuditEntry.customer_guid.in_(guids)
        )
    ).all()
    for id_, changes in rows:
        blank = [
            {
                "field": c.get("field"),
                "old": None if c.get("old") is None else ERASED,
                "new": None if c.get("new") is None else ERASED,
            }
            for c in changes or []
        ]
        session.execute(update(AuditEntry).where(AuditEntry.id == id_).values(changes=blank))


def _forget_answers(session: Session, company: Company, customer: Customer) -> None:
    """Stored Idempotency-Key answers about the customer (their bodies repeat its data)."""
    paths = (f"/customers/{customer.customer_guid}", f"/customers/{customer.customer_number}")
    text = cast(IdempotencyKey.headers, String)
    rows = session.execute(
        select(IdempotencyKey.id, IdempotencyKey.headers).where(
            IdempotencyKey.scope == company.cuid, or_(*(text.contains(p) for p in paths))
        )
    ).all()
    ids = []
    for id_, headers in rows:
        location = (headers or {}).get("location") or (headers or {}).get("Location") or ""
        if any(location.endswith(p) or p + "/" in location for p in paths):
            ids.append(id_)
    if ids:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids)))
