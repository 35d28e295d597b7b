"""The wiring: what each domain adds to a customer's life cycle, registered in one place.
The HTTP app (`app.create_app`) and the CLI call `wire()` at start; importing a module
registers nothing."""

from typing import Any

from sqlalchemy.orm import configure_mappers

from custreg.access import selfservice
from custreg.actions import service as actions
from custreg.addresses import routes as addresses
from custreg.addresses.models import Address
from custreg.bank_accounts import routes as bank_accounts
from custreg.consents import service as consents
from custreg.consents.models import Consent
from custreg.contacts import routes as contacts
from custreg.customers import hooks, read
from custreg.duplicates import prevention
from custreg.events import outbox
from custreg.external_ids import hooks as external_ids
from custreg.external_ids import service as external_id_service
from custreg.insurances import service as insurances
from custreg.loans import service as loans
from custreg.mandates import service as mandates
from custreg.parameters import service as parameters
from custreg.pledges import service as pledges
from custreg.register import service as register
from custreg.relations import service as relations
from custreg.relations.models import CustomerRelation
from custreg.sync import lines


def wire() -> None:
    """Register every domain's hooks; calling it again registers nothing twice."""
    # The records' backrefs (Customer.bank_accounts, ...) exist once the mappers are configured.
    configure_mappers()
    # Checks in this order: the first that fails names the field of the 4xx.
    _add(hooks.APPLY, selfservice._apply_hook, external_ids.on_apply, relations.refuse_parent_cycle)
    _add(hooks.APPLY_MANY, prevention.refuse_duplicate_identity)
    _add(hooks.CREATED, external_ids.on_created, selfservice.on_created)
    _add(hooks.TOUCH, relations.touch_relations_of_deleted)
    # The export's stored CSV lines, refreshed with the stored documents.
    _add(hooks.COPIES, lines.StoredLines)
    # The outbox of events (docs/events.md): written in the change's transaction.
    _add(hooks.EVENTS, outbox.emit)
    _add(hooks.NESTED, addresses.create_nested, bank_accounts.create_nested, contacts.create_nested)
    _add(
        hooks.LOADERS,
        selfservice.load_user_links,
        bank_accounts.load_bank_accounts,
        contacts.load_contacts,
        external_ids.load_external_ids,
        actions.load_actions,
        consents.load_consents,
        insurances.load_credit_insurances,
        mandates.load_direct_debit_mandates,
        parameters.load_parameters,
        parameters.load_extra_fields,
        pledges.load_pledges,
        loans.load_loans,
        relations.load_relations,
        relations.load_related_by,
    )
    # The full GET's parts and links, in the order its body and `links` list them
    # (customers.read starts both with the addresses).
    _add(
        read.DETAIL_PARTS,
        selfservice.detail_part,
        bank_accounts.detail_part,
        contacts.detail_part,
        external_ids.detail,
        actions.detail_part,
        consents.detail_part,
        insurances.detail_part,
        mandates.detail_part,
        parameters.detail_part,
        pledges.detail_part,
        loans.detail_part,
        relations.detail_part,
    )
    _add(
        read.SUB_RESOURCES,
        "bank-accounts",
        "contacts",
        "external-ids",
        "actions",
        "consents",
        "credit-insurances",
        "direct-debit-mandates",
        "parameters",
        "extra-fields",
        "pledges",
        "loans",
        "relations",
    )
    # Which records use a register code, so that a code in use is not removed (409).
    counters = {
        "externalSystems": external_id_service.usage,
        "addressTypes": register.count_records(Address, "address_type"),
        "relationRoles": register.count_records(CustomerRelation, "role_code"),
        "consentChannels": register.count_records(Consent, "channel"),
    }
    for category, counter in counters.items():
        register.USAGE_COUNTERS.setdefault(category, counter)


def _add(registry: list, *items: Any) -> None:
    for item in items:
        if item not in registry:
            registry.append(item)
