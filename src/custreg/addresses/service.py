"""Address rules: one default per address type, validity dates in order."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.addresses.schemas import AddressFields, AddressRead
from custreg.errors import field_error
from custreg.records import RecordKind
from custreg.register import service as register


def unset_other_defaults(session: Session, customer, address_type: str, keep_id: int | None) -> None:
    stmt = update(Address).where(
        Address.customer_id == customer.id, Address.address_type == address_type, Address.default_address.is_(True)
    )
    if keep_id is not None:
        stmt = stmt.where(Address.id != keep_id)
    session.execute(stmt.values(default_address=False), execution_options={"synchronize_session": "fetch"})


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    # A replace without addressType keeps the address's type, and its default flag while the
    # type stays (a new one is LEGAL; the first of a type is its default).
    if existing is not None and not values.get("addressType"):
        values["addressType"] = existing.address_type
    values["addressType"] = values.get("addressType") or "LEGAL"
    if existing is not None and values.get("defaultAddress") is None and values["addressType"] == existing.address_type:
        values["defaultAddress"] = existing.default_address
    register.check_code(session, company, "addressTypes", values["addressType"], "addressType")
    if values.get("validFrom") and values.get("validTo") and values["validTo"] < values["validFrom"]:
        raise field_error("validTo", "must not be before validFrom")
    keep = existing.id if existing is not None else None
    if values.get("defaultAddress") is None:
        # The first address of a type is its default.
        others = select(Address.id).where(
            Address.customer_id == customer.id,
            Address.address_type == values["addressType"],
            Address.default_address.is_(True),
        )
        if keep is not None:
            others = others.where(Address.id != keep)
        values["defaultAddress"] = session.scalar(others.limit(1)) is None
    if values["defaultAddress"]:
        unset_other_defaults(session, customer, values["addressType"], keep)
    return values


ADDRESSES = RecordKind(
    model=Address,
    path="addresses",
    id_field="addressGuid",
    write_schema=AddressFields,
    read_schema=AddressRead,
    title="address",
    rule=rule,
)
