from custreg.addresses.service import ADDRESSES
from custreg.customers import routes as customer_routes
from custreg.records import make_router, nested_create

router = make_router(ADDRESSES)
customer_routes.CREATE_HOOKS.append(nested_create(ADDRESSES, "addresses", "addresses"))
