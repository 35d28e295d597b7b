"""The address columns of the CSV import (docs/export.md, issue 24): `careOf`, the main
(default LEGAL) address's c/o line, and `delivery*`, the default DELIVERY address. They are
address records, not customer fields: a row that gives one is imported row by row and
writes them through the addresses' record kind (records.create / replace / delete), so the
address rules and the write path are the API's."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from custreg import records
from custreg.addresses.schemas import AddressFields
from custreg.addresses.service import ADDRESSES
from custreg.companies.models import Company
from custreg.customers import writer
from custreg.customers.models import Customer
from custreg.customers.shape import main_address
from custreg.errors import DomainError, Unprocessable
from custreg.sync.csv_format import ADDRESS_COLUMNS, DELIVERY_COLUMNS, DELIVERY_PARTS

_FIELDS = frozenset(AddressFields.model_fields) - {"addressGuid"}


def split(values: dict[str, Any]) -> dict[str, Any]:
    """Take the address columns out of a row's values (the customer's schema has none)."""
    return {name: values.pop(name) for name in ADDRESS_COLUMNS if name in values}


def given(parts: dict[str, Any]) -> bool:
    return any(v is not None for v in parts.values())


def apply(session: Session, company: Company, customer: Customer, parts: dict[str, Any], *, new: bool) -> None:
    """Write the row's c/o and DELIVERY columns (those in the header; an empty cell clears,
    a row whose DELIVERY columns are all empty has no DELIVERY address). `new`: the
    customer is created by this row (its records are part of its creation)."""
    if "careOf" in parts:
        main = main_address(customer)
        if main is not None:
            _write(session, company, customer, main, {"careOf": parts["careOf"]}, {"careOf": "careOf"}, new)
        elif parts["careOf"] is not None:
            body = {"addressType": "LEGAL", "defaultAddress": True, "careOf": parts["careOf"]}
            _write(session, company, customer, None, body, {"careOf": "careOf"}, new)
    delivery = {part: parts[col] for part, col in zip(DELIVERY_PARTS, DELIVERY_COLUMNS, strict=True) if col in parts}
    if not delivery:
        return
    names = dict(zip(DELIVERY_PARTS, DELIVERY_COLUMNS, strict=True))
    current = next((a for a in customer.addresses if a.address_type == "DELIVERY" and a.default_address), None)
    if not given(delivery):
        if current is not None:
            records.delete(session, ADDRESSES, customer, current)
        return
    if current is None:
        delivery |= {"addressType": "DELIVERY", "defaultAddress": True}
    _write(session, company, customer, current, delivery, names, new)


def _write(session, company, customer, current, changes: dict[str, Any], names: dict[str, str], new: bool) -> None:
    body = {k: v for k, v in records.to_dict(ADDRESSES, current).items() if k in _FIELDS} if current else {}
    body.update(changes)
    try:
        values = AddressFields.model_validate({k: v for k, v in body.items() if v is not None}).model_dump()
    except ValidationError as exc:
        errors = [
            {"field": names.get(str(e["loc"][0]) if e["loc"] else "", "row"), "message": e["msg"]} for e in exc.errors()
        ]
        raise Unprocessable("Invalid address column(s)", errors) from None
    try:
        if current is None:
            records.create(session, company, ADDRESSES, customer, values, touch=not new)
        elif new:  # the main address the create just wrote: part of the creation
            values.pop("addressGuid", None)
            records.assign(ADDRESSES, current, values)
            writer.flush(session)
        else:
            records.replace(session, company, ADDRESSES, customer, current, values)
    except DomainError as exc:
        exc.errors = [{**e, "field": names.get(e.get("field") or "", "row")} for e in exc.errors]
        raise
    session.expire(customer, ["addresses"])
