"""Every router, in matching order: fixed paths under /customers before `/{customer}`."""

from custreg.addresses.routes import router as addresses
from custreg.companies.routes import router as companies
from custreg.customers.routes import router as customers

ROUTERS = [companies, customers, addresses]
