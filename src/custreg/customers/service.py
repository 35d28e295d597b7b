"""Customer rules: create, replace, patch, delete, list. Services never commit."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, inspect, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached

from custreg import etags
from custreg.access import audit
from custreg.addresses.models import Address
from custreg.companies import service as companies
from custreg.companies.models import Company
from custreg.customers import document, hooks, search, validation
from custreg.customers.models import ChangeLog, Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerFields
from custreg.db.base import utcnow
from custreg.db.columns import filter_fields, snake
from custreg.errors import BadRequest, Conflict, NotFound, Unprocessable
from custreg.odata import FilterField, parse_filter, parse_orderby
from custreg.paging import ListParams
from custreg.sync import feed

CUSTOMER_FIELDS = tuple(f for f in CustomerFields.model_fields if f not in MAIN_ADDRESS_FIELDS)
SEARCH_FIELDS = (
    "fullName",
    "firstName",
    "lastName",
    "companyName",
    "idNumber",
    "vatNumber",
    "email",
    "homePhone",
    "workPhone",
    "cellularPhone",
)

FILTER_FIELDS: dict[str, FilterField] = {
    **filter_fields(
        Customer,
        [f for f in CUSTOMER_FIELDS if f != "dimensions"]
        + ["customerGuid", "customerNumber", "regDate", "lastUpdatedAt", "version"],
    ),
    **filter_fields(Address, MAIN_ADDRESS_FIELDS),
}

# The main address: the customer's default LEGAL address.
MAIN_ADDRESS_JOIN = and_(
    Address.customer_id == Customer.id, Address.address_type == "LEGAL", Address.default_address.is_(True)
)


def main_address(customer: Customer) -> Address | None:
    return next((a for a in customer.addresses if a.address_type == "LEGAL" and a.default_address), None)


def values_of(customer: Customer, address: Address | None) -> dict[str, Any]:
    """The customer's writable fields, camelCase, main address included."""
    v = {f: getattr(customer, snake(f)) for f in CUSTOMER_FIELDS}
    v.update({f: getattr(address, snake(f)) if address else None for f in MAIN_ADDRESS_FIELDS})
    if not customer.full_name_given:
        v["fullName"] = None
    return v


MAX_NUMBER = 2**63 - 1  # a BIGINT


def parse_key(key: str) -> tuple[str, Any]:
    """`{customer}` in a path: a customer number or a GUID."""
    if key.isascii() and key.isdigit():  # not "²": str.isdigit() takes any Unicode digit
        number = int(key)
        if number > MAX_NUMBER:  # no such customer; the database could not even bind it
            raise NotFound(f"Customer {key!r} not found")
        return "number", number
    try:
        return "guid", uuid.UUID(key)
    except ValueError:
        raise NotFound(f"Customer {key!r} not found") from None


def get(
    session: Session, company: Company, key: str, *, for_update: bool = False, full: bool = True
) -> Customer:
    kind, value = parse_key(key)
    column = Customer.customer_number if kind == "number" else Customer.customer_guid
    stmt = select(Customer).where(Customer.company_id == company.id, column == value)
    if full:
        stmt = stmt.options(*load_options())
    if for_update:
        # The change-feed lock comes before any customer row lock (no lock-order deadlock).
        feed.lock_changes(session, company.id)
        stmt = stmt.with_for_update(of=Customer)
    customer = session.scalar(stmt)
    if customer is None:
        raise NotFound(f"Customer {key!r} not found")
    return customer


def stored_document(session: Session, company: Company, key: str) -> tuple[str, int] | None:
    """The customer's stored document and version, or None (then render it live)."""
    kind, value = parse_key(key)
    column = Customer.customer_number if kind == "number" else Customer.customer_guid
    return document.stored(session, company.id, column, value)


def load_options() -> list:
    """Relationships a full customer read needs; each domain adds its own loader."""
    return [selectinload(Customer.addresses)] + [opt() for opt in hooks.LOADERS]


def check_if_match(customer: Customer, if_match: str | None) -> None:
    etags.check(etags.quoted(str(customer.version)), if_match)


