"""The audit trail, written by one session listener so no domain writes audit code.

Before every flush of a session that carries an actor (`session.info["actor"]`, set by
`access.context.Ctx` for each request), each new, changed or deleted object that is a
`Customer` or has a `customer_id` (addresses, bank accounts, attachedUsers, any record
added later) becomes an `AuditEntry`: who, when, operation, resource and the changed
fields old → new, read from SQLAlchemy's attribute history. Bookkeeping columns and
anything that looks like a secret are left out.

Not seen: bulk `update()`/`delete()` statements (they bypass the unit of work); a domain
that uses one for a change worth auditing should load and assign instead.
"""

import datetime as dt
import re
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, event, func, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE

from custreg.access.models import AuditEntry
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.db.driver import DriverStatement
from custreg.errors import NotFound

# Columns that are bookkeeping (moved by every write) or keys, not customer data.
SKIP = frozenset(
    {
        "id",
        "customer_id",
        "company_id",
        "search_text",
        "version",
        "last_updated_at",
        "full_name_given",
        "reg_date",
    }
)
SECRET = re.compile(r"secret|password|token|hash|api_?key", re.I)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (list, dict)):
        return value
    return str(value)


_COLUMNS: dict[type, dict[str, str]] = {}


def _columns(cls: type) -> dict[str, str]:
    """Audited column keys of a mapped class → their API (camelCase) names; computed once."""
    found = _COLUMNS.get(cls)
    if found is None:
        found = {
            a.key: camel(a.key)
            for a in inspect(cls).column_attrs
            if a.key not in SKIP and not SECRET.search(a.key)
        }
        _COLUMNS[cls] = found
    return found


def _whole(cls: type, values: dict[str, Any], op: str) -> list[dict[str, Any]]:
    """The changes of a created or deleted row: every audited column that holds a value."""
    out = []
    for key, name in _columns(cls).items():
        value = values.get(key)
        if value is not None:
            value = _json(value)
            out.append(
                {"field": name, "old": None, "new": value}
                if op == "create"
                else {"field": name, "old": value, "new": None}
            )
    return out


def _changes(obj: Any, op: str) -> list[dict[str, Any]]:
    state = inspect(obj)
    values = state.dict
    if op in ("create", "delete"):
        return _whole(type(obj), values, op)
    columns = _columns(type(obj))
    out = []
    # An update: only attributes set since load are in committed_state (with the old value).
    for key, old in state.committed_state.items():
        name = columns.get(key)
        if name is None:
            continue
        old = None if old is NO_VALUE else _json(old)
        new = _json(values.get(key))
        if old != new:
            out.append({"field": name, "old": old, "new": new})
    return out


def _resource(obj: Any) -> str:
    return _resource_of(type(obj), lambda key: getattr(obj, key, None))


def _resource_of(cls: type, value_of) -> str:
    if issubclass(cls, Customer):
        return "customer"
    name, guid_key = _resource_keys(cls)
    guid = value_of(guid_key) if guid_key else None
    return f"{name}/{guid}" if guid is not None else name


@cache
def _resource_keys(cls: type) -> tuple[str, str | None]:
    """A record class's resource name and the key of its own GUID."""
    return (
        getattr(cls, "__audit_name__", None) or cls.__tablename__,
        next(
            (
                a.key
                for a in inspect(cls).column_attrs
                if a.key.endswith("_guid") and a.key != "customer_guid"
            ),
            None,
        ),
    )


def _owner(session: Session, obj: Any) -> Customer | None:
    if isinstance(obj, Customer):
        return obj
    owner = inspect(obj).dict.get("customer")
    if isinstance(owner, Customer):
        return owner
    customer_id = getattr(obj, "customer_id", None)
    if customer_id is None:
        return None
    return session.get(Customer, customer_id)


def _audited(obj: Any) -> bool:
    return isinstance(obj, Customer) or (
        hasattr(type(obj), "customer_id") and not isinstance(obj, AuditEntry)
    )


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    _record(session, (("create", session.new), ("update", session.dirty), ("delete", session.deleted)))


