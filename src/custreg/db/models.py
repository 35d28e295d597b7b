"""Imports every domain's tables so Base.metadata is complete (migrations, tests)."""

from custreg.access.models import AdminCredential  # noqa: F401
from custreg.addresses.models import Address  # noqa: F401
from custreg.bank_accounts.models import BankAccount  # noqa: F401
from custreg.companies.models import Company  # noqa: F401
from custreg.contacts.models import Contact  # noqa: F401
from custreg.customers.models import ChangeLog, Customer  # noqa: F401
