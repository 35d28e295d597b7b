"""Create, edit and delete every record of a customer (addresses, bank accounts, contacts,
external ids, consents, parameters, extra fields, mandates, insurances, pledges, relations,
actions, loans) with one form read from the record kind's write schema (ui/record_forms.py).
Bodies are validated by that schema and written by records.create / records.put /
records.remove, the functions the API's routes call: every error is the API's, shown next to
its field, and an edit or a delete is made under If-Match of the record's ETag as the form
showed it, so a change by someone else meanwhile comes back as a conflict."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from custreg import etags, records
from custreg.access import scopes
from custreg.access.context import Ctx
from custreg.actions import service as actions
from custreg.actions.schemas import ActionResponse
from custreg.actions.service import ACTIONS
from custreg.addresses.service import ADDRESSES
from custreg.bank_accounts.service import BANK_ACCOUNTS
from custreg.consents.service import CONSENTS
from custreg.contacts.service import CONTACTS
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError, NotFound, PreconditionFailed
from custreg.external_ids.service import EXTERNAL_IDS
from custreg.insurances.service import INSURANCES
from custreg.loans.service import LOANS
from custreg.mandates import service as mandates
from custreg.mandates.service import MANDATES
from custreg.parameters.service import EXTRA_FIELDS, PARAMETERS
from custreg.pledges.schemas import COLLATERAL_ONLY, GUARANTEE_ONLY
from custreg.pledges.service import PLEDGES
from custreg.records import RecordKind
from custreg.register import service as register
from custreg.relations.service import RELATIONS
from custreg.ui import record_forms as forms
from custreg.ui.pages import render
from custreg.ui.session import Rendered, WriteUi, requires

router = APIRouter(
    prefix="/ui/c/{cuid}/customers/{customer}/records", include_in_schema=False, route_class=TransactionalRoute
)
DeleteUi = Annotated[Ctx, requires(scopes.DELETE)]
Key = Annotated[str | None, Query(max_length=200)]

KINDS: dict[str, RecordKind] = {
    k.path: k
    for k in (
        ADDRESSES,
        BANK_ACCOUNTS,
        CONTACTS,
        EXTERNAL_IDS,
        CONSENTS,
        PARAMETERS,
        EXTRA_FIELDS,
        MANDATES,
        INSURANCES,
        PLEDGES,
        RELATIONS,
        ACTIONS,
        LOANS,
    )
}
# The customer page's sections that are records of a kind: (kind, the row's key, a new one's values).
SECTIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "addresses": ("addresses", "addressGuid", {}),
    "bankAccounts": ("bank-accounts", "accountGuid", {}),
    "contacts": ("contacts", "contactGuid", {}),
    "externalIds": ("external-ids", "externalIdGuid", {}),
    "consents": ("consents", "channel", {}),
    "parameters": ("parameters", "name", {}),
    "extraFields": ("extra-fields", "name", {}),
    "directDebitMandates": ("direct-debit-mandates", "mandateGuid", {}),
    "creditInsurances": ("credit-insurances", "insuranceGuid", {}),
    "guarantees": ("pledges", "guaranteeGuid", {"pledgeKind": "GUARANTEE"}),
    "collaterals": ("pledges", "collateralGuid", {"pledgeKind": "COLLATERAL"}),
    "relations": ("relations", "relationGuid", {}),
    "actions": ("actions", "actionGuid", {}),
    "loans": ("loans", "loanGuid", {}),
}
# Inputs whose codes the company's register lists (the kind's rule checks them).
REGISTER_CODES = {
    "addressType": "addressTypes",
    "roleCode": "relationRoles",
    "externalSystemId": "externalSystems",
    "channel": "consentChannels",
}
# A pledge's form shows the fields of its kind only (the rule refuses the other kind's).
PLEDGE_ONLY = {"GUARANTEE": COLLATERAL_ONLY, "COLLATERAL": GUARANTEE_ONLY}


def _kind(path: str) -> RecordKind:
    kind = KINDS.get(path)
    if kind is None:
        raise NotFound(f"No record kind {path!r}")
    return kind


def _fields(kind: RecordKind) -> tuple[forms.FormField, ...]:
    """The form's inputs: a GUID is the record's (never typed); a name is typed when creating."""
    return forms.fields_of(kind.write_schema, leave_out=() if kind.key is not None else (kind.id_field,))


def _section(kind: RecordKind, values: dict[str, Any]) -> str:
    if kind is PLEDGES:
        return "collaterals" if values.get("pledgeKind") == "COLLATERAL" else "guarantees"
    return next(name for name, (path, _, _) in SECTIONS.items() if path == kind.path)


def _choices(ctx: Ctx, fields: tuple[forms.FormField, ...]) -> dict[str, list[str]]:
    return {
        f.name: sorted(register.codes(ctx.session, ctx.company, REGISTER_CODES[f.name]))
        for f in fields
        if f.name in REGISTER_CODES
    }


def _page(
    request: Request, ctx: Ctx, kind: RecordKind, c: Customer, values: dict[str, Any], status: int = 200, **page: Any
) -> Response:
    fields = _fields(kind)
    page.setdefault("errors", {})
    hidden = PLEDGE_ONLY.get(values.get("pledgeKind", ""), ()) if kind is PLEDGES else ()
    # ... unless filled in or in error: what was typed is shown, with its error.
    shown = tuple(f for f in fields if f.name not in hidden or values.get(f.name) or f.name in page["errors"])
    page.setdefault("now", {})
    page.setdefault("conflict", False)
    page.setdefault("key", None)
    page.setdefault("etag", "")
    page.setdefault("state", {})  # the record as stored (a mandate's closedAt, an action's answer)
    page.setdefault("answer_errors", {})
    known = {f.name for f in shown} | {
        f"{f.name}-{i}-{col.name}"
        for f in shown
        if f.widget == "rows"
        for i in range(len(values.get(f.name) or []) + 1)
        for col in f.columns
    }
    return render(
        request,
        "record_form.html",
        status,
        cuid=ctx.cuid,
        company=ctx.company,
        customer=c,
        kind=kind,
        section=_section(kind, values),
        fields=shown,
        values=values,
        choices=_choices(ctx, shown),
        known=known,
        can_delete=scopes.DELETE in ctx.principal.scopes,
        **page,
    )


def _back(ctx: Ctx, c: Customer, section: str) -> Response:
    return RedirectResponse(f"/ui/c/{ctx.cuid}/customers/{c.customer_guid}?saved=true#{section}", status_code=303)


def _state(kind: RecordKind, record: Any) -> dict[str, Any]:
    return records.read(kind, record).model_dump(mode="json")


def _current(kind: RecordKind, record: Any) -> tuple[dict[str, Any], str]:
    """The record as its form shows it, and its ETag (unquoted, as the form carries it)."""
    model = records.read(kind, record)
    return forms.values_of(_fields(kind), model.model_dump()), etags.of_model(model).strip('"')


@router.get("/{kind}")
def record_form(request: Request, customer: str, kind: str, ctx: WriteUi, key: Key = None) -> Response:
    """The form of a new record (its first values from the query: `?pledgeKind=GUARANTEE`),
    or of the record `key` (its GUID, or a parameter's or consent's name)."""
    k = _kind(kind)
    c = customers.get(ctx.session, ctx.company, customer, full=False)
    if key is None:
        preset = forms.submitted(_fields(k), request.query_params)
        return _page(request, ctx, k, c, preset)
    record = records.get(ctx.session, k, c, key)
    values, etag = _current(k, record)
    return _page(request, ctx, k, c, values, key=key, etag=etag, state=_state(k, record))


@router.post("/{kind}")
def save_record(request: Request, customer: str, kind: str, ctx: WriteUi, key: Key = None) -> Response:
    """Create (no key) as the API's POST, or replace the record `key` as its PUT under
    If-Match of the ETag the form was made from."""
    k = _kind(kind)
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    form = request.state.form
    fields = _fields(k)
    values = forms.submitted(fields, form)
    if key is not None and k.key is not None:
        values[k.id_field] = key  # a name is the record's key: the path's wins, as in PUT
    sent_tag = str(form.get("etag", "")).strip() if key is not None else ""
    page: dict[str, Any] = {"key": key, "etag": sent_tag}
    try:
        body = k.write_schema.model_validate(forms.body_of(fields, values))
        if key is None:
            records.create(ctx.session, ctx.company, k, c, body.model_dump(exclude_unset=False), actor=ctx.actor)
        else:
            if_match = etags.quoted(sent_tag) if sent_tag else None
            records.put(ctx.session, ctx.company, k, c, key, body, if_match, actor=ctx.actor)
    except PreconditionFailed:
        raise _conflict(request, ctx, k, c, key, values) from None
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, NotFound) and key is not None:  # deleted meanwhile
            raise _conflict(request, ctx, k, c, key, values) from None
        stored = _find(ctx, k, c, key)
        page["state"] = _state(k, stored) if stored is not None else {}
        raise Rendered(_page(request, ctx, k, c, values, 422, errors=forms.errors_of(exc), **page)) from None
    return _back(ctx, c, _section(k, values))


def _conflict(request: Request, ctx: Ctx, kind: RecordKind, c: Customer, key: str | None, mine: dict) -> Rendered:
    """Changed or deleted by someone else: the form again with the current value next to
    each field that differs, under the current ETag (a deleted record: a new one)."""
    record = _find(ctx, kind, c, key)
    if record is None:
        page = _page(request, ctx, kind, c, mine, 409, conflict=True)
    else:
        theirs, etag = _current(kind, record)
        now = forms.differing(_fields(kind), mine, theirs)
        page = _page(
            request, ctx, kind, c, mine, 409, conflict=True, now=now, key=key, etag=etag, state=_state(kind, record)
        )
    return Rendered(page)


def _find(ctx: Ctx, kind: RecordKind, c: Customer, key: str | None) -> Any:
    if key is None:
        return None
    try:
        return records.get(ctx.session, kind, c, key)
    except NotFound:
        return None


@router.post("/{kind}/delete")
def delete_record(request: Request, customer: str, kind: str, ctx: DeleteUi, key: Key = None) -> Response:
    """Delete as the API's DELETE, under If-Match of the ETag the form was made from."""
    k = _kind(kind)
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    if key is None:
        raise NotFound("Which record? (key)")
    sent_tag = str(request.state.form.get("etag", "")).strip()
    record = _find(ctx, k, c, key)
    if record is None:  # gone already: what was asked is done
        return _back(ctx, c, _section(k, {}))
    values, _ = _current(k, record)
    try:
        records.remove(ctx.session, k, c, key, etags.quoted(sent_tag) if sent_tag else None, actor=ctx.actor)
    except PreconditionFailed:
        raise _conflict(request, ctx, k, c, key, values) from None
    return _back(ctx, c, _section(k, values))