def record_created(session: Session, objects: list) -> None:
    """Entries for new objects written without the unit of work (customers.service)."""
    _record(session, (("create", objects),))


def record_new_rows(session: Session, customer: dict[str, Any], rows: list[tuple[type, dict]]) -> None:
    """Create entries for rows written without ORM objects (customers/plain_create.py), the
    same as record_created writes for the objects: `customer` holds company_id,
    customer_guid and customer_number; `rows` are (mapped class, values by attribute key),
    the customer's own first."""
    actor = session.info.get("actor")
    if actor is None:
        return
    now = utcnow()
    _insert(
        session,
        [
            dict(
                customer,
                at=now,
                actor_type=actor[0],
                actor_id=actor[1],
                operation="create",
                resource=_resource_of(cls, values.get),
                changes=_whole(cls, values, "create"),
            )
            for cls, values in rows
        ],
    )


def _record(session: Session, groups) -> None:
    actor = session.info.get("actor")
    if actor is None:
        return
    now = utcnow()
    entries = []
    for op, objects in groups:
        for obj in list(objects):
            if not _audited(obj):
                continue
            customer = _owner(session, obj)
            if customer is None or customer.customer_guid is None:
                continue
            if op == "create" and isinstance(obj, Customer) and customer.customer_number is None:
                continue
            changes = _changes(obj, op)
            if op == "update" and not changes:
                continue
            if isinstance(obj, Customer) and op == "delete":
                changes = []  # the customer's own tombstone; its values are in earlier entries
            entries.append(
                dict(
                    company_id=customer.company_id,
                    customer_guid=customer.customer_guid,
                    customer_number=customer.customer_number,
                    at=now,
                    actor_type=actor[0],
                    actor_id=actor[1],
                    operation=op,
                    resource=_resource(obj),
                    changes=changes,
                )
            )
    if entries:
        _insert(session, entries)


def _insert(session: Session, entries: list[dict[str, Any]]) -> None:
    # One INSERT on the driver: entries are never read back in the writing session, and
    # ORM objects would cost a unit-of-work round (and one INSERT ... RETURNING each).
    _ADD_ENTRIES.execute(session.connection(), [{f"p_{k}": v for k, v in e.items()} for e in entries])


_ADD_ENTRIES = DriverStatement(
    insert(AuditEntry.__table__).values(
        {c.name: bindparam(f"p_{c.name}", type_=c.type) for c in AuditEntry.__table__.c if c.name != "id"}
    )
)


# --- reading the trail --------------------------------------------------------------


def history_page(
    session: Session,
    company,
    key: str,
    *,
    top: int,
    skip: int,
    where: list | None = None,
    order: list | None = None,
) -> tuple[int, list]:
    """The trail of one customer, newest first; works for a deleted customer too."""
    from custreg.customers.service import parse_key

    kind, value = parse_key(key)
    column = AuditEntry.customer_number if kind == "number" else AuditEntry.customer_guid
    if kind == "number":
        # Numbers are never reused, but resolve through the live customer when there is one.
        guid = session.scalar(
            select(Customer.customer_guid).where(
                Customer.company_id == company.id, Customer.customer_number == value
            )
        )
        if guid is not None:
            column, value = AuditEntry.customer_guid, guid
    conds = [AuditEntry.company_id == company.id, column == value, *(where or [])]
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conds)) or 0
    if total == 0 and not where:
        exists = session.scalar(
            select(Customer.id).where(
                Customer.company_id == company.id,
                (Customer.customer_number if kind == "number" else Customer.customer_guid) == value,
            )
        )
        if exists is None:
            raise NotFound(f"Customer {key!r} not found")
    rows = session.scalars(
        select(AuditEntry)
        .where(*conds)
        .order_by(*(order or []), AuditEntry.id.desc())
        .limit(top)
        .offset(skip)
    ).all()
    return total, list(rows)
