"""The one write path of customers (docs/architecture.md). Nothing else inserts or updates a
customer row, and every side effect of a write is called from here:

- `create(session, company, news)`: one or many prepared customers (customers/rows.py) —
  `POST /customers` passes one, the CSV import a batch, the compatibility APIs theirs. It
  runs the domains' APPLY rules, numbers them, writes customer, main address and external id
  rows, their change-log entries, audit entries (from the values), stored documents and
  COPIES (the export's lines; both rendered by rows.prepare), then the domains' CREATED
  hooks (nested records).
- `changed(session, customer, op, event=...)`: an update, replace or delete of a customer or
  of one of its records (service.replace/patch/delete, records.py): version, time, search
  text, change-log entry, TOUCH hooks, the event (EVENTS hooks: the outbox of
  docs/events.md); the customer's stored copies are refreshed by `finish`.
  A write that changes nothing is no change: `changed` does nothing unless the session
  holds (pending or flushed) a real change of the customer or one of its records, or of
  the `cause` whose change this one derives from (docs/customers.md, "What counts as a change").
- `flush(session)`: audit entries of the session's pending ORM changes, then the flush.
  Services call it instead of `session.flush()`.
- `finish(session)`: the unit of work calls it before COMMIT (access.context.Ctx, the
  CLI's units, the import per batch): the last flush, then the documents and COPIES
  of every customer `changed` marked.

The transaction belongs to the caller: nothing here commits.
"""

import uuid
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, text, tuple_, update
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import audit, document, hooks, rows
from custreg.customers.models import AuditEntry, ChangeLog, Customer, CustomerDocument
from custreg.customers.shape import SEARCH_ADDRESS_FIELDS, main_address
from custreg.db.base import table_of, utcnow
from custreg.db.columns import snake
from custreg.db.inserts import Rows
from custreg.errors import Conflict
from custreg.external_ids.models import ExternalId

PENDING = "custreg.changed"  # session.info: {id: customer} whose stored copies `finish` refreshes
REAL = "custreg.real"  # session.info: ids of customers with a real change in this transaction
# Columns every write moves: not a change by themselves.
_NOT_CHANGES = frozenset({"search_text", "version", "last_updated_at"})
CHANGE_LOCK_CLASS = 0x6366  # "cf": the first key of pg_advisory_xact_lock(int, int)
_locked: "weakref.WeakKeyDictionary[Any, set[int]]" = weakref.WeakKeyDictionary()  # transaction → companies


def lock_changes(session: Session, company_id: int | None) -> None:
    """Serialize change-log writers of one company until this transaction ends, so change
    ids grow in commit order (docs/sync.md). PostgreSQL only: SQLite's BEGIN IMMEDIATE
    serializes every writer already. Before any customer row lock; once per transaction
    (a savepoint rolled back releases its locks, so it is taken again after one)."""
    if company_id is None or session.get_bind().dialect.name != "postgresql":
        return
    tx = session.get_nested_transaction() or session.get_transaction()
    t = tx
    while t is not None:  # an enclosing transaction (not a rolled back savepoint) holds it
        if company_id in _locked.get(t, ()):
            return
        t = t.parent
    session.execute(
        text("SELECT pg_advisory_xact_lock(:cls, :obj)"), {"cls": CHANGE_LOCK_CLASS, "obj": int(company_id)}
    )
    if tx is not None:
        _locked.setdefault(tx, set()).add(company_id)


_companies = table_of(Company)
_TAKE_NUMBER = (
    update(_companies)
    .where(_companies.c.id == bindparam("company_id"))
    .values(next_customer_number=_companies.c.next_customer_number + bindparam("count"))
    .returning(_companies.c.next_customer_number)
)


def take_numbers(session: Session, company_id: int, count: int = 1) -> int:
    """The first of `count` consecutive numbers of the company's sequence; the row lock
    serializes takers until COMMIT."""
    lock_changes(session, company_id)  # before the company row lock
    return session.connection().execute(_TAKE_NUMBER, {"company_id": company_id, "count": count}).scalar_one() - count


