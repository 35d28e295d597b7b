"""Stores a Billmate (seed 003) body: the native customer, its default LEGAL (c/o) and
DELIVERY addresses and its `billmate.*` parameters, each validated by the native rules."""

from typing import Any

from custreg.addresses.schemas import AddressFields
from custreg.addresses.service import ADDRESSES
from custreg.compat.billmate.mapping import DELIVERY, LEGAL, NAMES, split
from custreg.compat.common import seed_names, validate
from custreg.customers import service
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.errors import field_error
from custreg.parameters.schemas import ParameterFields
from custreg.parameters.service import PARAMETERS
from custreg.records import create as create_record
from custreg.records import delete as delete_record
from custreg.records import find as find_record
from custreg.records import replace as replace_record
from custreg.records import to_dict


def _address(ctx, c: Customer, kind: str, changes: dict[str, Any], names: dict[str, str]) -> None:
    """Merge `changes` into the customer's default address of `kind` (created when missing)."""
    if not changes:
        return
    customer_writer.flush(ctx.session)
    ctx.session.expire(c, ["addresses"])
    current = next((a for a in c.addresses if a.address_type == kind and a.default_address), None)
    with seed_names(names):
        if current is None:
            if all(v is None for v in changes.values()):
                return
            values = validate(AddressFields, {"addressType": kind, **changes}, names)
            create_record(ctx.session, ctx.company, ADDRESSES, c, values.model_dump(), actor=ctx.actor)
        else:
            merged = {k: v for k, v in to_dict(ADDRESSES, current).items() if k in AddressFields.model_fields}
            values = validate(AddressFields, merged | changes, names)
            replace_record(ctx.session, ctx.company, ADDRESSES, c, current, values.model_dump(), actor=ctx.actor)
    ctx.session.expire(c, ["addresses"])


def _parameters(ctx, c: Customer, params: dict[str, Any]) -> None:
    for field, value in params.items():
        name = f"billmate.{field}"
        with seed_names({"value": field, "name": field, "type": field}):
            existing = find_record(ctx.session, PARAMETERS, c, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if existing is not None:
                    delete_record(ctx.session, PARAMETERS, c, existing, actor=ctx.actor)
                continue
            if not isinstance(value, str | int | float | bool):
                raise field_error(field, "must be a string or a number")
            values = validate(
                ParameterFields,
                {"name": name, "type": "STRING", "value": str(value)},
                {"value": field, "name": field, "type": field},
            ).model_dump()
            if existing is None:
                create_record(ctx.session, ctx.company, PARAMETERS, c, values, actor=ctx.actor)
            else:
                replace_record(ctx.session, ctx.company, PARAMETERS, c, existing, values, actor=ctx.actor)
    if params:
        ctx.session.expire(c, ["parameters"])


def write(ctx, c: Customer | None, body: dict[str, Any]) -> Customer:
    """A seed body written over the customer `c` (a new customer when None)."""
    customer, delivery, legal, params = split(ctx, body, c)
    with seed_names(NAMES):
        if c is None:
            native = validate(CustomerCreate, customer, NAMES)
            created = service.create(ctx.session, ctx.company, native.model_dump(exclude={"customerGuid"}))
            c = service.get(ctx.session, ctx.company, str(created.customer_guid), full=False)
        else:
            changes = validate(CustomerPatch, customer, NAMES).model_dump(exclude_unset=True, exclude={"customerGuid"})
            service.patch(ctx.session, ctx.company, c, changes)
    _address(ctx, c, "LEGAL", legal, {v: k for k, v in LEGAL.items()})
    _address(ctx, c, "DELIVERY", delivery, {v: k for k, v in DELIVERY.items()})
    _parameters(ctx, c, params)
    return c