def _apply(
    session: Session, company: Company, customer: Customer, values: dict[str, Any], *, given_full_name: bool
) -> None:
    v = validation.normalize(values, default_country=company.country_code)
    _check_parent(session, company, customer, v.get("parentCustomer"))
    for hook in hooks.APPLY:
        hook(session, company, customer, v)
    customer.full_name_given = given_full_name
    if not given_full_name:
        v["fullName"] = validation.derive_full_name(v)
    for f in CUSTOMER_FIELDS:
        setattr(customer, snake(f), v.get(f))
    customer.excluded = bool(v.get("excluded"))
    _apply_main_address(customer, {f: v.get(f) for f in MAIN_ADDRESS_FIELDS})


# Cross-domain rules that need the database (codes of basic details, relations, ...).


def _apply_main_address(customer: Customer, fields: dict[str, Any]) -> None:
    address = main_address(customer)
    if address is None:
        if not any(fields.values()):
            return
        address = Address(address_type="LEGAL", default_address=True, address_guid=uuid.uuid4())
        customer.addresses.append(address)
    for f, value in fields.items():
        setattr(address, snake(f), value)
    address.last_updated_at = utcnow()


def _check_parent(session: Session, company: Company, customer: Customer, parent: uuid.UUID | None):
    if parent is None:
        return
    if parent == customer.customer_guid:
        raise Unprocessable(
            "A customer cannot be its own parent",
            [{"field": "parentCustomer", "message": "is the customer itself"}],
        )
    found = session.scalar(
        select(Customer.id).where(Customer.company_id == company.id, Customer.customer_guid == parent)
    )
    if found is None:
        raise Unprocessable(
            "parentCustomer not found in this company",
            [{"field": "parentCustomer", "message": "no such customer in this company"}],
        )


def touch(session: Session, customer: Customer, *, op: str = "upsert") -> None:
    """Record a change of the customer or of any of its records."""
    feed.lock_changes(session, customer.company_id)  # ids in commit order (sync/feed.py)
    now = utcnow()
    document.mark_dirty(session, customer)
    if op == "upsert":
        customer.last_updated_at = max(now, customer.last_updated_at or now)
        customer.version = (customer.version or 0) + 1
        customer.search_text = _search_text(customer)
    # A Core INSERT, not an ORM object: the entry is never read back by the writer, and
    # the unit of work would cost more than the statement (measured on POST /customers).
    session.connection().execute(
        _ADD_CHANGE,
        dict(
            company_id=customer.company_id,
            customer_guid=customer.customer_guid,
            customer_number=customer.customer_number,
            op=op,
            at=now,
        ),
    )
    for hook in hooks.TOUCH:
        hook(session, customer, op)


_ADD_CHANGE = insert(ChangeLog.__table__)  # built once, executed with each entry's values


def _search_text(customer: Customer) -> str:
    parts = [str(customer.customer_number)]
    parts += [getattr(customer, snake(f)) or "" for f in SEARCH_FIELDS]
    address = main_address(customer)
    if address is not None and address.city:
        parts.append(address.city)
    return search.document_text(
        parts,
        phones=[customer.home_phone, customer.work_phone, customer.cellular_phone],
        codes=[customer.id_number, customer.vat_number],
    )


def create(
    session: Session, company: Company, values: dict[str, Any], *, customer_guid: uuid.UUID | None = None
) -> Customer:
    if customer_guid is not None and session.scalar(
        select(Customer.id).where(Customer.company_id == company.id, Customer.customer_guid == customer_guid)
    ):
        raise Conflict(
            f"customerGuid {customer_guid} is already in use",
            [{"field": "customerGuid", "message": "already in use"}],
        )
    feed.lock_changes(session, company.id)  # before the company row lock of the number
    customer = Customer(
        company_id=company.id, customer_guid=customer_guid or uuid.uuid4(), version=0, reg_date=utcnow()
    )
    for rel in inspect(Customer).relationships:  # a new customer has no records: no lazy loads
        if rel.uselist and not rel.viewonly:
            set_committed_value(customer, rel.key, [])  # loaded, empty, no history to flush
    _apply(session, company, customer, values, given_full_name=bool(values.get("fullName")))
    customer.customer_number = companies.take_customer_number(session, company.id)
    touch(session, customer)
    if not _insert_plain(session, customer):
        session.add(customer)
        session.flush()
    for hook in hooks.CREATED:
        hook(session, company, customer, values)
    return customer


