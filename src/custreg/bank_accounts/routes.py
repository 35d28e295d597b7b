from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.bank_accounts.service import BANK_ACCOUNTS
from custreg.customers.models import Customer
from custreg.records import make_router, nested_create, to_dict

router = make_router(BANK_ACCOUNTS)

# The customer's part, registered by custreg.bootstrap: nested create, the full GET, its link.
create_nested = nested_create(BANK_ACCOUNTS, "bankAccounts", "bank_accounts")


def load_bank_accounts() -> LoaderOption:
    return selectinload(Customer.bank_accounts)


def detail_part(c: Customer, cuid: str) -> dict:
    return {"bankAccounts": [to_dict(BANK_ACCOUNTS, a) for a in c.bank_accounts]}
