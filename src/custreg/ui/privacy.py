"""The person's rights on the customer page: erase (scope `privacy:erase`, a confirmation with
a reason; a retention rule that holds is shown by name) and the subject export as a JSON
download (scope `customers:read`), through privacy/service.py and privacy/export.py as the API."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from custreg.access import scopes
from custreg.access.context import Ctx
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.db.routing import TransactionalRoute
from custreg.errors import Conflict, PreconditionFailed
from custreg.privacy import export, service
from custreg.privacy.schemas import EraseRequest
from custreg.ui.pages import render
from custreg.ui.session import ReadUi, Rendered, requires

router = APIRouter(prefix="/ui/c/{cuid}/customers", include_in_schema=False, route_class=TransactionalRoute)
EraseUi = Annotated[Ctx, requires(scopes.ERASE)]


def _page(request: Request, ctx: Ctx, c: Customer, status: int = 200, **values: object) -> Response:
    values.setdefault("errors", {})
    values.setdefault("rules", [])
    values.setdefault("conflict", False)
    values.setdefault("reason", "")
    return render(
        request, "erase.html", status, cuid=ctx.cuid, company=ctx.company, customer=c, version=c.version, **values
    )


@router.get("/{customer}/erase")
def erase_form(request: Request, customer: str, ctx: EraseUi) -> Response:
    """The confirmation: who is erased, what stays, and the reason to give."""
    c = customers.get(ctx.session, ctx.company, customer, full=False)
    return _page(request, ctx, c)


@router.post("/{customer}/erase")
def erase(request: Request, customer: str, ctx: EraseUi) -> Response:
    """The API's erase under If-Match of the version the confirmation was made from."""
    form = request.state.form
    c = customers.get(ctx.session, ctx.company, customer, for_update=True)
    reason = str(form.get("reason", ""))
    try:
        body = EraseRequest.model_validate({"reason": reason})
    except ValidationError as exc:
        errors = {"reason": exc.errors()[0]["msg"]}
        raise Rendered(_page(request, ctx, c, 422, errors=errors, reason=reason)) from None
    try:
        customers.check_if_match(c, f'"{form.get("version", "")}"')
    except PreconditionFailed:
        raise Rendered(_page(request, ctx, c, 409, conflict=True, reason=reason)) from None
    try:
        service.erase(ctx.session, ctx.company, c, actor=ctx.actor, reason=body.reason)
    except Conflict as exc:  # a retention rule holds: name it
        raise Rendered(_page(request, ctx, c, 409, rules=exc.errors, reason=reason)) from None
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{c.customer_guid}?erased=true", status_code=303)


@router.get("/{customer}/subject-export.json")
def subject_export(customer: str, ctx: ReadUi) -> Response:
    """Everything held about the customer (GET /subject-export), as a file to save."""
    c = customers.get(ctx.session, ctx.company, customer)
    document = export.subject_export(ctx.session, ctx.company, c)
    name = f"customer-{c.customer_number}.json"
    return Response(
        document.model_dump_json(by_alias=True),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