def _insert_plain(session: Session, customer: Customer) -> bool:
    """A new customer holding nothing but its main address: both rows written with Core
    INSERT ... RETURNING and attached to the session as loaded objects, the audit entries
    written as the flush listener would. The unit of work costs about a third of a POST's
    CPU for the same two rows. Anything else (attached users, ...) takes the ORM flush."""
    mapper = inspect(Customer)
    for rel in mapper.relationships:
        if rel.uselist and not rel.viewonly and rel.key != "addresses" and getattr(customer, rel.key):
            return False
    addresses = list(customer.addresses)
    if len(addresses) > 1:
        return False
    conn = session.connection()
    customer.id = _insert_row(conn, customer)
    for address in addresses:
        address.customer_id = customer.id
        address.id = _insert_row(conn, address)
    audit.record_created(session, [customer, *addresses])
    for obj in (customer, *addresses):
        make_transient_to_detached(obj)
    session.add(customer)  # cascades to the address: both persistent, nothing to flush
    return True


_INSERTS: dict = {}


def _insert_row(conn, obj) -> int:
    """INSERT one mapped object's row; every column comes back and is set as loaded."""
    mapper = inspect(type(obj))
    state = obj.__dict__
    table = mapper.local_table
    values = {
        prop.columns[0].key: state[prop.key]
        for prop in mapper.column_attrs
        if prop.key in state and prop.key != "id"
    }
    stmt = _INSERTS.get(table)
    if stmt is None:  # built once: a statement built per call costs more than its INSERT
        stmt = _INSERTS[table] = insert(table).returning(*table.c)
    row = conn.execute(stmt, values).one()._mapping
    for prop in mapper.column_attrs:
        set_committed_value(obj, prop.key, row[prop.columns[0]])
    return row[table.c.id]


# After a create has flushed the customer (it has an id): fn(session, company, customer, values).


def replace(session: Session, company: Company, customer: Customer, values: dict[str, Any]) -> None:
    """PUT: every field from `values`; missing ones are cleared."""
    _apply(session, company, customer, values, given_full_name=bool(values.get("fullName")))
    touch(session, customer)
    session.flush()


def patch(session: Session, company: Company, customer: Customer, changes: dict[str, Any]) -> None:
    """PATCH as a JSON merge patch."""
    values = values_of(customer, main_address(customer))
    if "idNumber" in changes:  # a new code re-derives what the old one filled
        values.setdefault("dateOfBirth", None)
        if "dateOfBirth" not in changes:
            values["dateOfBirth"] = None
        if "gender" not in changes:
            values["gender"] = None
    values.update(changes)
    given = bool(changes["fullName"]) if "fullName" in changes else customer.full_name_given
    _apply(session, company, customer, values, given_full_name=given)
    touch(session, customer)
    session.flush()


def delete(session: Session, customer: Customer) -> None:
    touch(session, customer, op="delete")
    session.delete(customer)
    session.flush()


def bulk_delete(session: Session, company: Company, keys: list[int | str]) -> int:
    """Delete all of `keys` (numbers or GUIDs) or none: an unknown one is a 404."""
    found: dict[Any, Customer] = {}
    missing = []
    for key in keys:
        try:
            found[str(key)] = get(session, company, str(key), for_update=True)
        except NotFound:
            missing.append(str(key))
    if missing:
        raise NotFound(
            f"Unknown customers: {', '.join(missing)}",
            [{"field": "body", "message": f"unknown customer {k}"} for k in missing],
        )
    unique = {c.id: c for c in found.values()}
    for customer in unique.values():
        delete(session, customer)
    return len(unique)


def _where(
    company: Company,
    params: ListParams,
    *,
    dialect: str | None = None,
    search_word: str | None,
    from_date: dt.datetime | None,
    include_excluded: bool,
) -> list:
    where = [Customer.company_id == company.id]
    if not include_excluded:
        where.append(Customer.excluded.is_(False))
    if params.filter:
        where.append(parse_filter(params.filter, FILTER_FIELDS))
    if from_date is not None:
        where.append(Customer.last_updated_at >= from_date)
    if search_word:
        where += search.conditions(search_word, dialect, company.id, include_excluded)
    return where


