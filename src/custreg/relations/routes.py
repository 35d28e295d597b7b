from custreg.records import make_router
from custreg.relations.service import RELATIONS

router = make_router(RELATIONS)
