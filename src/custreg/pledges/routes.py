from custreg.pledges.service import PLEDGES
from custreg.records import make_router

router = make_router(PLEDGES)
