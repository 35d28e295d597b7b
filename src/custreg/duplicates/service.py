"""Detection's storage and reads: `compute` (the CLI: every customer of a company, stored),
`stored_page` (GET /customers/duplicates), `live_for` (GET /customers/{c}/duplicates: the
customer against the few that share an indexed key with it, plus its stored pairs)."""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import search
from custreg.customers.models import Customer
from custreg.customers.shape import MAIN_ADDRESS_JOIN
from custreg.db.base import table_of, utcnow
from custreg.duplicates import detection
from custreg.duplicates.models import DuplicateCandidate

CHUNK = 5_000
LIVE_LIMIT = 200  # customers compared live with one customer


def compute(session: Session, company: Company, progress: Callable[[int], None] | None = None) -> int:
    """Find every candidate pair of the company and store them in place of the last run's,
    best first (ties by the customers' ids)."""
    people = (detection.person(row) for row in detection.rows_of(session, company.id, chunk=CHUNK))
    found = sorted(detection.pairs(people, progress), key=lambda p: (-p.score, p.first, p.second))
    session.execute(delete(DuplicateCandidate).where(DuplicateCandidate.company_id == company.id))
    now = utcnow()
    table = table_of(DuplicateCandidate)
    for i in range(0, len(found), CHUNK):
        rows = [
            {
                "company_id": company.id,
                "first_id": p.first,
                "second_id": p.second,
                "score": p.score,
                "reasons": detection.reasons_json(p),
                "computed_at": now,
            }
            for p in found[i : i + CHUNK]
        ]
        session.execute(insert(table), rows)
    return len(found)


def _customer(c: Any) -> dict[str, Any]:
    return {"customerNumber": c.customer_number, "customerGuid": c.customer_guid, "name": c.full_name or c.company_name}


def stored_page(session: Session, company: Company, *, top: int, skip: int) -> tuple[int, list[dict[str, Any]]]:
    """The stored pairs, best first."""
    d = DuplicateCandidate
    first, second = aliased(Customer), aliased(Customer)
    total = session.scalar(select(func.count()).select_from(d).where(d.company_id == company.id)) or 0
    page = (  # the page's pairs first (the score index), then their customers: never a join of every pair
        select(d.id).where(d.company_id == company.id).order_by(d.score.desc(), d.id).limit(top).offset(skip)
    ).subquery()
    rows = session.execute(
        select(d, first, second)
        .join(page, page.c.id == d.id)
        .join(first, first.id == d.first_id)
        .join(second, second.id == d.second_id)
        .order_by(d.score.desc(), d.id)
    ).all()
    return total, [
        {
            "customers": [_customer(a), _customer(b)],
            "score": cand.score,
            "reasons": cand.reasons,
            "computedAt": cand.computed_at,
        }
        for cand, a, b in rows
    ]


def live_for(session: Session, company: Company, customer: Customer) -> list[dict[str, Any]]:
    """The customer's candidates computed now against customers sharing its identity number,
    e-mail or a name word (indexed), and the partners of its stored pairs; best first."""
    d = DuplicateCandidate
    stored = (
        select(d.second_id).where(d.first_id == customer.id).union(select(d.first_id).where(d.second_id == customer.id))
    )
    conditions: list[ColumnElement[bool]] = [Customer.id.in_(stored)]
    if customer.id_number:
        conditions.append(Customer.id_number == customer.id_number)
    if customer.email:
        conditions.append(Customer.email == customer.email)
    surname = customer.last_name or customer.company_name
    if surname:  # the same word in the name, accent- and case-insensitively (the search index)
        words = search.conditions(surname, session.get_bind().dialect, company.id, True)
        if words:
            conditions.append(and_(*words))
    # One query a condition, each on its index (an OR of them scans the company's customers).
    found: dict[int, None] = {}
    for condition in conditions:
        query = select(Customer.id).where(Customer.company_id == company.id, condition, Customer.id != customer.id)
        found.update(dict.fromkeys(session.scalars(query.limit(LIVE_LIMIT))))
    ids = list(found)[:LIVE_LIMIT]
    people = [detection.person(r) for r in _rows(session, company, [customer.id, *ids])]
    out = []
    for pair in detection.pairs(people):
        if customer.id not in (pair.first, pair.second):
            continue
        other = pair.second if pair.first == customer.id else pair.first
        out.append((pair, other))
    by_id = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_([o for _, o in out])))}
    result = [
        {
            "customers": [_customer(customer), _customer(by_id[other])],
            "score": pair.score,
            "reasons": detection.reasons_json(pair),
            "computedAt": utcnow(),
        }
        for pair, other in out
    ]
    return sorted(result, key=lambda r: (-r["score"], r["customers"][1]["customerNumber"]))


def _rows(session: Session, company: Company, ids: list[int]) -> Sequence[Any]:
    return session.execute(
        select(*detection.COLUMNS)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(Customer.company_id == company.id, Customer.id.in_(ids))
    ).all()
