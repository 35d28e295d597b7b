from custreg.loans.service import LOANS
from custreg.records import make_router

router = make_router(LOANS)