_KEYS = ("id", "company_id", "customer_guid", "customer_number")
_BOOKKEEPING = ("excluded", "full_name_given", "search_text", "reg_date", "last_updated_at", "version")
CUSTOMER_COLUMNS = (*_KEYS, *(snake(f) for f in rows.VALUE_FIELDS), *_BOOKKEEPING)
_ADDRESS_HEAD = ("customer_id", "address_guid", "address_type", "default_address", "last_updated_at")
ADDRESS_COLUMNS = (*_ADDRESS_HEAD, *(snake(f) for f in rows.ADDRESS_FIELDS))
EXTERNAL_COLUMNS = ("company_id", "customer_id", "external_id_guid", "external_system_id", "external_system_identifier")
CHANGE_COLUMNS = ("company_id", "customer_guid", "customer_number", "op", "at")
_ACTOR = ("actor_type", "actor_id", "operation", "resource", "changes")
AUDIT_COLUMNS = ("company_id", "customer_guid", "customer_number", "at", *_ACTOR)
_TABLES = {
    "customers": (table_of(Customer), CUSTOMER_COLUMNS),
    "addresses": (table_of(Address), ADDRESS_COLUMNS),
    "external_ids": (table_of(ExternalId), EXTERNAL_COLUMNS),
    "change_log": (table_of(ChangeLog), CHANGE_COLUMNS),
    "audit_log": (table_of(AuditEntry), AUDIT_COLUMNS),
    "customer_documents": (table_of(CustomerDocument), ("customer_id", "body")),
}


def _tables(session: Session) -> dict[str, Rows]:
    return {name: Rows.of(session, table, columns) for name, (table, columns) in _TABLES.items()}