def _needs_address(params: ListParams) -> bool:
    text = f"{params.filter or ''} {params.orderby or ''}"
    return any(f in text for f in MAIN_ADDRESS_FIELDS)


def _words_only(session: Session, params: ListParams, query: dict) -> list[str]:
    """The searchWord terms when the query is searchWord alone: then the word index (SQLite's
    FTS5 table, PostgreSQL's words table) answers the count and the page's numbers by
    itself (customers/search.py)."""
    if (
        params.filter
        or query.get("from_date") is not None
        or not query.get("search_word")
        or session.get_bind().dialect.name not in ("sqlite", "postgresql")
    ):
        return []
    return search.terms(query["search_word"])


def _words_total(session: Session, company: Company, terms: list[str], include_excluded: bool) -> int:
    if session.get_bind().dialect.name == "postgresql":
        numbers = search.word_numbers(terms, company.id, include_excluded).subquery()
        return session.connection().execute(select(func.count()).select_from(numbers)).scalar() or 0
    lo, hi = search.key_range(company.id, include_excluded)
    return (
        session.connection().execute(_FTS_COUNT, {"q": search.fts_query(terms), "lo": lo, "hi": hi}).scalar()
        or 0
    )


def _words_page(
    session: Session,
    company: Company,
    terms: list[str],
    params: ListParams,
    include_excluded: bool,
    columns: list | None,
) -> tuple[int, list]:
    """PostgreSQL, searchWord alone in number order: the page's numbers and the total in one
    index-only scan of the words table (a window count; a count and a page each paid the
    distinct over every match), then only those customers read."""
    numbers = search.word_numbers(terms, company.id, include_excluded).subquery()
    found = (
        session.connection()
        .execute(
            select(numbers.c.customer_number, func.count().over())
            .order_by(numbers.c.customer_number)
            .limit(params.top)
            .offset(params.skip)
        )
        .all()
    )
    if not found:  # past the end (or $top=0): the total alone
        return _words_total(session, company, terms, include_excluded), []
    stmt = (
        select(*(columns if columns is not None else (Customer, Address)))
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(Customer.company_id == company.id, Customer.customer_number.in_([n for n, _total in found]))
        .order_by(Customer.customer_number)
    )
    if columns is not None:
        return found[0][1], session.connection().execute(stmt).all()
    return found[0][1], [(c, a) for c, a in session.execute(stmt)]


_C, _A = Customer.__table__.c, Address.__table__.c
# What a list's summary shows (read.summaries), selected as columns: no ORM objects.
SUMMARY_COLUMNS = (
    [_C[snake(f)].label(f) for f in CUSTOMER_FIELDS]
    + [
        _C.customer_guid.label("customerGuid"),
        _C.customer_number.label("customerNumber"),
        _C.reg_date.label("regDate"),
        _C.last_updated_at.label("lastUpdatedAt"),
        _C.version.label("version"),
    ]
    + [_A[snake(f)].label(f) for f in MAIN_ADDRESS_FIELDS]
)

# searchWord alone on SQLite: the count and the page's keys from the FTS index; statements
# built once (SQLAlchemy memoizes a statement's cache key on the object).
_fts = search.fts_table()
_MATCH = [
    sql_text(f"{search.FTS_TABLE} MATCH :q"),
    _fts.c.rowid >= bindparam("lo"),
    _fts.c.rowid < bindparam("hi"),
]
_FTS_COUNT = select(func.count()).select_from(_fts).where(*_MATCH)
_FTS_NUMBERS = (
    select(_fts.c.rowid - bindparam("lo"))
    .where(*_MATCH)
    .order_by(_fts.c.rowid)
    .limit(bindparam("top"))
    .offset(bindparam("skip"))
)
_FTS_PAGE = {
    entities: (
        select(*((Customer, Address) if entities else SUMMARY_COLUMNS))
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(
            Customer.company_id == bindparam("company"),
            Customer.customer_number.in_(_FTS_NUMBERS.scalar_subquery()),
        )
        .order_by(Customer.customer_number)
    )
    for entities in (True, False)
}


