"""Relations between customers of one company, the views derived from them on the full
customer (myGuarantors, guaranteeFor, allRelatedCustomers), and parentCustomer cycles."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.companies.models import Company
from custreg.customers import read as customer_read
from custreg.customers import service as customers
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.errors import Conflict, NotFound, field_error
from custreg.records import RecordKind
from custreg.register import service as register
from custreg.relations.models import CustomerRelation
from custreg.relations.schemas import RelationFields, RelationRead


def check_role_code(session: Session, company: Company, code: str | None) -> str:
    """The one place that decides which role codes a company may use: its register's
    `relationRoles` (GUARANTOR, CONTACT_PERSON, SUBSIDIARY, CO_DEBTOR to begin with)."""
    if not code:
        raise field_error("roleCode", "is required")
    register.check_code(session, company, "relationRoles", code, "roleCode")
    return code


def _related(session: Session, company: Company, key: str) -> Customer:
    try:
        kind, value = customers.parse_key(key)
    except NotFound:
        kind, value = None, None
    if kind == "number" and value > 2**63 - 1:  # no such customer number (and no overflow)
        kind = None
    column = Customer.customer_number if kind == "number" else Customer.customer_guid
    found = (
        None
        if kind is None
        else session.scalar(select(Customer).where(Customer.company_id == company.id, column == value))
    )
    if found is None:
        raise field_error("relatedCustomer", "no such customer in this company")
    return found


def rule(
    session: Session, company: Company, customer: Customer, values: dict[str, Any], existing: CustomerRelation | None
) -> dict[str, Any]:
    related = _related(session, company, values["relatedCustomer"])
    if related.id == customer.id:
        raise field_error("relatedCustomer", "a customer cannot be related to itself")
    values["roleCode"] = check_role_code(session, company, values.get("roleCode"))
    same = select(CustomerRelation.id).where(
        CustomerRelation.customer_id == customer.id,
        CustomerRelation.related_customer_id == related.id,
        CustomerRelation.role_code == values["roleCode"],
    )
    if existing is not None:
        same = same.where(CustomerRelation.id != existing.id)
        if existing.related_customer_id != related.id:  # the old one's derived view changes too
            old = session.get(Customer, existing.related_customer_id)
            if old is not None:
                customer_writer.changed(session, old, derived=True)
    if session.scalar(same) is not None:
        raise Conflict(
            f"The customer already has {related.customer_guid} as {values['roleCode']}",
            [{"field": "relatedCustomer", "message": "relation with this role already exists"}],
        )
    values["relatedCustomer"] = related.customer_guid
    values["relatedCustomerId"] = related.id
    return values


def touch_related(session: Session, customer: Customer, relation: CustomerRelation, op: str, actor: str | None) -> None:
    """The related customer's derived views (guaranteeFor, allRelatedCustomers) change too."""
    related = session.get(Customer, relation.related_customer_id)
    if related is not None and related.id != customer.id:
        customer_writer.changed(session, related, cause=customer)


RELATIONS = RecordKind(
    model=CustomerRelation,
    path="relations",
    id_field="relationGuid",
    write_schema=RelationFields,
    read_schema=RelationRead,
    title="relation",
    rule=rule,
    on_change=touch_related,
)


def refuse_parent_cycle(session: Session, company: Company, customer: Customer, values: dict[str, Any]) -> None:
    """APPLY_HOOK: a parentCustomer whose own parents lead back to the customer → 409."""
    parent: uuid.UUID | None = values.get("parentCustomer")
    seen: set[uuid.UUID] = set()
    while parent is not None and parent not in seen and len(seen) < 10_000:
        if parent == customer.customer_guid:
            raise Conflict(
                "parentCustomer would make a cycle of parents",
                [{"field": "parentCustomer", "message": "is a descendant of this customer"}],
            )
        seen.add(parent)
        parent = session.scalar(
            select(Customer.parent_customer).where(Customer.company_id == company.id, Customer.customer_guid == parent)
        )


def touch_relations_of_deleted(session: Session, customer: Customer, op: str) -> None:
    """TOUCH_HOOK: when a customer is deleted, customers related to it change (their views)."""
    if op != "delete":
        return
    others = session.scalars(
        select(Customer).where(
            Customer.id.in_(
                select(CustomerRelation.customer_id)
                .where(CustomerRelation.related_customer_id == customer.id)
                .union(select(CustomerRelation.related_customer_id).where(CustomerRelation.customer_id == customer.id))
            )
        )
    ).all()
    for other in others:
        if other.id != customer.id:
            customer_writer.changed(session, other, cause=customer)


# The seed's (002) shape of a related customer.
def _related_view(c: Customer, cuid: str) -> dict[str, Any]:
    return {
        "customerNumber": c.customer_number,
        "customerReference": c.customer_reference,
        "idNumber": c.id_number,
        "juridicalType": 1 if c.customer_type == "COMPANY" else 0,
        "customerType": c.customer_type,
        "companyType": c.company_type,
        "placeOfBirth": c.place_of_birth,
        "dateOfBirth": c.date_of_birth,
        "fullName": c.full_name,
        "vatNumber": c.vat_number,
        "naceCode": c.nace_code,
        "homePhone": c.home_phone,
        "workPhone": c.work_phone,
        "cellularPhone": c.cellular_phone,
        "email": c.email,
        "languageCode": c.language_code,
        "currencyCode": c.currency_code,
        "links": [{"rel": "self", "href": customer_read.href(cuid, c)}],
    }


def detail_part(customer: Customer, cuid: str) -> dict[str, Any]:
    outgoing = list(customer.relations)  # customer → related: related holds the role
    incoming = list(customer.related_by)  # other → customer: customer holds the role
    return {
        "relations": [
            {
                "relationGuid": r.relation_guid,
                "relatedCustomer": r.related_customer,
                "roleCode": r.role_code,
                "lastUpdatedAt": r.last_updated_at,
            }
            for r in outgoing
        ],
        "myGuarantors": [
            {"guarantorGuid": r.related.customer_guid, **_related_view(r.related, cuid)}
            for r in outgoing
            if r.role_code == "GUARANTOR"
        ],
        "guaranteeFor": [
            {"customerGuid": r.customer.customer_guid, **_related_view(r.customer, cuid)}
            for r in incoming
            if r.role_code == "GUARANTOR"
        ],
        "allRelatedCustomers": [
            {
                "customerGuid": r.related.customer_guid,
                "customerRoleCode": r.role_code,
                "relationDirection": "OUTGOING",
                "relationGuid": r.relation_guid,
                **_related_view(r.related, cuid),
            }
            for r in outgoing
        ]
        + [
            {
                "customerGuid": r.customer.customer_guid,
                "customerRoleCode": r.role_code,
                "relationDirection": "INCOMING",
                "relationGuid": r.relation_guid,
                **_related_view(r.customer, cuid),
            }
            for r in incoming
        ],
    }


# The customer at the other end joined into the relations' statement: a separate select
# of them would be skipped when the page already holds them all, so a list's statement
# count would depend on which customers its page holds.
def load_relations() -> LoaderOption:
    return selectinload(Customer.relations).joinedload(CustomerRelation.related)


def load_related_by() -> LoaderOption:
    return selectinload(Customer.related_by).joinedload(CustomerRelation.customer)
