"""Every router, in matching order: fixed paths under /customers before `/{customer}`."""

from custreg.addresses.routes import router as addresses
from custreg.bank_accounts.routes import router as bank_accounts
from custreg.companies.routes import router as companies
from custreg.contacts.routes import router as contacts
from custreg.customers.routes import router as customers

ROUTERS = [companies, customers, addresses, bank_accounts, contacts]
