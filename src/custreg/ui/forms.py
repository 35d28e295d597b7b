"""Pages that write: create and edit a customer, change a consent (a customer's records:
ui/records.py). Bodies are validated by the API's schemas and written by the API's services
(customers/service.py, records.py), so every error is the API's, shown next to its field."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from custreg import records
from custreg.access.context import Ctx
from custreg.consents.schemas import ConsentFields
from custreg.consents.service import CONSENTS
from custreg.customers import read
from custreg.customers import routes as customer_api
from custreg.customers import service as customers
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError, PreconditionFailed
from custreg.register import service as register
from custreg.ui.pages import render
from custreg.ui.session import Rendered, WriteUi

router = APIRouter(prefix="/ui/c/{cuid}/customers", include_in_schema=False, route_class=TransactionalRoute)

# The form's fields, by section (names are the API's).
GROUPS: dict[str, tuple[str, ...]] = {
    "basic": (
        "customerType",
        "firstName",
        "lastName",
        "companyName",
        "fullName",
        "idNumber",
        "dateOfBirth",
        "gender",
        "vatNumber",
        "customerReference",
    ),
    "contacts": ("email", "cellularPhone", "homePhone", "workPhone", "invoiceEmailAddress"),
    "addresses": ("street", "houseNo", "zipCode", "city", "countryCode"),
    "fields": (
        "customerGroup",
        "segment",
        "languageCode",
        "currencyCode",
        "preferredChannel",
        "invoiceChannel",
        "eInvoiceAddress",
        "eInvoiceOperator",
        "creditLimit",
        "rebate",
        "excluded",
        "notes",
    ),
}
FIELDS = tuple(f for group in GROUPS.values() for f in group)
CHOICES = {
    "customerType": ("PERSON", "COMPANY"),
    "gender": ("UNSPECIFIED", "MALE", "FEMALE"),
    "preferredChannel": ("LETTER", "E-INVOICE", "EMAIL", "SMS"),
    "invoiceChannel": ("LETTER", "E-INVOICE", "EMAIL", "SMS"),
    "excluded": ("false", "true"),
}


def _text(value: Any) -> str:
    """A value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _submitted(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {n: str(form.get(n, "")).strip() for n in names}


def _field_errors(exc: ValidationError | DomainError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """`{field: message}` from the schema's or the service's errors (the API's messages)."""
    out: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        items = [
            {
                "field": ".".join(str(p) for p in e["loc"][:1]) or "body",
                "message": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
    else:
        items = exc.errors or [{"field": "body", "message": exc.detail}]
    for e in items:
        field = (rename or {}).get(e["field"], e["field"])
        out.setdefault(field, e["message"])
    return out


def _validate(schema: type[BaseModel], values: dict[str, Any], rename: dict[str, str] | None = None) -> BaseModel:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise _Invalid(_field_errors(exc, rename)) from None


class _Invalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors


def _form_page(request: Request, ctx: Ctx, status: int = 200, **values: Any) -> Response:
    codes = register.basic_details(ctx.session, ctx.company)
    choices = dict(CHOICES)
    choices["customerGroup"] = tuple(c["code"] for c in codes.get("customerGroups", []))
    choices["segment"] = tuple(c["code"] for c in codes.get("segments", []))
    values.setdefault("errors", {})
    values.setdefault("now", {})
    values.setdefault("conflict", False)
    known = (*FIELDS, "iban", "body")
    return render(
        request, "customer_form.html", status, cuid=ctx.cuid, groups=GROUPS, choices=choices, known=known, **values
    )


def _invalid(request: Request, ctx: Ctx, errors: dict[str, str], **values: Any) -> Rendered:
    """The form again with its errors; the unit of work rolls back (nothing half-written)."""
    return Rendered(_form_page(request, ctx, 422, errors=errors, **values))


@router.get("/new")
def new_customer(request: Request, ctx: WriteUi) -> Response:
    return _form_page(request, ctx, values={"customerType": "PERSON"}, bank={}, customer=None)


@router.post("/new")
def create_customer(request: Request, ctx: WriteUi) -> Response:
    """Create through the API's create (customers.routes.create: the one write path)."""
    form = request.state.form
    values = _submitted(form, FIELDS)
    bank = _submitted(form, ("iban",))
    body: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    if bank["iban"]:
        body["bankAccounts"] = [{"iban": bank["iban"]}]
    page = {"values": values, "bank": bank, "customer": None}
    try:
        parsed = _validate(CustomerCreate, body, {"bankAccounts": "iban"})
        created, _ = customer_api.create(ctx, parsed)  # type: ignore[arg-type]
    except _Invalid as exc:
        raise _invalid(request, ctx, exc.errors, **page) from None
    except DomainError as exc:
        raise _invalid(request, ctx, _field_errors(exc, {"bankAccounts[0].iban": "iban"}), **page) from None
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{created.customer_guid}?saved=true", status_code=303)


def _current(ctx: Ctx, c: Any) -> dict[str, str]:
    detail = read.detail(c, ctx.cuid).model_dump(mode="json")
    return {f: _text(detail.get(f)) for f in FIELDS}


@router.get("/{customer}/edit")
def edit_customer(request: Request, customer: str, ctx: WriteUi) -> Response:
    c = customers.get(ctx.session, ctx.company, customer)
    return _form_page(request, ctx, values=_current(ctx, c), customer=c, version=c.version, bank=None)


@router.post("/{customer}/edit")
def update_customer(request: Request, customer: str, ctx: WriteUi) -> Response:
    """PATCH of the fields that differ from the stored ones, under If-Match of the version the form was made from."""
    form = request.state.form
    c = customers.get(ctx.session, ctx.company, customer, for_update=True)
    current = _current(ctx, c)
    submitted = _submitted(form, tuple(f for f in FIELDS if f in form))  # a field not sent stays
    page = {"values": current | submitted, "customer": c, "version": c.version, "bank": None}
    try:
        customers.check_if_match(c, f'"{form.get("version", "")}"')
    except PreconditionFailed:
        now = {f: current[f] for f in submitted if current[f] != submitted[f]}
        raise Rendered(_form_page(request, ctx, 409, conflict=True, now=now, **page)) from None
    changes = {f: (v if v != "" else None) for f, v in submitted.items() if v != current[f]}
    try:
        parsed = _validate(CustomerPatch, changes)
        customers.patch(ctx.session, ctx.company, c, parsed.model_dump(exclude_unset=True, exclude={"customerGuid"}))
    except _Invalid as exc:
        raise _invalid(request, ctx, exc.errors, **page) from None
    except DomainError as exc:
        raise _invalid(request, ctx, _field_errors(exc), **page) from None
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{c.customer_guid}?saved=true", status_code=303)


@router.post("/{customer}/consents")
def change_consent(request: Request, customer: str, ctx: WriteUi) -> Response:
    """Give or withdraw a channel's consent (the API's PUT /consents/{channel}); its history grows."""
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    submitted = _submitted(request.state.form, ("channel", "granted", "source"))
    body: dict[str, object] = {k: v for k, v in submitted.items() if v != ""}
    if body.get("granted") in ("true", "false"):  # the form's select; the API takes a JSON boolean
        body["granted"] = body["granted"] == "true"
    try:
        parsed = _validate(ConsentFields, body)
        key = CONSENTS.key(submitted["channel"]) if CONSENTS.key else submitted["channel"]
        record = records.find(ctx.session, CONSENTS, c, key)
        values = parsed.model_dump(exclude_unset=True) | {"channel": key}
        if record is None:
            records.create(ctx.session, ctx.company, CONSENTS, c, values, actor=ctx.actor)
        else:
            records.replace(ctx.session, ctx.company, CONSENTS, c, record, values, actor=ctx.actor)
    except (_Invalid, DomainError) as exc:
        errors = exc.errors if isinstance(exc, _Invalid) else _field_errors(exc)
        raise Rendered(render(request, "error.html", 422, cuid=ctx.cuid, customer=c, errors=errors)) from None
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{c.customer_guid}?saved=true#consents", status_code=303)
