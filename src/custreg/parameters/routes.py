from custreg.parameters.service import EXTRA_FIELDS, PARAMETERS
from custreg.records import make_router

parameters = make_router(PARAMETERS)
extra_fields = make_router(EXTRA_FIELDS, tag="extra-fields")
