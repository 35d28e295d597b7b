"""Generic sub-resources of a customer (addresses, bank accounts, contacts, ...).

A `RecordKind` names the table, the id field, the schemas and the per-kind rules;
`make_router` serves list/create/get/replace/delete for it under
`/customers/{customer}/<path>`, and every write moves the customer's
`lastUpdatedAt` and `version` in the same transaction.
"""

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeAlias, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from custreg import etags
from custreg.access.context import CustomerPath, DeleteCtx, ReadCtx, WriteCtx
from custreg.companies.models import Company
from custreg.customers import service as customers
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.db.columns import filter_fields, snake
from custreg.db.routing import TransactionalRoute
from custreg.errors import Conflict, DomainError, NotFound, Unprocessable, field_error, listed
from custreg.etags import IfMatch
from custreg.fields import RecordFields
from custreg.odata import FilterField, parse_filter, parse_orderby
from custreg.paging import ListParams, Page, list_params

# fn(session, company, customer, values, existing_or_None) -> values; raises 422 on bad input.
Rule = Callable[[Session, Company, Customer, dict[str, Any], Any], dict[str, Any]]


def _no_rule(session, company, customer, values, existing):
    return values


@dataclass
class RecordKind:
    model: type[Any]  # a mapped class with `id` and `customer_id`
    path: str  # URL segment, e.g. "addresses"
    id_field: str  # API name of the record id, e.g. "addressGuid"
    write_schema: type[RecordFields]  # body of POST and PUT (all fields optional)
    read_schema: type[BaseModel]
    title: str  # "address"
    rule: Rule = _no_rule
    # After a write, inside the transaction (e.g. unset another default).
    after_write: Callable[[Session, Customer, Any], None] | None = None
    filters: dict[str, FilterField] = field(default_factory=dict)
    # Records keyed by a name instead of a GUID (`/parameters/{name}`): `key` cleans a
    # name (raising a DomainError for a bad one); PUT then creates or replaces.
    key: Callable[[str], str] | None = None
    # After every change, with who made it (ctx.actor): fn(session, customer, record, op, actor),
    # op = "create" | "replace" | "delete" (e.g. a change history, touching another customer).
    on_change: Callable[[Session, Customer, Any, str, str | None], None] | None = None

    def __post_init__(self) -> None:
        if not self.filters:
            names = [n for n in self.read_schema.model_fields if hasattr(self.model, snake(n)) and n != "links"]
            self.filters = filter_fields(self.model, [n for n in names if _filterable(self.model, n)])

    @property
    def id_attr(self):
        return getattr(self.model, snake(self.id_field))

    def event(self, action: str) -> str:
        """The type of an event of this kind of record: "bank_account.created"."""
        return f"{self.title.replace(' ', '_').replace('-', '_')}.{action}"

    @property
    def a_title(self) -> str:
        """The title with its article: "an address", "a bank account"."""
        return ("an " if self.title[:1] in "aeiou" else "a ") + self.title


def _filterable(model, name: str) -> bool:
    try:
        filter_fields(model, [name])
        return True
    except TypeError:
        return False


def to_dict(kind: RecordKind, record: Any) -> dict[str, Any]:
    return {n: getattr(record, snake(n)) for n in kind.read_schema.model_fields if hasattr(record, snake(n))}


def read(kind: RecordKind, record: Any) -> BaseModel:
    return kind.read_schema.model_validate(to_dict(kind, record))


def _parse_guid(kind: RecordKind, key: str) -> uuid.UUID:
    try:
        return uuid.UUID(key)
    except ValueError:
        raise NotFound(f"No {kind.title} {key!r}") from None


def _parse_key(kind: RecordKind, key: str) -> Any:
    if kind.key is None:
        return _parse_guid(kind, key)
    try:
        return kind.key(key)
    except (DomainError, ValueError):
        raise NotFound(f"No {kind.title} {key!r}") from None


def find(session: Session, kind: RecordKind, customer: Customer, key: Any) -> Any:
    return session.scalar(select(kind.model).where(kind.model.customer_id == customer.id, kind.id_attr == key))


def get(session: Session, kind: RecordKind, customer: Customer, key: str) -> Any:
    record = find(session, kind, customer, _parse_key(kind, key))
    if record is None:
        raise NotFound(f"No {kind.title} {key!r} for customer {customer.customer_number}")
    return record


def list_page(session: Session, kind: RecordKind, customer: Customer, params: ListParams):
    where = [kind.model.customer_id == customer.id]
    if params.filter:
        where.append(parse_filter(params.filter, kind.filters))
    order = parse_orderby(params.orderby, kind.filters) if params.orderby else []
    total = session.scalar(select(func.count()).select_from(kind.model).where(*where)) or 0
    rows = session.scalars(
        select(kind.model).where(*where).order_by(*order, kind.model.id).limit(params.top).offset(params.skip)
    ).all()
    return total, list(rows)