def _new_ids(session: Session, n: int) -> list[int]:
    """Ids for n new customers: from the sequence (PostgreSQL), or the next rowids (SQLite,
    under the write lock this transaction holds)."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text("SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, :n)"), {"n": n}
            )
        )
    top = session.connection().exec_driver_sql("SELECT max(id) FROM customers").scalar()
    return list(range((top or 0) + 1, (top or 0) + 1 + n))


@dataclass(slots=True)
class Created:
    """What a create wrote of one customer (CREATED hooks and callers read it)."""

    id: int
    company_id: int
    customer_guid: uuid.UUID
    customer_number: int
    document: str | None  # the stored document, GET's body


@dataclass(slots=True)
class _Stub:
    """A customer not written yet, as the APPLY rules see it."""

    company_id: int
    customer_guid: uuid.UUID
    id: None = None


def create(
    session: Session, company: Company, news: list[rows.New], *, number: int | None = None, now=None
) -> list[Created]:
    """Write `news` numbered from `number` (the caller's, holding the number's locks) or
    from numbers taken here."""
    values = [new.hook_values() for new in news]  # what the hooks get: every field, None clears
    stubs = [_Stub(company.id, new.guid) for new in news]
    for stub, v in zip(stubs, values, strict=True):
        for rule in hooks.APPLY:
            rule(session, company, stub, v)
    for many in hooks.APPLY_MANY:
        many(session, company, list(zip(stubs, values, strict=True)))
    _check_pairs(session, company, [new.pair for new in news if new.pair is not None])
    lock_changes(session, company.id)
    if number is None:
        number = take_numbers(session, company.id, len(news))
    t = _tables(session)
    now = now or utcnow()
    stamp = document.stamp(now)
    ids = _new_ids(session, len(news))
    cid = company.id
    now_db = t["customers"].bind_time(now)
    customers: list[tuple] = []
    addresses: list[tuple] = []
    external: list[tuple] = []
    changes: list[tuple] = []
    documents: list[tuple] = []
    created: list[Created] = []
    entries: list[tuple] = []
    actor = session.info.get(audit.ACTOR)  # the audit trail's: without one nothing is recorded
    for new, id_ in zip(news, ids, strict=True):
        doc = None if new.document is None else document.finish(new.document, number, stamp)
        if doc is not None:
            documents.append((id_, doc))
        customers.append(
            (id_, cid, new.guid_db, number, *new.customer, f"{number}{new.search_tail}", now_db, now_db, 1)
        )
        if new.address is not None:
            a = new.address
            addresses.append((id_, a[0], "LEGAL", True, now_db, *a[1:]))
        if new.pair is not None:
            external.append((cid, id_, new.external_guid, new.pair[0], new.pair[1]))
        changes.append((cid, new.guid_db, number, "upsert", now_db))
        created.append(Created(id_, cid, new.guid, number, doc))
        if actor is not None:
            head = (cid, new.guid_db, number, now_db, *actor, "create")
            entries += [(*head, resource, changes) for resource, changes in new.audit]
        number += 1
    for name, batch in (("customers", customers), ("addresses", addresses), ("external_ids", external)):
        t[name].write(session, batch)
    t["change_log"].write(session, changes)
    t["audit_log"].write(session, entries)
    t["customer_documents"].write(session, documents)
    for i, copy in enumerate(hooks.COPIES):
        rendered = [(c.id, c.customer_number, new.copies[i]) for c, new in zip(created, news, strict=True)]
        copy.store_new(session, [r for r in rendered if r[2] is not None], now)
    for c, v in zip(created, values, strict=True):
        for hook in hooks.CREATED:
            hook(session, company, c, v)
    if hooks.EVENTS:
        events = [hooks.Event(cid, c.customer_guid, c.customer_number, 1, "customer.created") for c in created]
        for emit in hooks.EVENTS:
            emit(session, events)
    return created


def _check_pairs(session: Session, company: Company, pairs: list[tuple[int, str]]) -> None:
    """No other customer holds an external id of these new customers (409 naming it)."""
    if not pairs:
        return
    e = ExternalId
    holder = session.execute(
        select(e.external_system_id, e.external_system_identifier, Customer.customer_number)
        .join(Customer, Customer.id == e.customer_id)
        .where(e.company_id == company.id, tuple_(e.external_system_id, e.external_system_identifier).in_(pairs))
        .limit(1)
    ).first()
    if holder is not None:
        system, ident, number = holder
        raise Conflict(
            f"External id {system}/{ident} belongs to customer {number}",
            [{"field": "externalSystemIdentifier", "message": f"already used by customer {number}"}],
        )


_ADD_CHANGE = insert(table_of(ChangeLog))


def modified(obj: Any) -> bool:
    """Whether a dirty object's columns or collections differ from what was loaded."""
    state = inspect(obj)
    for key in state.committed_state:
        if key not in _NOT_CHANGES and key in state.attrs and state.attrs[key].history.has_changes():
            return True
    return False


def _owners(obj: Any) -> list[int]:
    """Ids of the customers whose data `obj` is: a customer itself, the owner of a record
    (`customer_id`) and a related customer (`related_customer_id`, old and new)."""
    if isinstance(obj, Customer):
        return [obj.id] if obj.id is not None else []
    if isinstance(obj, AuditEntry | ChangeLog | CustomerDocument):
        return []
    state = inspect(obj)
    out = []
    owner = state.dict.get("customer")
    if isinstance(owner, Customer) and owner.id is not None:
        out.append(owner.id)
    for key in ("customer_id", "related_customer_id"):
        if key in state.attrs:
            hist = state.attrs[key].history
            out += [v for v in (*hist.added, *hist.unchanged, *hist.deleted) if isinstance(v, int)]
    return out


