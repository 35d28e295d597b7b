from sqlalchemy.orm import selectinload

from custreg.contacts.service import CONTACTS
from custreg.customers import hooks as customer_hooks
from custreg.customers import read as customer_read
from custreg.customers.models import Customer
from custreg.records import make_router, nested_create, to_dict

router = make_router(CONTACTS)

# The customer's part: nested create, the full GET, its link.
customer_hooks.NESTED.append(nested_create(CONTACTS, "contacts", "contacts"))
customer_hooks.LOADERS.append(lambda: selectinload(Customer.contacts))
customer_read.DETAIL_PARTS.append(lambda c, cuid: {"contacts": [to_dict(CONTACTS, a) for a in c.contacts]})
customer_read.SUB_RESOURCES.append("contacts")
