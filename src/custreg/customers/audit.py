"""Writing the audit trail: who changed what of a customer or of one of its records, when,
old → new. Called by the write path (customers/writer.py), never by a listener:

- `created`: the entries of a customer created from values (rows.prepare builds them,
  writer.create writes them), one for the customer and one for each row written with it
  (main address, external id);
- `record_pending`: before each flush, the entries of the session's new, changed and deleted
  objects that are a `Customer` or have a `customer_id` (every record domain), read from
  SQLAlchemy's attribute history.

Who writes comes from `session.info["actor"]` (a `(kind, id)` pair, set by the unit of work:
access.context.Ctx for a request, the CLI for its commands); without one nothing is recorded.
Bookkeeping columns and anything that looks like a secret are left out.
"""

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Numeric, delete, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE

from custreg.customers.models import AuditEntry, Customer
from custreg.db.base import table_of, utcnow

ACTOR = "actor"  # session.info key: (actor type, actor id)
# Columns that are bookkeeping (moved by every write) or keys, not customer data.
SKIP = frozenset(
    {"id", "customer_id", "company_id", "search_text", "version", "last_updated_at", "full_name_given", "reg_date"}
)
SECRET = re.compile(r"secret|password|token|hash|api_?key", re.I)
_ADD = insert(table_of(AuditEntry))


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)  # UUID, Decimal, ...


@cache
def _columns(cls: Any) -> dict[str, str]:
    """Audited column keys of a mapped class → their API (camelCase) names."""
    return {a.key: camel(a.key) for a in inspect(cls).column_attrs if a.key not in SKIP and not SECRET.search(a.key)}


@cache
def _scales(cls: Any) -> dict[str, Decimal]:
    """Decimal columns → their scale's step: values written from input are audited as the
    database gives them back (what an ORM write audits)."""
    out = {}
    for a in inspect(cls).column_attrs:
        t = a.columns[0].type
        if isinstance(t, Numeric) and t.scale and getattr(t, "asdecimal", False):
            out[a.key] = Decimal(1).scaleb(-t.scale)
    return out


@cache
def _resource_keys(cls: Any) -> tuple[str, str | None]:
    """A record class's resource name and the key of its own GUID."""
    guid = next(
        (a.key for a in inspect(cls).column_attrs if a.key.endswith("_guid") and a.key != "customer_guid"), None
    )
    return getattr(cls, "__audit_name__", None) or cls.__tablename__, guid


def _resource(cls: Any, value_of: Any) -> str:
    if issubclass(cls, Customer):
        return "customer"
    name, guid_key = _resource_keys(cls)
    guid = value_of(guid_key) if guid_key else None
    return f"{name}/{guid}" if guid is not None else name


@cache
def _plan(cls: Any, by_name: bool) -> tuple[tuple[str, str, Decimal | None], ...]:
    """(key of `values`, API name, Decimal step or None) of each audited column of `cls`."""
    steps = _scales(cls)
    return tuple((name if by_name else key, name, steps.get(key)) for key, name in _columns(cls).items())


_PLAIN = frozenset({str, int, float, bool, list, dict})  # values `_json` leaves as they are


def _whole(cls: Any, values: dict[str, Any], op: str, *, by_name: bool = False) -> list[dict[str, Any]]:
    """The changes of a created or deleted row: every audited column that holds a value
    (`values` by attribute key, or by API name)."""
    out = []
    create = op == "create"
    for at, name, step in _plan(cls, by_name):
        value = values.get(at)
        if value is None:
            continue
        if step is not None:
            value = Decimal(value).quantize(step)
        if value.__class__ not in _PLAIN:
            value = _json(value)
        out.append({"field": name, "old": None, "new": value} if create else {"field": name, "old": value, "new": None})
    return out


def _updated(obj: Any) -> list[dict[str, Any]]:
    state = inspect(obj)
    columns = _columns(obj.__class__)
    out = []
    # Only attributes set since load are in committed_state (with the old value).
    for key, old in state.committed_state.items():
        name = columns.get(key)
        if name is None:
            continue
        before = None if old is NO_VALUE else _json(old)
        after = _json(state.dict.get(key))
        # Equal values written in another form (5 for 5.00) are no change (writer.modified).
        if before != after and state.attrs[key].history.has_changes():
            out.append({"field": name, "old": before, "new": after})
    return out


def _entry(session: Session, head: dict[str, Any], op: str, resource: str, changes: list) -> dict[str, Any]:
    kind, ident = session.info[ACTOR]
    return {**head, "actor_type": kind, "actor_id": ident, "operation": op, "resource": resource, "changes": changes}


def created(written: list[tuple[type, dict[str, Any]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(resource, changes) of the create entries of rows written from values: (mapped class,
    values by API name), the customer's own first. Pure: the import's workers build them."""
    return [
        (_resource(cls, lambda key, v=values: v.get(camel(key))), _whole(cls, values, "create", by_name=True))
        for cls, values in written
    ]


def _owner(session: Session, obj: Any) -> Customer | None:
    if isinstance(obj, Customer):
        return obj
    owner = inspect(obj).dict.get("customer")
    if isinstance(owner, Customer):
        return owner
    customer_id = getattr(obj, "customer_id", None)
    return None if customer_id is None else session.get(Customer, customer_id)


def record_pending(session: Session) -> None:
    """Entries for what the next flush writes: new, changed and deleted audited objects."""
    if session.info.get(ACTOR) is None:
        return
    now = utcnow()
    entries = []
    for op, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in list(objects):
            if not (
                isinstance(obj, Customer) or (hasattr(type(obj), "customer_id") and not isinstance(obj, AuditEntry))
            ):
                continue
            customer = _owner(session, obj)
            if customer is None or customer.customer_guid is None or customer.customer_number is None:
                continue
            if op == "update":
                changes = _updated(obj)
                if not changes:
                    continue
            elif isinstance(obj, Customer) and op == "delete":
                changes = []  # the customer's own tombstone; its values are in earlier entries
            else:
                changes = _whole(type(obj), inspect(obj).dict, op)
            head = {
                "company_id": customer.company_id,
                "customer_guid": customer.customer_guid,
                "customer_number": customer.customer_number,
                "at": now,
            }
            entries.append(
                _entry(session, head, op, _resource(type(obj), lambda k, o=obj: getattr(o, k, None)), changes)
            )
    if entries:
        session.connection().execute(_ADD, entries)


def note(session: Session, customer: Customer, operation: str, resource: str, changes: list[dict[str, Any]]) -> None:
    """One entry the attribute history cannot show (a merge, an erasure), by the session's actor."""
    if session.info.get(ACTOR) is None:
        return
    head = {
        "company_id": customer.company_id,
        "customer_guid": customer.customer_guid,
        "customer_number": customer.customer_number,
        "at": utcnow(),
    }
    session.connection().execute(_ADD, [_entry(session, head, operation, resource, changes)])


def prune(session: Session, *, older_than: dt.datetime) -> int:
    """Delete the audit entries written before `older_than` (`custreg prune`); how many."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < older_than))
    return getattr(result, "rowcount", 0) or 0
