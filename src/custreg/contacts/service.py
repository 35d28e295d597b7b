"""Contact rules: phone in E.164 (national input read in the customer's country), e-mail
normalized, at most one default contact per customer."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from custreg.bank_accounts.service import customer_country
from custreg.contacts.models import Contact
from custreg.contacts.schemas import ContactFields, ContactRead
from custreg.customers.validation import normalize_email, normalize_phone
from custreg.errors import FieldErrors
from custreg.records import RecordKind


def unset_other_defaults(session: Session, customer, keep_id: int | None) -> None:
    stmt = update(Contact).where(Contact.customer_id == customer.id, Contact.is_default.is_(True))
    if keep_id is not None:
        stmt = stmt.where(Contact.id != keep_id)
    session.execute(stmt.values(is_default=False), execution_options={"synchronize_session": "fetch"})


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    errors = FieldErrors()
    if not (values.get("name") or values.get("phone") or values.get("email")):
        for f in ("name", "phone", "email"):
            errors.add(f, "one of name, phone or email is required")
    if values.get("phone"):
        try:
            values["phone"] = normalize_phone(values["phone"], customer_country(company, customer))
        except ValueError as exc:
            errors.add("phone", str(exc))
    if values.get("email"):
        try:
            values["email"] = normalize_email(values["email"])
        except ValueError as exc:
            errors.add("email", str(exc))
    errors.raise_if_any()
    values["isDefault"] = bool(values.get("isDefault"))
    if values["isDefault"]:
        unset_other_defaults(session, customer, existing.id if existing is not None else None)
    return values


CONTACTS = RecordKind(
    model=Contact,
    path="contacts",
    id_field="contactGuid",
    write_schema=ContactFields,
    read_schema=ContactRead,
    title="contact",
    rule=rule,
)
