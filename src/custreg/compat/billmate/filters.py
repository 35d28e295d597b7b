"""Billmate's list filters (`filter=`, comma-separated or repeated; a leading `!` inverts
one) over the native customer: `search` and `searchInInvoiceForm` (each value repeated
means every value must match; a value is matched as the native `searchWord`),
`rangeByDate` (`from`..`to`, the day the customer was created), `isCustomerType`
(`isPrivate`, `isCompany`, `isUnknown`: any selected), `isTitle` (`isEFaktura`,
`isReverseTax`: any selected), and the stand-alone `isPrivate`, `isCompany`, `isUnknown`,
`isEFaktura`, `isReverseTax` (the same-named parameter, default 1)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Query, Request
from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from custreg.companies.models import Company
from custreg.customers import search
from custreg.customers.models import Customer
from custreg.errors import BadRequest, listed

FILTERS = frozenset(
    {"rangeByDate", "search", "searchInInvoiceForm", "isCustomerType", "isTitle"}
    | {"isPrivate", "isCompany", "isUnknown", "isEFaktura", "isReverseTax"}
)
LIMIT_MAX = 1000  # the most customers one page answers (a larger `limit` is served as this)


@dataclass
class Filters:
    names: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    in_invoice_form: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    flags: dict[str, int] = field(default_factory=dict)


def _date(name: str, value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadRequest(f"{name} is not a date (YYYY-MM-DD)", [{"field": name, "message": "not a date"}]) from None


def _flag(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        raise BadRequest(f"{name} must be 0 or 1", [{"field": name, "message": "must be 0 or 1"}]) from None


async def filters(
    request: Request,
    filter: Annotated[list[str] | None, Query(description="Filters to apply, comma-separated; `!` inverts")] = None,
    search_: Annotated[list[str] | None, Query(alias="search", description="Needed by filter=search")] = None,
    searchInInvoiceForm: Annotated[list[str] | None, Query(description="Needed by searchInInvoiceForm")] = None,
    from_: Annotated[str | None, Query(alias="from", description="rangeByDate: created on or after")] = None,
    to: Annotated[str | None, Query(description="rangeByDate: created on or before")] = None,
) -> Filters:
    # PHP's http_build_query sends arrays as `filter[0]=a&filter[1]=b` (or `filter[]=`).
    filter = (filter or []) + _bracketed(request, "filter")
    search_ = (search_ or []) + _bracketed(request, "search")
    searchInInvoiceForm = (searchInInvoiceForm or []) + _bracketed(request, "searchInInvoiceForm")
    names = [n.strip() for v in filter for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n.lstrip("!") not in FILTERS]
    if unknown:
        raise BadRequest(
            f"Unknown filter {listed(unknown)}", [{"field": "filter", "message": f"unknown filter {unknown[0]}"}]
        )
    flags = {
        n: f
        for n in ("isPrivate", "isCompany", "isUnknown", "isEFaktura", "isReverseTax")
        if (f := _flag(request, n)) is not None
    }
    return Filters(
        names=names,
        search=[s for s in search_ if s.strip()],
        in_invoice_form=[s for s in searchInInvoiceForm if s.strip()],
        date_from=_date("from", from_),
        date_to=_date("to", to),
        flags=flags,
    )


def _bracketed(request: Request, name: str) -> list[str]:
    return [v for k, v in request.query_params.multi_items() if k.startswith(name + "[") and k.endswith("]")]


def _words(values: list[str], dialect: Any, company: Company) -> ColumnElement[bool]:
    # Every word of every value must match: one searchWord of them all (the word index's
    # statements take one search each).
    return and_(true(), *search.conditions(" ".join(values), dialect, company.id, False))


def _kind(name: str) -> ColumnElement[bool]:
    return {
        "isPrivate": Customer.customer_type == "PERSON",
        "isCompany": Customer.customer_type == "COMPANY",
        "isUnknown": Customer.customer_type.not_in(["PERSON", "COMPANY"]),
        "isEFaktura": or_(Customer.invoice_channel == "E-INVOICE", Customer.e_invoice_address.is_not(None)),
        "isReverseTax": Customer.reverse_tax.is_(True),
    }[name]


def conditions(f: Filters, dialect: Any, company: Company) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    for raw in f.names:
        name = raw.lstrip("!")
        if name == "search":
            cond = _words(f.search, dialect, company)
        elif name == "searchInInvoiceForm":
            cond = _words(f.in_invoice_form, dialect, company)
        elif name == "rangeByDate":
            parts = []
            if f.date_from is not None:
                parts.append(Customer.reg_date >= dt.datetime.combine(f.date_from, dt.time(), dt.UTC))
            if f.date_to is not None:
                parts.append(
                    Customer.reg_date < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
                )
            cond = and_(true(), *parts)
        elif name in ("isCustomerType", "isTitle"):
            kinds = (
                ("isPrivate", "isCompany", "isUnknown") if name == "isCustomerType" else ("isEFaktura", "isReverseTax")
            )
            chosen = [_kind(k) for k in kinds if f.flags.get(k, 0) == 1]
            cond = or_(false(), *chosen)
        else:  # a stand-alone flag: its parameter, default 1
            cond = _kind(name) if f.flags.get(name, 1) == 1 else not_(_kind(name))
        out.append(not_(cond) if raw.startswith("!") else cond)
    return out
