from custreg.insurances.service import INSURANCES
from custreg.records import make_router

router = make_router(INSURANCES)
