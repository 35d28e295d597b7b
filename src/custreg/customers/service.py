"""Customer rules: create, replace, patch, delete, get. Every write goes through
customers/writer.py; services never commit (docs/architecture.md)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from custreg import etags
from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import document, hooks, rows, validation, writer
from custreg.customers.models import Customer, CustomerAlias
from custreg.customers.shape import ADDRESS_FIELDS, CUSTOMER_FIELDS, main_address, values_of
from custreg.db.base import utcnow
from custreg.db.columns import snake
from custreg.errors import Conflict, FieldErrors, NotFound, Unprocessable, listed

MAX_NUMBER = 2**63 - 1  # a BIGINT


def parse_key(key: str) -> tuple[str, Any]:
    """`{customer}` in a path: a customer number or a GUID."""
    if key.isascii() and key.isdigit():  # not "²": str.isdigit() takes any Unicode digit
        number = int(key)
        if number > MAX_NUMBER:  # no such customer; the database could not even bind it
            raise NotFound(f"Customer {key!r} not found")
        return "number", number
    try:
        return "guid", uuid.UUID(key)
    except ValueError:
        raise NotFound(f"Customer {key!r} not found") from None


def get(
    session: Session,
    company: Company,
    key: str,
    *,
    for_update: bool = False,
    full: bool = True,
    follow_merged: bool = True,
) -> Customer:
    """The customer by number or GUID; a merged customer's number or GUID gives the survivor
    (unless `follow_merged` is False: a delete names the customer itself)."""
    kind, value = parse_key(key)
    column = Customer.customer_number if kind == "number" else Customer.customer_guid
    customer = _get(session, company, column == value, for_update=for_update, full=full)
    if customer is None and follow_merged:
        survivor = merged_into(session, company, kind, value)
        if survivor is not None:
            customer = _get(session, company, Customer.id == survivor, for_update=for_update, full=full)
    if customer is None:
        raise NotFound(f"Customer {key!r} not found")
    return customer


def _get(session: Session, company: Company, where: Any, *, for_update: bool, full: bool) -> Customer | None:
    stmt = select(Customer).where(Customer.company_id == company.id, where)
    if full:
        stmt = stmt.options(*load_options())
    if for_update:
        # The change-feed lock comes before any customer row lock (no lock-order deadlock).
        writer.lock_changes(session, company.id)
        stmt = stmt.with_for_update(of=Customer)
    return session.scalar(stmt)


def merged_into(session: Session, company: Company, kind: str, value: Any) -> int | None:
    """The id of the customer that a merged customer's number or GUID now leads to, or None."""
    a = CustomerAlias
    column = a.customer_number if kind == "number" else a.customer_guid
    return session.scalar(select(a.survivor_id).where(a.company_id == company.id, column == value))


def was_merged(customer: Customer, key: str) -> bool:
    """Did `key` name a customer merged into `customer` (not the customer itself)?"""
    kind, value = parse_key(key)
    return value != (customer.customer_number if kind == "number" else customer.customer_guid)


def stored_document(session: Session, company: Company, key: str) -> tuple[str, int] | None:
    """The customer's stored document and version, or None (then render it live)."""
    kind, value = parse_key(key)
    return document.stored(session, company.id, "customer_number" if kind == "number" else "customer_guid", value)


def load_options() -> list:
    """Relationships a full customer read needs; each domain adds its own loader."""
    return [selectinload(Customer.addresses)] + [opt() for opt in hooks.LOADERS]


def check_if_match(customer: Customer, if_match: str | None) -> None:
    etags.check(etags.quoted(str(customer.version)), if_match)


def _apply(
    session: Session, company: Company, customer: Customer, values: dict[str, Any], *, given_full_name: bool
) -> None:
    v = validation.normalize(values, default_country=company.country_code)
    errors = FieldErrors()
    rows.LazyCodes(session, company).check_customer(v, errors)
    errors.raise_if_any()
    _check_parent(session, company, customer.customer_guid, v.get("parentCustomer"))
    for hook in hooks.APPLY:
        hook(session, company, customer, v)
    for many in hooks.APPLY_MANY:
        many(session, company, [(customer, v)])
    if given_full_name and not customer.full_name_given and v.get("fullName") == validation.derive_full_name(v):
        given_full_name = False  # the derived name sent back (a GET's body) stays derived
    customer.full_name_given = given_full_name
    if not given_full_name:
        v["fullName"] = validation.derive_full_name(v)
    for f in CUSTOMER_FIELDS:
        if f != "excluded":
            setattr(customer, snake(f), v.get(f))
    if v.get("excluded") is not None:  # a replace keeps it unless named (REGISTER_OWNED)
        customer.excluded = bool(v["excluded"])
    _apply_main_address(customer, {f: v.get(f) for f in ADDRESS_FIELDS})


