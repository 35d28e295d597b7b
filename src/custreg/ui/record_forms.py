"""A record's form, read from its kind's write schema (ui/records.py serves it): the fields
with their widgets, lengths and choices; the posted form back into the API's JSON body; and
the schema's or the service's errors by field. No rule lives here: the schema and the
kind's service (records.py) decide what is valid."""

import datetime as dt
import types
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from custreg.choices import Choice
from custreg.errors import DomainError

LONG_TEXT = 1000  # a text field of this length or more is a textarea
MAX_ROWS = 600  # rows of a list of records read from one form (a loan's periods: at most 600)


@dataclass(frozen=True)
class FormField:
    """One input: `widget` is text, textarea, number, date, datetime, bool, select, lines
    (a list of texts, one a line) or rows (a list of records, `columns` their fields)."""

    name: str
    widget: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    columns: tuple["FormField", ...] = ()


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type without `None` and `Annotated`, and the metadata met on the way."""
    meta: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            args = get_args(annotation)
            meta += args[1:]
            annotation = args[0]
            continue
        if get_origin(annotation) in (Union, types.UnionType):
            args = tuple(a for a in get_args(annotation) if a is not type(None))
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation, meta


def _field(name: str, info: FieldInfo) -> FormField:
    kind, inner = _unwrap(info.annotation)
    meta = [*info.metadata, *inner]
    max_length = next((m.max_length for m in meta if isinstance(m, MaxLen)), None)
    choices = next((m.choices for m in meta if isinstance(m, Choice)), ())
    required = info.is_required()
    if get_origin(kind) is list:
        item, _ = _unwrap(get_args(kind)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return FormField(name, "rows", required, columns=fields_of(item))
        return FormField(name, "lines", required)
    if choices:
        widget = "select"
    elif kind is bool:
        widget = "bool"
    elif kind is dt.date:
        widget = "date"
    elif kind is dt.datetime:
        widget = "datetime"
    elif kind in (int, float, Decimal):
        widget = "number"
    else:
        widget = "textarea" if max_length and max_length >= LONG_TEXT else "text"
    return FormField(name, widget, required, max_length if widget in ("text", "textarea") else None, choices)


def fields_of(schema: type[BaseModel], *, leave_out: tuple[str, ...] = ()) -> tuple[FormField, ...]:
    """The schema's fields as inputs, in its order; read-only ones left out."""
    read_only: frozenset[str] = getattr(schema, "read_only", frozenset())
    return tuple(
        _field(name, info)
        for name, info in schema.model_fields.items()
        if name not in read_only and name not in leave_out
    )


def as_text(value: Any) -> str:
    """A stored value as its input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def values_of(fields: tuple[FormField, ...], record: Mapping[str, Any]) -> dict[str, Any]:
    """A record (the API's representation) as the form shows it: texts, and a list of
    rows (dicts of texts) for a list of records."""
    out: dict[str, Any] = {}
    for f in fields:
        value = record.get(f.name)
        if f.widget == "rows":
            items = [v.model_dump() if isinstance(v, BaseModel) else v for v in value or []]
            out[f.name] = [values_of(f.columns, item) for item in items]
        else:
            out[f.name] = as_text(value)
    return out


def _raw(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _row_count(form: Mapping[str, Any], name: str) -> int:
    sent = _raw(form, f"{name}-rows")
    return min(int(sent), MAX_ROWS) if sent.isdigit() else 0


def submitted(fields: tuple[FormField, ...], form: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """What the form sent, as `values_of` shapes it (shown again with the errors)."""
    out: dict[str, Any] = {}
    for f in fields:
        key = prefix + f.name
        if f.widget == "rows":
            rows = [submitted(f.columns, form, f"{key}-{i}-") for i in range(_row_count(form, key))]
            out[f.name] = [r for r in rows if any(r.values())]
        else:
            out[f.name] = _raw(form, key)
    return out


def body_of(fields: tuple[FormField, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The submitted values as the API's JSON body: an empty input is left out, a yes/no a
    JSON boolean, a list of texts one a line, a list of records without its empty rows."""
    body: dict[str, Any] = {}
    for f in fields:
        value = values.get(f.name)
        if f.widget == "rows":
            if value:
                body[f.name] = [body_of(f.columns, row) for row in value]
            continue
        if not value:
            continue
        if f.widget == "bool" and value in ("true", "false"):
            body[f.name] = value == "true"
        elif f.widget == "lines":
            body[f.name] = [line.strip() for line in value.splitlines() if line.strip()]
        else:
            body[f.name] = value
    return body


def errors_of(exc: ValidationError | DomainError) -> dict[str, str]:
    """`{input name: message}` from the schema's or the service's errors (the API's
    messages): `periods-0-interestTo` for a field of a list's record, `body` for the whole."""
    items: list[tuple[str, str]]
    if isinstance(exc, ValidationError):
        items = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            if len(loc) >= 2 and loc[1].isdigit() and len(loc) > 2:
                name = "-".join(loc[:3])
            else:
                name = loc[0] if loc else "body"
            items.append((name, e["msg"].removeprefix("Value error, ")))
    else:
        items = [(e["field"], e["message"]) for e in exc.errors] or [("body", exc.detail)]
    out: dict[str, str] = {}
    for name, message in items:
        out.setdefault(name, message)
    return out


def differing(fields: tuple[FormField, ...], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, str]:
    """The current (their) value of each field where it differs from the submitted one."""
    return {
        f.name: "; ".join(str(r) for r in theirs[f.name]) if f.widget == "rows" else theirs[f.name]
        for f in fields
        if theirs.get(f.name) != mine.get(f.name)
    }
