"""The customer's fields and its main address: names every layer of customers/ shares."""

from functools import cache
from typing import Any

from sqlalchemy import and_

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields, CustomerSummary
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
_IDENTIFIER_FIELDS = ("customerGuid", "customerNumber", "regDate", "lastUpdatedAt", "version")


@cache
def columns(fields: tuple[str, ...]) -> tuple:
    """The columns of these API fields (the customer's own, its identifiers, its main
    address's), labelled with the field's name, in the order given: what a list selects
    instead of ORM objects (read.page_json, the UI's list). Called with the constants below."""
    out = []
    for f in fields:
        table = _A if f in ADDRESS_FIELDS else _C
        out.append(table[snake(f)].label(f))
    return tuple(out)


# A list item without `$select`: the summary's fields, in CustomerSummary's order (its links
# are added by read.page_json).
LIST_FIELDS = tuple(f for f in CustomerSummary.model_fields if f != "links")
# Every field a list's `$select` may name: the customer, its identifiers, its main address.
SUMMARY_FIELDS = CUSTOMER_FIELDS + _IDENTIFIER_FIELDS + ADDRESS_FIELDS
LIST_COLUMNS = columns(LIST_FIELDS)
SUMMARY_COLUMNS = columns(SUMMARY_FIELDS)


def organisation_name(customer: Any) -> str | None:
    """An organisation's name: its companyName, else its fullName (an organisation named only
    by fullName is not nameless anywhere); None for a person (docs/customers.md)."""
    if customer.company_name:
        return customer.company_name
    return customer.full_name if customer.customer_type == "COMPANY" else None
