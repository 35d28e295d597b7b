"""Register configuration: the codes a company's customers may name (section 7)."""

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from custreg import etags
from custreg.companies.models import Company
from custreg.customers.models import Customer
from custreg.db.columns import snake
from custreg.errors import Conflict, FieldErrors, NotFound, listed
from custreg.register.defaults import CATEGORIES, DEFAULTS
from custreg.register.models import RegisterCode, RegisterSettings
from custreg.register.schemas import BasicDetails

# Customer field → category whose codes it must name.
CODED_FIELDS = {
    "customerGroup": "customerGroups",
    "segment": "segments",
    "customerTypeCode": "customerTypes",
    "paymentTerms": "paymentTerms",
    "deliveryTerms": "deliveryTerms",
    "deliveryMethod": "deliveryMethods",
    "postingGroup": "postingGroups",
    "priceList": "priceLists",
    "vatStatus": "vatStatuses",
}
DIMENSION_VALUES = "dimensionValues"

# Who else uses a category's codes: fn(session, company, codes) -> {code: count}; filled by
# custreg.bootstrap.
USAGE_COUNTERS: dict[str, Any] = {}


def seed(session: Session, company: Company) -> None:
    for category, items in DEFAULTS.items():
        for i, (code, name) in enumerate(items):
            session.add(
                RegisterCode(company_id=company.id, category=category, parent="", code=code, name=name, position=i)
            )


def basic_details(session: Session, company: Company) -> dict[str, list]:
    rows = session.scalars(
        select(RegisterCode)
        .where(RegisterCode.company_id == company.id)
        .order_by(RegisterCode.category, RegisterCode.position, RegisterCode.id)
    ).all()
    out: dict[str, list] = {c: [] for c in CATEGORIES}
    values: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.category == DIMENSION_VALUES:
            values[r.parent].append({"code": r.code, "name": r.name})
        elif r.category in out:
            out[r.category].append({"code": r.code, "name": r.name})
    for dim in out["dimensions"]:
        dim["values"] = values.get(dim["code"], [])
    return out


def codes(session: Session, company: Company, category: str, parent: str = "") -> set[str]:
    return set(
        session.scalars(
            select(RegisterCode.code).where(
                RegisterCode.company_id == company.id, RegisterCode.category == category, RegisterCode.parent == parent
            )
        )
    )


def tag(session: Session, company: Company) -> str:
    """The `ETag` of the whole configuration, as `GET /basic-details` sends it."""
    return etags.of_model(BasicDetails.model_validate(basic_details(session, company)))


def replace_category(
    session: Session, company: Company, category: str, items: list[dict], if_match: str | None = None
) -> None:
    """Replace one category; removing a code that is still used → 409 saying how many.
    `if_match`: the tag (`tag`) the change was made from; another one → 412. Only
    dimensions have `values`."""
    if category not in CATEGORIES:
        raise NotFound(f"Unknown category {category!r}; one of: {', '.join(CATEGORIES)}")
    if if_match is not None:
        # The company row lock orders this check against another replace of the configuration.
        session.execute(select(Company.id).where(Company.id == company.id).with_for_update())
        etags.check(tag(session, company), if_match)
    if category != "dimensions":
        items = [{"code": i["code"], "name": i["name"]} for i in items]
    errors = FieldErrors()
    seen = set()
    for i, item in enumerate(items):
        if item["code"] in seen:
            errors.add(f"[{i}].code", f"duplicate code {item['code']}")
        seen.add(item["code"])
        values: set[str] = set()
        for j, value in enumerate(item.get("values") or []):
            if value["code"] in values:
                errors.add(f"[{i}].values[{j}].code", f"duplicate value {value['code']}")
            values.add(value["code"])
    errors.raise_if_any()
    removed = codes(session, company, category) - seen
    in_use = _usage(session, company, category, removed) if removed else {}
    if category == "dimensions":
        in_use.update(_dimension_value_usage(session, company, items))
    in_use = {k: n for k, n in in_use.items() if n}
    if in_use:
        detail = listed(f"{code} is used by {n} customer(s)" for code, n in sorted(in_use.items()))
        raise Conflict(
            f"Codes still in use: {detail}",
            [{"field": code, "message": f"used by {n}"} for code, n in sorted(in_use.items())],
            inUse=in_use,
        )
    session.execute(
        delete(RegisterCode).where(RegisterCode.company_id == company.id, RegisterCode.category == category)
    )
    if category == "dimensions":
        session.execute(
            delete(RegisterCode).where(RegisterCode.company_id == company.id, RegisterCode.category == DIMENSION_VALUES)
        )
    for i, item in enumerate(items):
        session.add(
            RegisterCode(
                company_id=company.id, category=category, parent="", code=item["code"], name=item["name"], position=i
            )
        )
        for j, value in enumerate(item.get("values") or []):
            session.add(
                RegisterCode(
                    company_id=company.id,
                    category=DIMENSION_VALUES,
                    parent=item["code"],
                    code=value["code"],
                    name=value["name"],
                    position=j,
                )
            )
    session.flush()


