"""Duplicates and merge (scope `customers:write`): the stored candidate pairs of
`GET /customers/duplicates`, a customer's live candidates of `GET /customers/{c}/duplicates`,
and the merge screen: a radio per differing field picks the surviving value, the merge
(merge/service.py, as `POST /customers/{c}/merge`) is sent with the versions the screen
was made from, so a change meanwhile is "changed by someone else"."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from custreg.access.context import Ctx
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.shape import CUSTOMER_FIELDS, main_address, values_of
from custreg.db.routing import TransactionalRoute
from custreg.duplicates import service
from custreg.duplicates.schemas import Candidate
from custreg.errors import DomainError, PreconditionFailed
from custreg.merge import service as merging
from custreg.merge.schemas import MergeRequest
from custreg.merge.service import MERGEABLE
from custreg.ui.pages import render
from custreg.ui.session import Rendered, WriteUi

router = APIRouter(prefix="/ui/c/{cuid}", include_in_schema=False, route_class=TransactionalRoute)
PAGE_SIZE = 25
MAX_MERGED = 20  # MergeRequest.from_: at most 20, and the survivor
# The merge screen's field order: the customer's fields, then its main address's.
ORDER = (*CUSTOMER_FIELDS, *(f for f in sorted(MERGEABLE) if f not in CUSTOMER_FIELDS))
Keys = Annotated[list[str], Query(max_length=MAX_MERGED + 1)]


def _candidates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [Candidate.model_validate(r).model_dump(mode="json") for r in rows]


@router.get("/duplicates")
def candidate_list(request: Request, ctx: WriteUi, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """The pairs `custreg duplicates` last stored, best first, each with its score and reasons."""
    total, rows = service.stored_page(ctx.session, ctx.company, top=PAGE_SIZE, skip=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "duplicates.html",
        cuid=ctx.cuid,
        company=ctx.company,
        candidates=_candidates(rows),
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        customer=None,
    )


@router.get("/customers/{customer}/duplicates")
def customer_candidates(request: Request, customer: str, ctx: WriteUi) -> Response:
    """The customer's candidates computed now."""
    c = customers.get(ctx.session, ctx.company, customer, full=False)
    rows = _candidates(service.live_for(ctx.session, ctx.company, c))
    return render(
        request,
        "duplicates.html",
        cuid=ctx.cuid,
        company=ctx.company,
        candidates=rows,
        total=len(rows),
        page=1,
        pages=1,
        customer=c,
    )


def _load(ctx: Ctx, keys: list[str], *, for_update: bool = False) -> list[Customer]:
    seen: dict[int, Customer] = {}
    for key in keys[: MAX_MERGED + 1]:
        c = customers.get(ctx.session, ctx.company, key, for_update=for_update)
        seen.setdefault(c.id, c)
    return sorted(seen.values(), key=lambda c: c.customer_number)


def _text(value: Any) -> str:
    """A value as the screen shows it (a form's way: booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _merge_page(request: Request, ctx: Ctx, group: list[Customer], status: int = 200, **values: Any) -> Response:
    """The customers side by side: fields that differ get a radio each, the rest are shown once."""
    shown = {str(c.customer_guid): values_of(c, main_address(c)) for c in group}
    differing, same = [], []
    for f in ORDER:
        texts = {_text(v[f]) for v in shown.values()}
        if len(texts) > 1:
            differing.append(f)
        elif texts != {""}:
            same.append(f)
    values.setdefault("errors", [])
    values.setdefault("conflict", False)
    survivor = values.pop("survivor", None) or str(group[0].customer_guid)
    chosen = values.pop("chosen", {})
    picks = {f: chosen.get(f) or _default(shown, survivor, f) for f in differing}
    return render(
        request,
        "merge.html",
        status,
        cuid=ctx.cuid,
        company=ctx.company,
        group=group,
        shown={k: {f: _text(v[f]) for f in ORDER} for k, v in shown.items()},
        differing=differing,
        same=same,
        survivor=survivor,
        picks=picks,
        back=urlencode([("c", str(c.customer_guid)) for c in group]),
        **values,
    )


def _default(shown: dict[str, dict[str, Any]], survivor: str, field: str) -> str:
    """The survivor's value, or the first customer's that has one when the survivor's is empty."""
    if shown[survivor][field] is not None and shown[survivor][field] != "":
        return survivor
    return next((k for k, v in shown.items() if v[field] is not None and v[field] != ""), survivor)


@router.get("/merge")
def merge_screen(request: Request, ctx: WriteUi, c: Keys) -> Response:
    """The merge screen of two or more customers (`?c=` each, number or GUID)."""
    group = _load(ctx, c)
    if len(group) < 2:
        return RedirectResponse(f"/ui/c/{ctx.cuid}/duplicates", status_code=303)
    return _merge_page(request, ctx, group)


@router.post("/merge")
def merge(request: Request, ctx: WriteUi) -> Response:
    """The API's merge: the survivor, the others as `from`, each differing field's pick as
    `fields`, and every customer's version of the screen as `ifMatch`."""
    form = request.state.form
    keys = [str(k) for k in form.getlist("c")]
    group = _load(ctx, keys, for_update=True)
    guids = [str(c.customer_guid) for c in group]
    survivor = str(form.get("survivor", ""))
    if survivor not in guids or len(group) < 2:
        raise Rendered(_merge_page(request, ctx, group, 422, errors=["survivor"]))
    chosen = {
        name.removeprefix("field."): str(v)
        for name, v in form.items()
        if name.startswith("field.") and name.removeprefix("field.") in MERGEABLE and str(v) in guids
    }
    tags = {g: f'"{form.get("version." + g, "")}"' for g in guids}
    body = MergeRequest.model_validate({"from": [g for g in guids if g != survivor], "fields": chosen, "ifMatch": tags})
    try:
        kept = merging.merge(ctx.session, ctx.company, survivor, body.from_, body.fields, body.ifMatch)
    except PreconditionFailed:
        fresh = _load(ctx, guids)
        page = _merge_page(request, ctx, fresh, 409, conflict=True, survivor=survivor, chosen=chosen)
        raise Rendered(page) from None
    except DomainError as exc:
        messages = [f"{e['field']}: {e['message']}" for e in exc.errors] or [exc.detail]
        raise Rendered(_merge_page(request, ctx, group, exc.status, errors=messages)) from None
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{kept.customer_guid}?merged=true", status_code=303)
