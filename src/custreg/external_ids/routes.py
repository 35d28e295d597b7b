from custreg.external_ids import hooks  # noqa: F401 - wires external ids into customer writes
from custreg.external_ids.service import EXTERNAL_IDS
from custreg.records import make_router

router = make_router(EXTERNAL_IDS)
