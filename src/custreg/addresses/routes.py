from custreg.addresses.service import ADDRESSES
from custreg.records import make_router

router = make_router(ADDRESSES)
