"""Billmate's list filters (`filter=`, comma-separated or repeated; a leading `!` inverts
one) over the native customer: `search` and `searchInInvoiceForm` (a value is one phrase,
`search=Nisse Hult` matches the string "Nisse Hult"; repeated values must each match),
`rangeByDate` (`from`..`to`, the day the customer was created), `isCustomerType`
(`isPrivate`, `isCompany`, `isUnknown`: any selected), `isTitle` (`isEFaktura`,
`isReverseTax`: any selected), and the stand-alone `isPrivate`, `isCompany`, `isUnknown`,
`isEFaktura`, `isReverseTax` (the same-named parameter, default 1). docs/compat.md,
"Seed 003", has the rules."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Query, Request
from sqlalchemy import ColumnElement, and_, false, literal, not_, or_, true

from custreg.companies.models import Company
from custreg.customers import search
from custreg.customers.models import Customer
from custreg.errors import BadRequest, listed
from custreg.text import fold

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


def _phrase(value: str) -> ColumnElement[bool] | None:
    """A value of several words as written, in the customer's folded values: the part of
    `search_text` before its two-space separator, which holds only single spaces, so a
    match followed by the separator is one there, never in the sorted word list."""
    folded = fold(value)
    if " " not in folded:
        return None
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (literal(" ") + Customer.search_text).like(f"% {escaped}%{search.SEPARATOR}%", escape="\\")


def _phrases(values: list[str], dialect: Any, company: Company) -> ColumnElement[bool]:
    """Each value a phrase: its words in its order, next to each other, the first at the
    start of a word, case- and accent-insensitively (the native folding); repeated values
    must each match (`search=Nisse&search=Hult`). The word index narrows first: every word
    of every value starts a word of the customer (one index search for them all), then the
    phrases of several words are checked on what it found."""
    words = search.conditions(" ".join(values), dialect, company.id, False)
    phrases = [p for v in values if (p := _phrase(v)) is not None]
    return and_(true(), *words, *phrases)


# A customer is private or a company when something the register holds says so: the type
# COMPANY; a PERSON with an identity number or a first or last name. A PERSON by default
# only (the register's default type), named by a full name alone, with no identity number,
# is neither: Billmate's "unknown" (docs/compat.md).
_PERSONAL = or_(Customer.id_number.is_not(None), Customer.first_name.is_not(None), Customer.last_name.is_not(None))


def _kind(name: str) -> ColumnElement[bool]:
    return {
        "isPrivate": and_(Customer.customer_type == "PERSON", _PERSONAL),
        "isCompany": Customer.customer_type == "COMPANY",
        "isUnknown": and_(Customer.customer_type != "COMPANY", not_(_PERSONAL)),
        "isEFaktura": or_(Customer.invoice_channel == "E-INVOICE", Customer.e_invoice_address.is_not(None)),
        "isReverseTax": Customer.reverse_tax.is_(True),
    }[name]


def conditions(f: Filters, dialect: Any, company: Company) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    for raw in f.names:
        name = raw.lstrip("!")
        if name == "search":
            cond = _phrases(f.search, dialect, company)
        elif name == "searchInInvoiceForm":
            cond = _phrases(f.in_invoice_form, dialect, company)
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
