from custreg.addresses.service import ADDRESSES
from custreg.customers import hooks as customer_hooks
from custreg.records import make_router, nested_create

router = make_router(ADDRESSES)
customer_hooks.NESTED.append(nested_create(ADDRESSES, "addresses", "addresses"))
