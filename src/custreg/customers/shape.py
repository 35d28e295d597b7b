"""The customer's fields and its main address: names every layer of customers/ shares."""

from typing import Any

from sqlalchemy import and_

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields
from custreg.db.columns import snake

CUSTOMER_FIELDS = tuple(f for f in CustomerFields.model_fields if f not in MAIN_ADDRESS_FIELDS)
VALUE_FIELDS = tuple(f for f in CUSTOMER_FIELDS if f != "excluded")
ADDRESS_FIELDS = tuple(MAIN_ADDRESS_FIELDS)
SEARCH_FIELDS = (
    "fullName",
    "firstName",
    "lastName",
    "companyName",
    "idNumber",
    "vatNumber",
    "email",
    "homePhone",
    "workPhone",
    "cellularPhone",
)
SEARCH_ADDRESS_FIELDS = ("city", "street", "zipCode")  # of the main address: what the lists show

# The main address: the customer's default LEGAL address.
MAIN_ADDRESS_JOIN = and_(
    Address.customer_id == Customer.id, Address.address_type == "LEGAL", Address.default_address.is_(True)
)


def main_address(customer: Customer) -> Address | None:
    return next((a for a in customer.addresses if a.address_type == "LEGAL" and a.default_address), None)


def values_of(customer: Customer, address: Address | None) -> dict[str, Any]:
    """The customer's writable fields, camelCase, main address included."""
    v = {f: getattr(customer, snake(f)) for f in CUSTOMER_FIELDS}
    v.update({f: getattr(address, snake(f)) if address else None for f in ADDRESS_FIELDS})
    if not customer.full_name_given:
        v["fullName"] = None
    return v


_C, _A = Customer.__table__.c, Address.__table__.c
# What a list's summary shows (read.page_json), selected as columns: no ORM objects.
SUMMARY_COLUMNS = (
    [_C[snake(f)].label(f) for f in CUSTOMER_FIELDS]
    + [
        _C.customer_guid.label("customerGuid"),
        _C.customer_number.label("customerNumber"),
        _C.reg_date.label("regDate"),
        _C.last_updated_at.label("lastUpdatedAt"),
        _C.version.label("version"),
    ]
    + [_A[snake(f)].label(f) for f in ADDRESS_FIELDS]
)


def organisation_name(customer: Any) -> str | None:
    """An organisation's name: its companyName, else its fullName (an organisation named only
    by fullName is not nameless anywhere); None for a person (docs/customers.md)."""
    if customer.company_name:
        return customer.company_name
    return customer.full_name if customer.customer_type == "COMPANY" else None