# A page of summaries by customer id (the ids found by a small statement first): a select
# of 90 columns costs ≈ 1 ms to build and key each time; this one is built once.
_SUMMARIES_BY_ID = (
    select(*SUMMARY_COLUMNS, _C.id)
    .outerjoin(Address, MAIN_ADDRESS_JOIN)
    .where(_C.id.in_(bindparam("ids", expanding=True)))
)


def _page(session: Session, where: list, params: ListParams, order: list, columns: list | None) -> list:
    if columns is SUMMARY_COLUMNS:
        ids_stmt = select(Customer.id)
        if _needs_address(params):
            ids_stmt = ids_stmt.outerjoin(Address, MAIN_ADDRESS_JOIN)
        ids = (
            session.connection()
            .execute(
                ids_stmt.where(*where)
                .order_by(*order, Customer.customer_number)
                .limit(params.top)
                .offset(params.skip)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        at = {id_: i for i, id_ in enumerate(ids)}
        return sorted(
            session.connection().execute(_SUMMARIES_BY_ID, {"ids": ids}).all(), key=lambda r: at[r[-1]]
        )
    what = columns if columns is not None else (Customer, Address)
    stmt = (
        select(*what)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(*where)
        .order_by(*order, Customer.customer_number)
        .limit(params.top)
        .offset(params.skip)
    )
    if columns is not None:
        return session.connection().execute(stmt).all()
    return [(c, a) for c, a in session.execute(stmt)]


def list_page(
    session: Session, company: Company, params: ListParams, *, columns: list | None = None, **query
) -> tuple[int, list]:
    """One page of (customer, main address) pairs, or of rows of `columns`, and the total
    matching: two statements."""
    terms = _words_only(session, params, query)
    dialect = session.get_bind().dialect.name
    if terms and dialect == "postgresql" and not params.orderby:
        return _words_page(session, company, terms, params, query["include_excluded"], columns)
    if terms:
        total = _words_total(session, company, terms, query["include_excluded"])
        if dialect == "postgresql":  # with $orderby
            where = _where(company, params, dialect="postgresql", **query)
            order = parse_orderby(params.orderby, FILTER_FIELDS)
            return total, _page(session, where, params, order, columns)
        if (
            not params.orderby
            and not query["include_excluded"]
            and (columns is None or columns is SUMMARY_COLUMNS)
        ):
            # FTS rowids sort like customer numbers: the page's numbers straight from the index.
            if total <= params.skip or params.top == 0:
                return total, []
            lo, hi = search.key_range(company.id, False)
            values = {
                "company": company.id,
                "q": search.fts_query(terms),
                "lo": lo,
                "hi": hi,
                "top": params.top,
                "skip": params.skip,
            }
            if columns is not None:
                return total, session.connection().execute(_FTS_PAGE[False], values).all()
            return total, [(c, a) for c, a in session.execute(_FTS_PAGE[True], values)]
        where = _where(company, params, dialect="sqlite", **query)
        order = parse_orderby(params.orderby, FILTER_FIELDS) if params.orderby else []
        return total, _page(session, where, params, order, columns)
    where = _where(company, params, dialect=dialect, **query)
    order = parse_orderby(params.orderby, FILTER_FIELDS) if params.orderby else []
    return _total(session, where, params), _page(session, where, params, order, columns)


def count(session: Session, company: Company, params: ListParams, **query) -> int:
    terms = _words_only(session, params, query)
    if terms:
        return _words_total(session, company, terms, query["include_excluded"])
    return _total(session, _where(company, params, dialect=session.get_bind().dialect.name, **query), params)


def _total(session: Session, where: list, params: ListParams) -> int:
    base = (
        select(Customer.id).outerjoin(Address, MAIN_ADDRESS_JOIN)
        if _needs_address(params)
        else select(Customer.id)
    )
    return (
        session.connection().execute(select(func.count()).select_from(base.where(*where).subquery())).scalar()
        or 0
    )


def parse_from_date(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            "fromDate is not an ISO 8601 date or date-time",
            [{"field": "fromDate", "message": "not an ISO 8601 date or date-time"}],
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
