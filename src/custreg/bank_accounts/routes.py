from sqlalchemy.orm import selectinload

from custreg.bank_accounts.service import BANK_ACCOUNTS
from custreg.customers import hooks as customer_hooks
from custreg.customers import read as customer_read
from custreg.customers.models import Customer
from custreg.records import make_router, nested_create, to_dict

router = make_router(BANK_ACCOUNTS)

# The customer's part: nested create, the full GET, its link.
customer_hooks.NESTED.append(nested_create(BANK_ACCOUNTS, "bankAccounts", "bank_accounts"))
customer_hooks.LOADERS.append(lambda: selectinload(Customer.bank_accounts))
customer_read.DETAIL_PARTS.append(
    lambda c, cuid: {"bankAccounts": [to_dict(BANK_ACCOUNTS, a) for a in c.bank_accounts]}
)
customer_read.SUB_RESOURCES.append("bank-accounts")