def _apply_main_address(customer: Customer, fields: dict[str, Any]) -> None:
    address = main_address(customer)
    if address is None:
        if not any(fields.values()):
            return
        address = Address(address_type="LEGAL", default_address=True, address_guid=uuid.uuid4())
        customer.addresses.append(address)
    for f, value in fields.items():
        setattr(address, snake(f), value)
    if writer.modified(address):
        address.last_updated_at = utcnow()


def _check_parent(session: Session, company: Company, guid: uuid.UUID, parent: uuid.UUID | None) -> None:
    if parent is None:
        return
    if parent == guid:
        raise Unprocessable(
            "A customer cannot be its own parent", [{"field": "parentCustomer", "message": "is the customer itself"}]
        )
    found = session.scalar(
        select(Customer.id).where(Customer.company_id == company.id, Customer.customer_guid == parent)
    )
    if found is None:
        raise Unprocessable(
            "parentCustomer not found in this company",
            [{"field": "parentCustomer", "message": "no such customer in this company"}],
        )


def create(
    session: Session,
    company: Company,
    values: dict[str, Any],
    *,
    customer_guid: uuid.UUID | None = None,
    number: int | None = None,
) -> writer.Created:
    """Validate and write one new customer (`values`: every field of a create; None clears)."""
    new = rows.prepare(
        values,
        customer_guid,
        0,
        company.country_code,
        rows.LazyCodes(session, company),
        _documents(company),
        rows.binder_for(session.get_bind().dialect.name),
        hooks.COPIES,
    )
    if customer_guid is not None and session.scalar(
        select(Customer.id).where(Customer.company_id == company.id, Customer.customer_guid == customer_guid)
    ):
        raise Conflict(
            f"customerGuid {customer_guid} is already in use", [{"field": "customerGuid", "message": "already in use"}]
        )
    _check_parent(session, company, new.guid, new.values.get("parentCustomer"))
    return writer.create(session, company, [new], number=number)[0]


def _documents(company: Company) -> document.NewDocuments:
    return document.NewDocuments(company.cuid, rows.VALUE_FIELDS, rows.ADDRESS_FIELDS)


# What a replace does not own: the register's and other integrations' data about the
# customer. Missing or null in a replace, they keep their stored value (docs/customers.md).
REGISTER_OWNED = ("attachedUsers", "excluded", "externalSystemId", "externalSystemIdentifier")


def replace(session: Session, company: Company, customer: Customer, values: dict[str, Any]) -> None:
    """PUT: every field the customer owns from `values`, missing ones cleared; the
    REGISTER_OWNED ones change only when given."""
    values = {k: v for k, v in values.items() if k not in REGISTER_OWNED or v is not None}
    _apply(session, company, customer, values, given_full_name=bool(values.get("fullName")))
    writer.changed(session, customer)
    writer.flush(session)


def patch(session: Session, company: Company, customer: Customer, changes: dict[str, Any]) -> None:
    """PATCH as a JSON merge patch."""
    values = values_of(customer, main_address(customer))
    if "idNumber" in changes:  # a new code re-derives what the old one filled
        values.setdefault("dateOfBirth", None)
        if "dateOfBirth" not in changes:
            values["dateOfBirth"] = None
        if "gender" not in changes:
            values["gender"] = None
    values.update(changes)
    given = bool(changes["fullName"]) if "fullName" in changes else customer.full_name_given
    _apply(session, company, customer, values, given_full_name=given)
    writer.changed(session, customer)
    writer.flush(session)


def delete(session: Session, customer: Customer) -> None:
    writer.changed(session, customer, op="delete")
    session.delete(customer)
    writer.flush(session)


def bulk_delete(session: Session, company: Company, keys: list[int | str]) -> int:
    """Delete all of `keys` (numbers or GUIDs) or none: an unknown one is a 404."""
    found: dict[Any, Customer] = {}
    missing = []
    for key in keys:
        try:
            found[str(key)] = get(session, company, str(key), for_update=True, follow_merged=False)
        except NotFound:
            missing.append(str(key))
    if missing:
        raise NotFound(
            f"Unknown customers: {listed(missing)}",
            [{"field": "body", "message": f"unknown customer {k}"} for k in missing],
        )
    unique = {c.id: c for c in found.values()}
    for customer in unique.values():
        delete(session, customer)
    return len(unique)
