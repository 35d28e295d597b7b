from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.companies.schemas import CompanyCreate
from custreg.db.driver import DriverStatement
from custreg.errors import Conflict, NotFound


def get(session: Session, cuid: str) -> Company:
    """The company, or 404."""
    company = session.scalar(select(Company).where(Company.cuid == cuid))
    if company is None:
        raise NotFound(f"Company {cuid!r} not found")
    return company


def cached(state, session: Session, cuid: str) -> Company:
    """The company from a per-process cache (companies never change once created; the
    number counter is only ever read with UPDATE ... RETURNING). Unknown ones are not cached."""
    cache: dict[str, Company] = state.company_cache
    company = cache.get(cuid)
    if company is None:
        company = get(session, cuid)
        session.expunge(company)  # detached: no rollback of this session can expire it
        if len(cache) < 10_000:
            cache[cuid] = company
    return company


def create(session: Session, *, data: CompanyCreate) -> Company:
    if session.scalar(select(Company.id).where(Company.cuid == data.cuid)) is not None:
        raise Conflict(
            f"Company {data.cuid!r} already exists", [{"field": "cuid", "message": "already exists"}]
        )
    company = Company(
        cuid=data.cuid,
        name=data.name,
        country_code=data.countryCode,
        business_id=data.businessId,
        next_customer_number=1,
    )
    session.add(company)
    session.flush()
    from custreg.companies import defaults

    defaults.seed(session, company)
    return company


def list_page(
    session: Session, *, top: int, skip: int, only: frozenset[str] | None = None
) -> tuple[int, list[Company]]:
    """A page of companies; `only`: just these cuids (a client's granted ones)."""
    where = [] if only is None else [Company.cuid.in_(sorted(only))]
    total = session.scalar(select(func.count()).select_from(Company).where(*where)) or 0
    rows = session.scalars(select(Company).where(*where).order_by(Company.cuid).limit(top).offset(skip)).all()
    return total, list(rows)


# session.info key: an object counting a company's numbers inside the session's transaction
# (sync/bulk.Numbers, during an import), with counting(company_id) and take(count).
COUNTED_NUMBERS = "counted_customer_numbers"


def take_customer_number(session: Session, company_id: int, count: int = 1) -> int:
    """Next number of the company's sequence (the first of `count` consecutive ones); the
    row lock serializes concurrent takers. Inside an import, from the import's count (it
    holds that lock and writes the counter back before COMMIT)."""
    counted = session.info.get(COUNTED_NUMBERS)
    if counted is not None and counted.counting(company_id):
        return counted.take(count)
    # On the connection, not through the ORM: an ORM-enabled UPDATE would synchronize the
    # session (measured ≈ 1 ms of a POST's CPU), and the number is all we need back.
    cursor = _TAKE_NUMBER.execute(session.connection(), {"company_id": company_id, "count": count})
    new_next = cursor.fetchone()[0]
    return new_next - count


_t = cast(Table, Company.__table__)  # typed as any FromClause; a mapped class's is its Table
# Built once: building the statement per call cost about as much as running it.
_TAKE_NUMBER = DriverStatement(
    update(_t)
    .where(_t.c.id == bindparam("company_id"))
    .values(next_customer_number=_t.c.next_customer_number + bindparam("count"))
    .returning(_t.c.next_customer_number)
)
