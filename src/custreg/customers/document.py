"""The stored document: each customer's full representation, rendered when a write
commits, so `GET /customers/{customer}` is one indexed read and no rendering.

- `touch()` marks the customer dirty (document NULL) and clears the documents of the
  customers related to it (their `myGuarantors`/`guaranteeFor` show its fields).
- Before the commit, every dirty customer still in the session is rendered: the
  rendering a write endpoint already made for its response is reused when the
  customer's version has not moved since.
- A NULL document (bulk import, a related customer changed) is rendered live on GET.
"""

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from custreg.customers.models import Customer

DIRTY = "customers_dirty"
RENDERED = "customers_rendered"
NEW = "customers_new"


def mark_dirty(session: Session, customer: Customer) -> None:
    customer.document = None
    session.info.setdefault(DIRTY, set()).add(customer)
    if customer.id is None:  # created in this transaction: nobody relates to it yet
        session.info.setdefault(NEW, set()).add(customer)


def remember(customer: Customer, model) -> None:
    """read.detail() calls this: a rendering made during a write can be stored as is."""
    session = inspect(customer).session
    if session is not None and customer in session.info.get(DIRTY, ()):
        session.info.setdefault(RENDERED, {})[customer.id] = (customer.version, model)


def _clear_related(session: Session, ids: list[int]) -> None:
    try:
        from custreg.relations.models import CustomerRelation as R
    except ImportError:  # pragma: no cover - relations not installed
        return
    related = select(R.related_customer_id).where(R.customer_id.in_(ids)).union(
        select(R.customer_id).where(R.related_customer_id.in_(ids)))
    session.execute(update(Customer).where(Customer.id.in_(related), Customer.id.not_in(ids),
                                           Customer.document.is_not(None))
                    .values(document=None), execution_options={"synchronize_session": False})


@event.listens_for(Session, "before_commit")
def _render_dirty(session: Session) -> None:
    dirty = session.info.pop(DIRTY, None)
    rendered = session.info.pop(RENDERED, {})
    new = session.info.pop(NEW, set())
    if not dirty:
        return
    from custreg.companies.models import Company
    from custreg.customers import read

    session.flush()
    ids = [c.id for c in dirty if c.id is not None and c not in new]
    if ids:
        _clear_related(session, ids)
    for customer in dirty:
        state = inspect(customer)
        if state.deleted or state.was_deleted or state.detached or state.transient or customer.id is None:
            continue
        version, model = rendered.get(customer.id, (None, None))
        if model is None or version != customer.version:
            # Collections loaded before this transaction's deletes still hold them.
            session.expire(customer, [r.key for r in inspect(Customer).relationships])
            cuid = session.scalar(select(Company.cuid).where(Company.id == customer.company_id))
            model = read.detail(customer, cuid, remember_rendering=False)
        customer.document = model.model_dump_json()
    session.flush()


def stored(session: Session, company_id: int, key_column, key) -> tuple[str, int] | None:
    """(document, version) of one customer, or None when it has no stored document."""
    row = session.execute(select(Customer.document, Customer.version).where(
        Customer.company_id == company_id, key_column == key)).first()
    if row is None or row.document is None:
        return None
    return row.document, row.version



@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    # A rolled-back write renders nothing; what it marked must not leak into the next one.
    if previous_transaction.parent is None or not session.in_transaction():
        for key in (DIRTY, RENDERED, NEW):
            session.info.pop(key, None)
