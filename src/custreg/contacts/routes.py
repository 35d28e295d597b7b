from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.contacts.service import CONTACTS
from custreg.customers.models import Customer
from custreg.records import make_router, nested_create, to_dict

router = make_router(CONTACTS)

# The customer's part, registered by custreg.bootstrap: nested create, the full GET, its link.
create_nested = nested_create(CONTACTS, "contacts", "contacts")


def load_contacts() -> LoaderOption:
    return selectinload(Customer.contacts)


def detail_part(c: Customer, cuid: str) -> dict:
    return {"contacts": [to_dict(CONTACTS, a) for a in c.contacts]}