def note_changes(session: Session) -> set[int]:
    """Add the customers with real pending changes (new, deleted or modified objects) to
    the transaction's set of changed customers, and return that set."""
    real: set[int] = session.info.setdefault(REAL, set())
    for obj in (*session.new, *session.deleted):
        real.update(_owners(obj))
    for obj in session.dirty:
        if modified(obj):
            real.update(_owners(obj))
    return real


def changed(
    session: Session,
    customer: Customer,
    *,
    op: str = "upsert",
    event: str | None = None,
    cause: Customer | None = None,
    derived: bool = False,
) -> None:
    """Record a change of the customer or of any of its records (op "upsert" or "delete").
    `event`: its type when a record changed ("address.created"); else the customer's own
    ("customer.updated", "customer.deleted").
    An upsert with no real change of the customer (nor of `cause`, the customer whose
    change this one derives from) in this transaction is no change: nothing happens.
    `derived`: the caller knows a real change of another customer is about to be written
    that changes this one's views (it is not in the session yet)."""
    real = note_changes(session)
    if op == "delete" or derived:
        real.add(customer.id)
    elif customer.id not in real and (cause is None or cause.id not in real):
        return
    real.add(customer.id)
    lock_changes(session, customer.company_id)
    now = utcnow()
    if op == "upsert":
        customer.last_updated_at = max(now, customer.last_updated_at or now)
        customer.version = (customer.version or 0) + 1
        customer.search_text = rows.search_text(customer.customer_number, _values_of(customer))
        session.info.setdefault(PENDING, {})[customer.id] = customer
    session.connection().execute(
        _ADD_CHANGE,
        {
            "company_id": customer.company_id,
            "customer_guid": customer.customer_guid,
            "customer_number": customer.customer_number,
            "op": op,
            "at": now,
        },
    )
    for hook in hooks.TOUCH:
        hook(session, customer, op)
    if hooks.EVENTS:
        kind = event or ("customer.deleted" if op == "delete" else "customer.updated")
        happened = [
            hooks.Event(customer.company_id, customer.customer_guid, customer.customer_number, customer.version, kind)
        ]
        for emit in hooks.EVENTS:
            emit(session, happened)


def mark(session: Session, customer: Customer) -> None:
    """Refresh the customer's stored copies at `finish` without a new version (records
    created with the customer)."""
    session.info.setdefault(PENDING, {})[customer.id] = customer


def _values_of(customer: Customer) -> dict[str, Any]:
    """What the search text reads: the stored fields (a derived fullName too) and the main
    address's city, street and postal code."""
    v = {f: getattr(customer, snake(f)) for f in rows.CUSTOMER_FIELDS}
    main = main_address(customer)
    for f in SEARCH_ADDRESS_FIELDS:
        v[f] = getattr(main, snake(f)) if main is not None else None
    return v


def flush(session: Session) -> None:
    """Note and audit the session's pending changes, then flush them."""
    note_changes(session)
    audit.record_pending(session)
    session.flush()


def finish(session: Session) -> None:
    """Before COMMIT: the last flush, then the stored copies of the customers changed."""
    flush(session)
    session.info.pop(REAL, None)
    pending = session.info.pop(PENDING, {})
    live = [c for c in pending.values() if c in session and not _gone(c)]
    if not live:
        return
    for c in live:  # collections loaded before this transaction's deletes still hold them
        session.expire(c)
    cuid = {c.company_id: session.get_one(Company, c.company_id).cuid for c in live}
    document.store(session, [{"cid": c.id, "doc": document.render(c, cuid[c.company_id])} for c in live])
    ids = [c.id for c in live]
    for copy in hooks.COPIES:
        copy.refresh(session, ids)


def _gone(customer: Customer) -> bool:
    state = inspect(customer)
    return state.deleted or state.was_deleted or state.detached


def discard(session: Session) -> None:
    """After a rollback: nothing of the rolled-back work is refreshed."""
    session.info.pop(PENDING, None)
    session.info.pop(REAL, None)