def _usage(session: Session, company: Company, category: str, removed: set[str]) -> dict[str, int]:
    field = next((f for f, c in CODED_FIELDS.items() if c == category), None)
    if field is not None:
        column = getattr(Customer, snake(field))
        rows = session.execute(
            select(column, func.count()).where(Customer.company_id == company.id, column.in_(removed)).group_by(column)
        )
        return dict(rows.all())
    if category == "dimensions":
        return {
            code: session.scalar(
                select(func.count()).where(
                    Customer.company_id == company.id, Customer.dimensions[code].as_string().is_not(None)
                )
            )
            or 0
            for code in removed
        }
    counter = USAGE_COUNTERS.get(category)
    return counter(session, company, removed) if counter else {}


def _dimension_value_usage(session: Session, company: Company, items: list[dict]) -> dict[str, int]:
    out = {}
    kept = {item["code"]: {v["code"] for v in item.get("values") or []} for item in items}
    for dim, old_values in _all_dimension_values(session, company).items():
        for value in old_values - kept.get(dim, set()):
            n = (
                session.scalar(
                    select(func.count()).where(
                        Customer.company_id == company.id, Customer.dimensions[dim].as_string() == value
                    )
                )
                or 0
            )
            out[f"{dim}={value}"] = n
    return out


def _all_dimension_values(session: Session, company: Company) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for parent, code in session.execute(
        select(RegisterCode.parent, RegisterCode.code).where(
            RegisterCode.company_id == company.id, RegisterCode.category == DIMENSION_VALUES
        )
    ):
        out[parent].add(code)
    return out


def check_code(session: Session, company: Company, category: str, code: str, field: str) -> None:
    """One code of `category` must be configured (422 naming `field` otherwise)."""
    found = session.scalar(
        select(RegisterCode.id).where(
            RegisterCode.company_id == company.id,
            RegisterCode.category == category,
            RegisterCode.parent == "",
            RegisterCode.code == code,
        )
    )
    if found is None:
        known = sorted(codes(session, company, category))
        allowed = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        errors = FieldErrors()
        errors.add(field, f"{code!r} is not a configured code of {category} (allowed: {allowed or 'none'})")
        errors.raise_if_any()


def count_records(model, column_name: str):
    """A usage counter over a customer record table: {code: records using it}."""

    def count(session: Session, company: Company, removed: set[str]) -> dict[str, int]:
        column = getattr(model, column_name)
        rows = session.execute(
            select(column, func.count())
            .join(Customer, Customer.id == model.customer_id)
            .where(Customer.company_id == company.id, column.in_(removed))
            .group_by(column)
        )
        return dict(rows.all())

    return count


def settings(session: Session, company_id: int) -> RegisterSettings:
    """The company's register settings (the defaults when it never changed them; not added)."""
    found = session.get(RegisterSettings, company_id)
    return found or RegisterSettings(company_id=company_id, unique_identity_numbers=True, financial_retention_years=0)


def update_settings(session: Session, company: Company, changes: dict[str, Any]) -> RegisterSettings:
    """Change the settings named in `changes` (snake_case columns)."""
    found = session.get(RegisterSettings, company.id, with_for_update=True)
    if found is None:
        found = settings(session, company.id)
        session.add(found)
    for name, value in changes.items():
        setattr(found, name, value)
    session.flush()
    return found
