"""Merge (issue 26): customers of one company folded into a survivor, in one transaction.

The survivor takes the chosen field values; every record of the merged customers moves to
it (records it already has of the same key collapse into its own), relations naming them are
re-pointed, children follow; the merged customers are deleted through the write path (a
`delete` in the change feed) and leave an alias (`customers.CustomerAlias`) so their number
and GUID lead to the survivor. Audit entries `merge` on every customer involved."""

from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.consents.models import ConsentChange
from custreg.customers import audit, writer
from custreg.customers import service as customers
from custreg.customers.models import Customer, CustomerAlias
from custreg.customers.shape import ADDRESS_FIELDS, CUSTOMER_FIELDS, main_address, values_of
from custreg.errors import FieldErrors, NotFound, Unprocessable

# Records of which the survivor keeps one per key: relationship → key attributes.
COLLAPSE = {
    "bank_accounts": ("iban",),
    "consents": ("channel",),
    "parameters": ("name",),
    "extra_fields": ("name",),
    "user_links": ("user_id",),
    "relations": ("related_customer_id", "role_code"),
}
# One default per customer (or per type): a moved record gives it up when the survivor has one.
DEFAULTS = {"addresses": ("default_address", "address_type"), "bank_accounts": ("default_account", None)}
MERGEABLE = frozenset(CUSTOMER_FIELDS) | frozenset(ADDRESS_FIELDS)


def merge(
    session: Session, company: Company, survivor_key: str, keys: list[str], fields: dict[str, str], tags: dict[str, str]
) -> Customer:
    """Merge the customers of `keys` into the survivor; `fields`: field → customer key whose
    value it takes; `tags`: customer key → its expected ETag. All or nothing."""
    survivor = customers.get(session, company, survivor_key, for_update=True)
    merged = _load(session, company, survivor, keys)
    everyone = {survivor_key: survivor, **dict(zip(keys, merged, strict=True))}
    for key, tag in tags.items():
        if key not in everyone:
            raise Unprocessable(f"ifMatch names {key}, not a customer of this merge", [_err("ifMatch", key)])
        customers.check_if_match(everyone[key], tag)
    taken = _taken(everyone, fields)
    names = [c.customer_number for c in merged]
    for m in merged:
        _move_records(session, survivor, m)
    _repoint(session, company, survivor, merged)
    for m in merged:
        audit.note(
            session, m, "merge", "customer", [{"field": "mergedInto", "old": None, "new": survivor.customer_number}]
        )
        writer.changed(session, m, op="delete", event="customer.merged")
        session.delete(m)
    writer.flush(session)
    session.expire(survivor)  # its collections still hold what the flush deleted (its own relations' other ends)
    audit.note(session, survivor, "merge", "customer", [{"field": "mergedFrom", "old": None, "new": names}])
    version = survivor.version
    if taken:
        customers.patch(session, company, survivor, taken)
    if survivor.version == version:  # a merge changes the survivor even when no value or record moved
        writer.changed(session, survivor, derived=True)
        writer.flush(session)
    return survivor


def _err(field: str, key: str) -> dict[str, str]:
    return {"field": field, "message": f"customer {key}"}


def _load(session: Session, company: Company, survivor: Customer, keys: list[str]) -> list[Customer]:
    merged: dict[int, Customer] = {}
    errors = FieldErrors()
    for i, key in enumerate(keys):
        try:
            c = customers.get(session, company, key, for_update=True)
        except NotFound:
            errors.add(f"from[{i}]", f"no customer {key} in this company")
            continue
        if c.id == survivor.id:
            errors.add(f"from[{i}]", "is the survivor itself")
        elif c.id in merged:
            errors.add(f"from[{i}]", "is named twice")
        merged[c.id] = c
    if errors.items:
        raise Unprocessable(
            "The customers cannot be merged: " + "; ".join(e["message"] for e in errors.items), errors.items
        )
    return list(merged.values())


def _taken(everyone: dict[str, Customer], fields: dict[str, str]) -> dict[str, Any]:
    """The survivor's new values: each field from the customer chosen for it."""
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for field, key in fields.items():
        if field not in MERGEABLE:
            errors.add(f"fields.{field}", "not a customer field")
        elif key not in everyone:
            errors.add(f"fields.{field}", f"{key} is neither the survivor nor one of `from`")
        else:
            c = everyone[key]
            values[field] = values_of(c, main_address(c)).get(field)
    errors.raise_if_any()
    return values


def _key(record: Any, attrs: tuple[str, ...]) -> tuple:
    return tuple(getattr(record, a) for a in attrs)


def _move_records(session: Session, survivor: Customer, m: Customer) -> None:
    for rel in inspect(Customer).relationships:
        if rel.key == "related_by":
            continue  # relations naming the merged customer: _repoint
        collapse = COLLAPSE.get(rel.key)
        own = getattr(survivor, rel.key)
        held = {_key(r, collapse) for r in own} if collapse else set()
        theirs = getattr(m, rel.key)
        for record in list(theirs):
            if (rel.key == "relations" and record.related_customer_id == survivor.id) or (
                collapse and _key(record, collapse) in held
            ):  # it would relate the survivor to itself, or the survivor's own record of that key stays
                theirs.remove(record)
                session.delete(record)
                continue
            flag = DEFAULTS.get(rel.key)
            if (
                flag
                and getattr(record, flag[0])
                and any(
                    getattr(r, flag[0]) and (flag[1] is None or getattr(r, flag[1]) == getattr(record, flag[1]))
                    for r in own
                )
            ):
                setattr(record, flag[0], False)
            own.append(record)  # moves it: the merged customer's collection lets it go
    session.execute(
        update(ConsentChange).where(ConsentChange.customer_id == m.id).values(customer_id=survivor.id)
    )  # the consents' history comes along


def _repoint(session: Session, company: Company, survivor: Customer, merged: list[Customer]) -> None:
    """Relations and children naming a merged customer name the survivor; aliases follow."""
    ids = {m.id for m in merged}
    guids = {m.customer_guid for m in merged}
    for m in merged:
        for relation in list(m.related_by):
            owner = relation.customer
            if owner.id == survivor.id or owner.id in ids:
                session.delete(relation)
                continue
            if any(r.related_customer_id == survivor.id and r.role_code == relation.role_code for r in owner.relations):
                session.delete(relation)  # the owner names the survivor in that role already
            else:
                relation.related_customer_id = survivor.id
                relation.related_customer = survivor.customer_guid
                relation.related = survivor
            writer.changed(session, owner)
    children = session.scalars(
        select(Customer).where(Customer.company_id == company.id, Customer.parent_customer.in_(guids))
    ).all()
    for child in children:
        if child.id in ids:
            continue
        child.parent_customer = None if child.id == survivor.id else survivor.customer_guid
        writer.changed(session, child)
    session.execute(update(CustomerAlias).where(CustomerAlias.survivor_id.in_(ids)).values(survivor_id=survivor.id))
    for m in merged:
        session.add(
            CustomerAlias(
                company_id=company.id,
                customer_number=m.customer_number,
                customer_guid=m.customer_guid,
                survivor_id=survivor.id,
            )
        )
    writer.flush(session)
