"""What other domains add to a customer's life cycle. The lists start empty; only
`custreg.bootstrap.wire()` fills them, once, at application or CLI start."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Rules that need the database, run on every create and update before anything is written:
# fn(session, company, customer, values); raise a DomainError naming the field.
APPLY: list[Callable[..., None]] = []
# Rules that check many customers at once (a create batch in one query), after APPLY:
# fn(session, company, [(customer, values), ...]); an update passes a one-element list.
APPLY_MANY: list[Callable[..., None]] = []
# After a create has written the customer (it has an id): fn(session, company, customer, values).
CREATED: list[Callable[..., None]] = []
# After every change of a customer: fn(session, customer, op) with op "upsert" or "delete".
TOUCH: list[Callable[..., None]] = []
# Loader options a full read of a customer needs (its records): fn() -> loader option.
LOADERS: list[Callable[[], Any]] = []
# Stored copies kept beside the stored document (the export's CSV lines): classes with
# render(guid, values, excluded, address, external) -> text with marks or None (a new customer,
# by rows.prepare), store_new(session, [(customer id, number, text)], when) (writer.create) and
# refresh(session, customer ids) (writer.finish, for the customers changed).
COPIES: list[Any] = []
# Nested records of a create body (addresses, bank accounts, ...): fn(ctx, customer, body).
NESTED: list[Callable[..., None]] = []
# Events of the write path (docs/events.md), in its transaction: fn(session, [Event]) once per
# create (a batch for the import) and once per change.
EVENTS: list[Callable[..., None]] = []


@dataclass(slots=True)
class Event:
    """A change the write path reports: `type` "customer.created", "address.updated", ..."""

    company_id: int
    customer_guid: Any  # uuid.UUID
    customer_number: int
    version: int
    type: str