@router.post("/direct-debit-mandates/close")
def close_mandate(request: Request, customer: str, ctx: WriteUi, key: Key = None) -> Response:
    """Close the mandate now, as the API's `POST .../{mandateGuid}/close` (it is kept)."""
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    mandate = records.get(ctx.session, MANDATES, c, str(key))
    try:
        mandates.close(ctx.session, c, mandate, None)
    except DomainError as exc:
        raise _step_failed(request, ctx, MANDATES, c, mandate, str(key), forms.errors_of(exc)) from None
    return _back(ctx, c, "directDebitMandates")


@router.post("/actions/response")
def answer_action(request: Request, customer: str, ctx: WriteUi, key: Key = None) -> Response:
    """Record the customer's answer to the action, as the API's `POST .../{actionGuid}/response`."""
    c = customers.get(ctx.session, ctx.company, customer, for_update=True, full=False)
    action = records.get(ctx.session, ACTIONS, c, str(key))
    fields = forms.fields_of(ActionResponse)
    try:
        body = ActionResponse.model_validate(forms.body_of(fields, forms.submitted(fields, request.state.form)))
        actions.respond(ctx.session, c, action, body.model_dump(), ctx.actor)
    except (ValidationError, DomainError) as exc:
        raise _step_failed(request, ctx, ACTIONS, c, action, str(key), forms.errors_of(exc)) from None
    return _back(ctx, c, "actions")


def _step_failed(
    request: Request, ctx: Ctx, kind: RecordKind, c: Customer, record: Any, key: str, errors: dict[str, str]
) -> Rendered:
    values, etag = _current(kind, record)
    state = _state(kind, record)
    return Rendered(_page(request, ctx, kind, c, values, 422, key=key, etag=etag, state=state, answer_errors=errors))


def edit_link(cuid: str, customer: Any, section: str, row: dict[str, Any] | None) -> str:
    """The address of a section's record form: a new one (row None) or the row's."""
    path, key_field, preset = SECTIONS[section]
    base = f"/ui/c/{cuid}/customers/{customer}/records/{path}"
    if row is None:
        return base + ("?" + "&".join(f"{k}={quote(v)}" for k, v in preset.items()) if preset else "")
    return f"{base}?key={quote(str(row[key_field]), safe='')}"
