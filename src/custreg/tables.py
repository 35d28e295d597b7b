"""Imports every domain's tables so Base.metadata is complete (migrations, tests)."""

from custreg.access.models import AdminCredential, ApiClient, CustomerUser, SigningKey  # noqa: F401
from custreg.actions.models import CustomerAction  # noqa: F401
from custreg.addresses.models import Address  # noqa: F401
from custreg.bank_accounts.models import BankAccount  # noqa: F401
from custreg.companies.models import Company  # noqa: F401
from custreg.consents.models import Consent, ConsentChange  # noqa: F401
from custreg.contacts.models import Contact  # noqa: F401
from custreg.custom_services.models import ServiceDefinition, ServiceInvocation  # noqa: F401
from custreg.customers.models import AuditEntry, ChangeLog, Customer, CustomerAlias, CustomerDocument  # noqa: F401
from custreg.duplicates.models import DuplicateCandidate  # noqa: F401
from custreg.events.models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint  # noqa: F401
from custreg.external_ids.models import ExternalId  # noqa: F401
from custreg.insurances.models import CreditInsurance  # noqa: F401
from custreg.loans.models import Loan  # noqa: F401
from custreg.mandates.models import DirectDebitMandate  # noqa: F401
from custreg.parameters.models import ExtraField, PartyParameter  # noqa: F401
from custreg.pledges.models import Pledge  # noqa: F401
from custreg.privacy.models import Erasure  # noqa: F401
from custreg.register.models import RegisterCode, RegisterSettings  # noqa: F401
from custreg.relations.models import CustomerRelation  # noqa: F401
from custreg.sync.models import ChangeHorizon, ImportJob, ImportJobError  # noqa: F401
