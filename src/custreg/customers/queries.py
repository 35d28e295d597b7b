"""Reading customers: lists with OData options, `searchWord`, `fromDate`, counts."""

import dataclasses
import datetime as dt
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import identifiers, search
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS
from custreg.customers.shape import CUSTOMER_FIELDS, MAIN_ADDRESS_JOIN, columns
from custreg.db.columns import filter_fields
from custreg.errors import BadRequest
from custreg.odata import FilterField, OutOfRange, parse_filter, parse_orderby, utc
from custreg.paging import ListParams

_C = Customer.__table__.c

FILTER_FIELDS: dict[str, FilterField] = {
    **filter_fields(
        Customer,
        [f for f in CUSTOMER_FIELDS if f != "dimensions"]
        + ["customerGuid", "customerNumber", "regDate", "lastUpdatedAt", "version"],
    ),
    **filter_fields(Address, MAIN_ADDRESS_FIELDS),
}
# idNumber is stored in one form and matched in any written one (docs/customers.md, "Identifiers").
FILTER_FIELDS["idNumber"] = dataclasses.replace(FILTER_FIELDS["idNumber"], forms=identifiers.forms)


def conditions(
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
    return session.connection().execute(_FTS_COUNT, {"q": search.fts_query(terms), "lo": lo, "hi": hi}).scalar() or 0


def _words_page(
    session: Session,
    company: Company,
    terms: list[str],
    params: ListParams,
    include_excluded: bool,
    fields: tuple[str, ...] | None,
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
        select(*(columns(fields) if fields is not None else (Customer, Address)))
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(Customer.company_id == company.id, Customer.customer_number.in_([n for n, _total in found]))
        .order_by(Customer.customer_number)
    )
    if fields is not None:
        return found[0][1], list(session.connection().execute(stmt).all())
    return found[0][1], [(c, a) for c, a in session.execute(stmt)]


# searchWord alone on SQLite: the count and the page's keys from the FTS index; statements
# built once (SQLAlchemy memoizes a statement's cache key on the object).
_fts = search.fts_table()
_MATCH = [sql_text(f"{search.FTS_TABLE} MATCH :q"), _fts.c.rowid >= bindparam("lo"), _fts.c.rowid < bindparam("hi")]
_FTS_COUNT = select(func.count()).select_from(_fts).where(*_MATCH)
_FTS_NUMBERS = (
    select(_fts.c.rowid - bindparam("lo"))
    .where(*_MATCH)
    .order_by(_fts.c.rowid)
    .limit(bindparam("top"))
    .offset(bindparam("skip"))
)


# Statements built once for each set of fields a caller asks for (the lists' few constants):
# SQLAlchemy memoizes a statement's cache key on the object, and building and keying a
# select costs more than running it on a page of 25.
@lru_cache(maxsize=16)
def _fts_page(fields: tuple[str, ...] | None):
    """searchWord alone on SQLite: the page of rows whose numbers the FTS index gives."""
    return (
        select(*((Customer, Address) if fields is None else columns(fields)))
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(
            Customer.company_id == bindparam("company"), Customer.customer_number.in_(_FTS_NUMBERS.scalar_subquery())
        )
        .order_by(Customer.customer_number)
    )


@lru_cache(maxsize=16)
def _rows_by_id(fields: tuple[str, ...]):
    """A page of rows by customer id (the ids found by a small statement first)."""
    return (
        select(*columns(fields), _C.id)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(_C.id.in_(bindparam("ids", expanding=True)))
    )


def _page(session: Session, where: list, params: ListParams, order: list, fields: tuple[str, ...] | None) -> list:
    if fields is not None:
        ids_stmt = select(Customer.id)
        if _needs_address(params):
            ids_stmt = ids_stmt.outerjoin(Address, MAIN_ADDRESS_JOIN)
        ids = (
            session.connection()
            .execute(
                ids_stmt.where(*where).order_by(*order, Customer.customer_number).limit(params.top).offset(params.skip)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        at = {id_: i for i, id_ in enumerate(ids)}
        return sorted(session.connection().execute(_rows_by_id(fields), {"ids": ids}).all(), key=lambda r: at[r[-1]])
    stmt = (
        select(Customer, Address)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(*where)
        .order_by(*order, Customer.customer_number)
        .limit(params.top)
        .offset(params.skip)
    )
    return [(c, a) for c, a in session.execute(stmt)]


def list_page(
    session: Session, company: Company, params: ListParams, *, fields: tuple[str, ...] | None = None, **query
) -> tuple[int, list]:
    """One page of (customer, main address) pairs, or of rows of the API `fields` (shape.columns:
    labelled with the fields' names, in their order; no ORM objects), and the total matching."""
    terms = _words_only(session, params, query)
    dialect = session.get_bind().dialect.name
    if terms and dialect == "postgresql" and not params.orderby:
        return _words_page(session, company, terms, params, query["include_excluded"], fields)
    if terms:
        total = _words_total(session, company, terms, query["include_excluded"])
        if dialect == "postgresql":  # with $orderby
            where = conditions(company, params, dialect="postgresql", **query)
            order = parse_orderby(params.orderby or "", FILTER_FIELDS)
            return total, _page(session, where, params, order, fields)
        if not params.orderby and not query["include_excluded"]:
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
            if fields is not None:
                return total, list(session.connection().execute(_fts_page(fields), values).all())
            return total, [(c, a) for c, a in session.execute(_fts_page(None), values)]
        where = conditions(company, params, dialect="sqlite", **query)
        order = parse_orderby(params.orderby, FILTER_FIELDS) if params.orderby else []
        return total, _page(session, where, params, order, fields)
    where = conditions(company, params, dialect=dialect, **query)
    order = parse_orderby(params.orderby, FILTER_FIELDS) if params.orderby else []
    return _total(session, where, params), _page(session, where, params, order, fields)


def count(session: Session, company: Company, params: ListParams, **query) -> int:
    terms = _words_only(session, params, query)
    if terms:
        return _words_total(session, company, terms, query["include_excluded"])
    return _total(session, conditions(company, params, dialect=session.get_bind().dialect.name, **query), params)


def _total(session: Session, where: list, params: ListParams) -> int:
    base = select(Customer.id).outerjoin(Address, MAIN_ADDRESS_JOIN) if _needs_address(params) else select(Customer.id)
    return session.connection().execute(select(func.count()).select_from(base.where(*where).subquery())).scalar() or 0


def parse_from_date(value: str | None) -> dt.datetime | None:
    """`fromDate` in UTC; 400 naming it when it is not a date-time or is outside the years
    1-9999 in UTC (checked before an export's stream starts)."""
    if value is None:
        return None
    try:
        return utc(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except OutOfRange:
        raise BadRequest(
            "fromDate is out of range", [{"field": "fromDate", "message": "out of range (UTC years 1-9999)"}]
        ) from None
    except ValueError:
        raise BadRequest(
            "fromDate is not an ISO 8601 date or date-time",
            [{"field": "fromDate", "message": "not an ISO 8601 date or date-time"}],
        ) from None
