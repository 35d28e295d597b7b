"""Every router, in matching order: fixed paths under /customers before `/{customer}`."""

from custreg.access.routes import clients_router as clients
from custreg.access.routes import history_router as history
from custreg.access.routes import oauth_router as oauth
from custreg.access.selfservice import router as self_service
from custreg.actions.routes import router as actions
from custreg.addresses.routes import router as addresses
from custreg.bank_accounts.routes import router as bank_accounts
from custreg.companies.routes import router as companies
from custreg.compat import connect, tehden
from custreg.compat.billmate import routes as billmate
from custreg.compat.clvr import routes as clvr
from custreg.compat.clvr import services as clvr_services
from custreg.compat.fivaldi import routes as fivaldi
from custreg.consents.routes import router as consents
from custreg.contacts.routes import router as contacts
from custreg.custom_services.routes import router as services
from custreg.customers.routes import router as customers
from custreg.duplicates.routes import router as duplicates
from custreg.events.routes import router as webhooks
from custreg.external_ids.routes import router as external_ids
from custreg.insurances.routes import router as credit_insurances
from custreg.loans.routes import router as loans
from custreg.lookups.routes import router as lookups
from custreg.mandates.routes import router as mandates
from custreg.merge.routes import router as merge
from custreg.ops.routes import router as operations
from custreg.parameters.routes import extra_fields, parameters
from custreg.pledges.routes import router as pledges
from custreg.privacy.routes import router as privacy
from custreg.register.routes import router as register
from custreg.relations.routes import router as relations
from custreg.sync.routes import router as sync
from custreg.sync.routes import transfer  # /customers/export.csv, /import: before customers

ROUTERS = [
    oauth,
    clients,
    self_service,
    history,
    companies,
    register,
    lookups,
    sync,
    transfer,
    duplicates,  # /customers/duplicates: before customers
    customers,
    merge,
    privacy,
    addresses,
    bank_accounts,
    contacts,
    # Financial and relationship records (issue 5): all under /customers/{customer}/<path>.
    consents,
    parameters,
    extra_fields,
    mandates,
    credit_insurances,
    relations,
    pledges,
    loans,
    actions,
    # Identity and configuration (issue 4).
    external_ids,
    # Compatibility endpoints (issue 10): the five documented APIs under /compat/<api>/...
    fivaldi.router,
    fivaldi.ping_router,
    tehden.router,
    billmate.router,
    clvr.router,
    clvr_services.router,
    connect.router,
    # Events (issue 25): webhook endpoints and their deliveries.
    webhooks,
    services,  # CLVR custom service definitions, called like webhooks
    # GET /metrics (scope admin).
    operations,
]