def assign(kind: RecordKind, record: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name != kind.id_field and hasattr(record, snake(name)):
            setattr(record, snake(name), value)
    # The record's time moves only when something of it changed (docs/customers.md).
    if hasattr(record, "last_updated_at") and (sa_inspect(record).transient or customer_writer.modified(record)):
        record.last_updated_at = utcnow()


def create(
    session: Session,
    company: Company,
    kind: RecordKind,
    customer: Customer,
    values: dict[str, Any],
    *,
    actor: str | None = None,
    touch: bool = True,
) -> Any:
    ident: Any = uuid.uuid4()
    if kind.key is not None:  # a named record: the name is its id, one per customer
        if not values.get(kind.id_field):
            raise field_error(kind.id_field, "is required")
        ident = kind.key(values[kind.id_field])
        if find(session, kind, customer, ident) is not None:
            raise Conflict(
                f"The customer already has a {kind.title} {ident!r}",
                [{"field": kind.id_field, "message": "already exists; PUT replaces it"}],
            )
    values = kind.rule(session, company, customer, dict(values), None)
    record = kind.model(customer_id=customer.id, **{snake(kind.id_field): ident})
    if hasattr(kind.model, "company_id"):  # tables with per-company unique keys carry it
        record.company_id = company.id
    assign(kind, record, values)
    session.add(record)
    customer_writer.flush(session)
    if kind.after_write:
        kind.after_write(session, customer, record)
    if kind.on_change:
        kind.on_change(session, customer, record, "create", actor)
    if touch:  # False inside a customer create, which has touched the customer already
        customer_writer.changed(session, customer, event=kind.event("created"))
    customer_writer.flush(session)
    return record


def replace(
    session: Session,
    company: Company,
    kind: RecordKind,
    customer: Customer,
    record: Any,
    values: dict[str, Any],
    *,
    actor: str | None = None,
) -> None:
    """Replace every field: missing or null ones are cleared; the path's id wins."""
    values = kind.rule(session, company, customer, dict(values), record)
    full = dict.fromkeys(kind.write_schema.model_fields)
    full.update(values)
    full.pop(kind.id_field, None)
    assign(kind, record, full)
    modified = customer_writer.modified(record)  # an identical replace is no change (no history)
    customer_writer.flush(session)
    if kind.after_write:
        kind.after_write(session, customer, record)
    if kind.on_change and modified:
        kind.on_change(session, customer, record, "replace", actor)
    customer_writer.changed(session, customer, event=kind.event("updated"))
    customer_writer.flush(session)


def delete(session: Session, kind: RecordKind, customer: Customer, record: Any, *, actor: str | None = None) -> None:
    session.delete(record)  # first: the on_change hooks' changes derive from it
    if kind.on_change:
        kind.on_change(session, customer, record, "delete", actor)
    customer_writer.changed(session, customer, event=kind.event("deleted"))
    customer_writer.flush(session)


def put(
    session: Session,
    company: Company,
    kind: RecordKind,
    customer: Customer,
    key: str,
    body: BaseModel,
    if_match: str | None,
    *,
    actor: str | None = None,
) -> tuple[Any, bool]:
    """PUT of a record (the API's, and the back office's edit form): replace it under
    If-Match; a named record that does not exist is created. Returns (record, created)."""
    if kind.key is not None:
        name = kind.key(key)
        record = find(session, kind, customer, name)
        if record is None:
            etags.check(None, if_match)
            values = body.model_dump(exclude_unset=False) | {kind.id_field: name}
            return create(session, company, kind, customer, values, actor=actor), True
    else:
        record = get(session, kind, customer, key)
    etags.check(etags.of_model(read(kind, record)), if_match)
    replace(session, company, kind, customer, record, body.model_dump(exclude_unset=True), actor=actor)
    return record, False


def remove(
    session: Session, kind: RecordKind, customer: Customer, key: str, if_match: str | None, *, actor: str | None = None
) -> None:
    """DELETE of a record under If-Match (the API's, and the back office's)."""
    record = get(session, kind, customer, key)
    etags.check(etags.of_model(read(kind, record)), if_match)
    delete(session, kind, customer, record, actor=actor)


def nested_create(kind: RecordKind, body_field: str, relationship: str) -> Callable:
    """A `customers.hooks.NESTED` entry: create the records listed in `body_field` of
    a customer create, in its transaction. Every bad record is named by its place
    (`bankAccounts[1].iban`); one bad record fails the whole create."""

    def hook(ctx, customer: Customer, body: BaseModel) -> None:
        items = getattr(body, body_field, None) or []
        errors: list[dict[str, str]] = []
        for i, item in enumerate(items):
            try:
                create(ctx.session, ctx.company, kind, customer, item.model_dump(), actor=ctx.actor, touch=False)
            except DomainError as exc:
                named = [{**e, "field": f"{body_field}[{i}].{e['field']}"} for e in exc.errors] or [
                    {"field": f"{body_field}[{i}]", "message": exc.detail}
                ]
                if exc.status != 422:  # a conflict or the like: stop at the first
                    exc.errors, exc.detail = named, f"{body_field}[{i}]: {exc.detail}"
                    raise
                errors += named
        if errors:
            names = listed(dict.fromkeys(e["field"] for e in errors))
            raise Unprocessable(f"Invalid field(s): {names}", errors)
        if items:
            ctx.session.expire(customer, [relationship])  # reload with the new records

    return hook


def make_router(kind: RecordKind, *, tag: str | None = None) -> APIRouter:
    router = APIRouter(
        prefix="/v1/companies/{cuid}/customers/{customer}/" + kind.path,
        tags=[tag or kind.path],
        route_class=TransactionalRoute,
    )
    if TYPE_CHECKING:  # the kind's schemas, read by FastAPI from the annotations below
        Write: TypeAlias = BaseModel
        Read: TypeAlias = BaseModel
    else:
        Write, Read = kind.write_schema, kind.read_schema
    item = "/{" + kind.id_field + "}"

    def _customer(ctx, customer: str, *, lock: bool = False) -> Customer:
        return customers.get(ctx.session, ctx.company, customer, for_update=lock, full=False)

    @router.get("", response_model=Page[Read], summary=f"List {kind.path.replace('-', ' ')}")
    def list_records(customer: CustomerPath, ctx: ReadCtx, params: Annotated[ListParams, Depends(list_params)]):
        total, rows = list_page(ctx.session, kind, _customer(ctx, customer), params)
        value = [read(kind, r) for r in rows]
        link = params.next_link(len(value), total)
        return Page[Read](count=len(value), skip=params.skip, total=total, value=value, nextLink=link)

    @router.post("", status_code=201, response_model=Read, summary=f"Create {kind.a_title}")
    def create_record(customer: CustomerPath, body: Write, ctx: WriteCtx, response: Response):
        c = _customer(ctx, customer, lock=True)
        record = create(ctx.session, ctx.company, kind, c, body.model_dump(exclude_unset=False), actor=ctx.actor)
        guid = quote(str(getattr(record, snake(kind.id_field))), safe="")
        response.headers["Location"] = f"{ctx.request.url.path.rstrip('/')}/{guid}"
        return tagged(response, record)

    def tagged(response: Response, record: Any) -> BaseModel:
        """The record's representation, its ETag set on the response."""
        model = read(kind, record)
        response.headers["ETag"] = etags.of_model(model)
        return model

    def get_record(customer: CustomerPath, ctx: ReadCtx, response: Response, **ids):
        return tagged(response, get(ctx.session, kind, _customer(ctx, customer), ids[kind.id_field]))

    def replace_record(
        customer: CustomerPath, body: Write, ctx: WriteCtx, response: Response, if_match: IfMatch = None, **ids
    ):
        c = _customer(ctx, customer, lock=True)
        record, created = put(ctx.session, ctx.company, kind, c, ids[kind.id_field], body, if_match, actor=ctx.actor)
        if created:
            response.status_code = 201
            # The path as a URL again: a header is latin-1, a record's name may be any text.
            response.headers["Location"] = quote(ctx.request.url.path, safe="/")
        return tagged(response, record)

    def delete_record(customer: CustomerPath, ctx: DeleteCtx, if_match: IfMatch = None, **ids):
        remove(ctx.session, kind, _customer(ctx, customer, lock=True), ids[kind.id_field], if_match, actor=ctx.actor)
        return Response(status_code=204)

    id_doc = f"The {kind.title}'s {'name' if kind.key is not None else 'GUID'}"
    _with_id_param(get_record, kind.id_field, id_doc)
    _with_id_param(replace_record, kind.id_field, id_doc)
    _with_id_param(delete_record, kind.id_field, id_doc)
    router.get(item, response_model=Read, summary=f"Get {kind.a_title}")(get_record)
    put_summary = (
        f"Create or replace the {kind.title} of this {kind.id_field} (201 when created)"
        if kind.key is not None
        else f"Replace {kind.a_title}: missing or null fields are cleared"
    )
    created: dict[int | str, dict[str, Any]] | None = (
        {201: {"model": Read, "description": f"The {kind.title} was created"}} if kind.key is not None else None
    )
    router.put(item, response_model=Read, summary=put_summary, responses=created)(replace_record)
    router.delete(item, status_code=204, summary=f"Delete {kind.a_title}")(delete_record)
    return router


class _Signed(Protocol):
    __signature__: Any  # an inspect.Signature: inspect.signature(), and so FastAPI, reads it


def set_signature(fn: Callable[..., Any], signature: Any) -> None:
    """Give fn the signature that FastAPI reads (a function takes the attribute)."""
    cast(_Signed, fn).__signature__ = signature


def _with_id_param(fn: Callable, name: str, description: str) -> None:
    """Give fn a real path parameter called `name` (FastAPI reads the signature)."""
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    annotation = Annotated[str, Path(description=description)]
    params.insert(1, inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation))
    params.sort(key=lambda p: p.kind)
    set_signature(fn, sig.replace(parameters=params))
