from custreg.addresses.service import ADDRESSES
from custreg.records import make_router, nested_create

router = make_router(ADDRESSES)
create_nested = nested_create(ADDRESSES, "addresses", "addresses")  # registered by custreg.bootstrap
