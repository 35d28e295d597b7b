"""POST /customers of a plain customer without the ORM.

A webshop's sign-up sends the customer's fields and its address, nothing else. Such a
create is written by the import's row writer (sync/bulk.py: `prepare` runs the same
validation, `write` inserts the rows, the document and the CSV line), plus the audit
entries the ORM path writes, and the response is the stored document itself. Measured on
the 1M bench file, in-process: 8.3-8.6 → 5.5-5.7 ms CPU a POST (bench/RESULTS.md, session 8).

Anything else takes `service.create`: nested records, a parent, an external id, a chosen
GUID, attached users, or a hook of another domain that the row writer does not know.
"""

import uuid
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Numeric, inspect
from sqlalchemy.orm import Session

from custreg.access import audit
from custreg.addresses.models import Address
from custreg.companies import service as companies
from custreg.companies.models import Company
from custreg.customers import document
from custreg.customers import hooks as customer_hooks
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS
from custreg.db.base import utcnow
from custreg.db.columns import snake

# Fields that need the ORM path when a body carries them (even as null).
ORM_FIELDS = frozenset(
    {
        "addresses",
        "bankAccounts",
        "contacts",
        "externalIds",
        "attachedUsers",
        "externalSystemId",
        "externalSystemIdentifier",
        "customerGuid",
        "parentCustomer",
    }
)
_CUSTOMER_KEYS = tuple((f, snake(f)) for f in customers.CUSTOMER_FIELDS)
_ADDRESS_KEYS = tuple((f, snake(f)) for f in MAIN_ADDRESS_FIELDS)


def applies(sent: set[str], create_hooks: list) -> bool:
    """May a create whose body sent these fields take this path?"""
    from custreg.sync import bulk

    return (
        not (ORM_FIELDS & sent)
        and bulk.supported()
        and _hooks_known(tuple(customer_hooks.APPLY), tuple(create_hooks))
    )


@lru_cache(maxsize=8)
def _hooks_known(apply_hooks: tuple, create_hooks: tuple) -> bool:
    # Every APPLY_HOOK is one `prepare` covers (the register's codes) or one that does
    # nothing for a customer without parent, external id or attached users; every
    # CREATE_HOOK creates nested records, which the body did not send (ORM_FIELDS).
    from custreg.register import service as register
    from custreg.sync import bulk

    quiet = bulk._quiet_for_new_rows() | {register.check_customer_codes}
    return all(h in quiet for h in apply_hooks) and all(
        getattr(h, "__qualname__", "").startswith("nested_create.") for h in create_hooks
    )


@lru_cache(maxsize=256)
def _documents(cuid: str):
    from custreg.sync import bulk

    return bulk.new_documents(cuid)


def create(session: Session, company: Company, cuid: str, values: dict[str, Any]) -> tuple[str, uuid.UUID]:
    """Validate and write one new customer; (its stored document, its GUID)."""
    from custreg.sync import bulk, feed

    new = bulk.prepare(
        values,
        None,
        0,
        company.country_code,
        bulk.Codes.lazy(session, company),
        documents=_documents(cuid),
        binder=bulk.binder_for(session.get_bind().dialect.name),
    )
    v = new.hook_values()  # every field, None where not given
    feed.lock_changes(session, company.id)  # before the company row lock of the number
    number = companies.take_customer_number(session, company.id)
    now = utcnow()
    (customer_id,) = bulk.write(session, company.id, [new], number, now)
    head = {"company_id": company.id, "customer_guid": new.guid, "customer_number": number}
    rows = [
        (Customer, {**{k: v.get(f) for f, k in _CUSTOMER_KEYS}, **head, "excluded": bool(v.get("excluded"))})
    ]
    if new.address is not None:
        guid = new.address[0]
        rows.append(
            (
                Address,
                {
                    **{k: v.get(f) for f, k in _ADDRESS_KEYS},
                    "address_type": "LEGAL",
                    "default_address": True,
                    "customer_id": customer_id,
                    "address_guid": guid if isinstance(guid, uuid.UUID) else uuid.UUID(guid),
                },
            )
        )
    audit.record_new_rows(session, head, [(cls, _as_read(cls, values)) for cls, values in rows])
    return document.finish(new.document, number, bulk._stamp(now)), new.guid


@lru_cache(maxsize=4)
def _scales(cls: type) -> dict[str, Decimal]:
    return {
        a.key: Decimal(1).scaleb(-a.columns[0].type.scale)
        for a in inspect(cls).column_attrs
        if isinstance(a.columns[0].type, Numeric)
        and a.columns[0].type.scale
        and getattr(a.columns[0].type, "asdecimal", False)
    }


def _as_read(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """The values as the database gives them back (the ORM path audits those): decimals
    at their column's scale."""
    for key, step in _scales(cls).items():
        value = values.get(key)
        if value is not None:
            values[key] = Decimal(value).quantize(step)
    return values
