from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from custreg.companies import defaults
from custreg.companies.models import Company
from custreg.companies.schemas import CompanyCreate
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
        raise Conflict(f"Company {data.cuid!r} already exists", [{"field": "cuid", "message": "already exists"}])
    company = Company(
        cuid=data.cuid,
        name=data.name,
        country_code=data.countryCode,
        business_id=data.businessId,
        next_customer_number=1,
    )
    session.add(company)
    session.flush()
    defaults.seed(session, company)
    return company


def list_page(
    session: Session, *, top: int, skip: int, only: frozenset[str] | None = None, search: str | None = None
) -> tuple[int, list[Company]]:
    """A page of companies; `only`: just these cuids (a client's granted ones); `search`:
    those whose cuid or name contains it (any case, taken literally)."""
    where: list[ColumnElement[bool]] = [] if only is None else [Company.cuid.in_(sorted(only))]
    if search:
        needle = search.lower()
        where.append(
            or_(
                func.lower(Company.cuid).contains(needle, autoescape=True),
                func.lower(Company.name).contains(needle, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(Company).where(*where)) or 0
    rows = session.scalars(select(Company).where(*where).order_by(Company.cuid).limit(top).offset(skip)).all()
    return total, list(rows)
