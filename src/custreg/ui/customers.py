"""Pages that read: the customer list (search as you type, filters, sorting, paging) and
the customer page (every field, every record, the history). Reads go through the API's
services: customers/queries.py, customers/read.py, access/audit.py."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from custreg.access import audit, scopes
from custreg.access.schemas import HistoryEntry
from custreg.consents.service import history_page as consent_history
from custreg.customers import queries, read
from custreg.customers import service as customers
from custreg.customers.shape import LIST_FIELDS
from custreg.db.routing import TransactionalRoute
from custreg.paging import ListParams
from custreg.register import service as register
from custreg.ui import records as record_forms
from custreg.ui.pages import render
from custreg.ui.session import ReadUi

router = APIRouter(prefix="/ui/c/{cuid}", include_in_schema=False, route_class=TransactionalRoute)

PAGE_SIZE = 25
# What a row of the list shows (customer_rows.html): the summary and the group.
ROW_FIELDS = (*LIST_FIELDS, "customerGroup")
# The list's sort choices → $orderby (the API's parser and columns).
SORTS = {
    "number": "customerNumber",
    "-number": "customerNumber desc",
    "name": "fullName,customerNumber",
    "-name": "fullName desc,customerNumber",
    "city": "city,customerNumber",
    "-changed": "lastUpdatedAt desc,customerNumber",
}
TYPES = ("PERSON", "COMPANY")
# The customer page's sections: detail fields that are lists of records.
SECTIONS = (
    "addresses",
    "bankAccounts",
    "contacts",
    "externalIds",
    "consents",
    "parameters",
    "extraFields",
    "directDebitMandates",
    "creditInsurances",
    "guarantees",
    "collaterals",
    "relations",
    "myGuarantors",
    "guaranteeFor",
    "allRelatedCustomers",
    "actions",
    "loans",
    "attachedUsers",
)
HISTORY_SIZE = 50


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"  # an OData string literal


def list_filter(kind: str, group: str, segment: str) -> str | None:
    """The filters as the API's `$filter` (parsed and checked by odata.parse_filter)."""
    parts = []
    if kind in TYPES:
        parts.append(f"customerType eq {_quote(kind)}")
    if group:
        parts.append(f"customerGroup eq {_quote(group)}")
    if segment:
        parts.append(f"segment eq {_quote(segment)}")
    return " and ".join(parts) or None


Text = Annotated[str, Query(max_length=200)]


@router.get("/customers")
def customer_list(
    request: Request,
    cuid: str,
    ctx: ReadUi,
    q: Text = "",
    type: Text = "",
    group: Text = "",
    segment: Text = "",
    excluded: bool = False,
    sort: Text = "number",
    page: Annotated[int, Query(ge=1, le=10_000_000)] = 1,
) -> Response:
    """The list; with `X-Partial: rows` only the results (what the search box fetches as one types)."""
    params = ListParams(
        filter=list_filter(type, group, segment),
        orderby=SORTS.get(sort, SORTS["number"]),
        top=PAGE_SIZE,
        skip=(page - 1) * PAGE_SIZE,
    )
    if params.orderby == SORTS["number"] and q.strip():
        params.orderby = None  # the word index's own order is the number's: its fast path
    total, rows = queries.list_page(
        ctx.session,
        ctx.company,
        params,
        fields=ROW_FIELDS,
        search_word=q.strip() or None,
        from_date=None,
        include_excluded=excluded,
    )
    items = [dict(zip(ROW_FIELDS, r)) for r in rows]
    query = {"q": q, "type": type, "group": group, "segment": segment, "sort": sort}
    if excluded:
        query["excluded"] = "true"
    values: dict[str, Any] = {
        "cuid": cuid,
        "company": ctx.company,
        "items": items,
        "total": total,
        "first": params.skip + 1 if items else 0,
        "last": params.skip + len(items),
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "query": query,
        "here": urlencode(query),
        "can_write": scopes.WRITE in ctx.principal.scopes,
    }
    if request.headers.get("x-partial") == "rows":
        return render(request, "customer_rows.html", **values)
    codes = register.basic_details(ctx.session, ctx.company)
    return render(
        request,
        "customer_list.html",
        groups=codes.get("customerGroups", []),
        segments=codes.get("segments", []),
        types=TYPES,
        sorts=SORTS,
        **values,
    )


@router.get("/customers/{customer}")
def customer_page(
    request: Request,
    cuid: str,
    customer: str,
    ctx: ReadUi,
    saved: bool = False,
    merged: bool = False,
    erased: bool = False,
) -> Response:
    """Every field and record of the customer, its consents' changes and its audit trail."""
    c = customers.get(ctx.session, ctx.company, customer)
    detail = read.detail(c, cuid).model_dump(mode="json")
    consent_changes: dict[str, list] = {}
    for consent in detail.get("consents", []):
        _, changes = consent_history(ctx.session, c, consent["channel"], ListParams(top=20))
        consent_changes[consent["channel"]] = changes
    total, entries = audit.history_page(ctx.session, ctx.company, str(c.customer_guid), top=HISTORY_SIZE, skip=0)
    history = [HistoryEntry.of(e).model_dump(mode="json") for e in entries]
    sections = {name: detail.get(name) or [] for name in SECTIONS}
    fields = {k: v for k, v in detail.items() if k not in SECTIONS and k != "links"}
    channels = sorted(register.codes(ctx.session, ctx.company, "consentChannels"))
    return render(
        request,
        "customer.html",
        cuid=cuid,
        company=ctx.company,
        c=detail,
        fields=fields,
        sections=sections,
        consent_changes=consent_changes,
        history=history,
        history_total=total,
        channels=channels,
        saved=saved,
        merged=merged,
        erased=erased,
        can_write=scopes.WRITE in ctx.principal.scopes,
        can_erase=scopes.ERASE in ctx.principal.scopes,
        editable=record_forms.SECTIONS,
        edit_link=record_forms.edit_link,
    )
