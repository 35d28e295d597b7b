"""Shared by the compatibility mappings: the company from the credentials or `X-Company`,
validation by the native schemas with errors renamed to a seed's field names, and the
translation of a seed's field names inside `$filter`/`$orderby`."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from custreg.access import scopes
from custreg.access.context import Ctx, requires
from custreg.errors import DomainError, Unprocessable, _clean_message, listed

# Contexts for paths without a company: the credentials' one company or `X-Company`.
HeaderReadCtx = Annotated[Ctx, requires(scopes.READ, company_header=True)]
HeaderWriteCtx = Annotated[Ctx, requires(scopes.WRITE, company_header=True)]
HeaderDeleteCtx = Annotated[Ctx, requires(scopes.DELETE, company_header=True)]


def _rename(field: str, names: dict[str, str]) -> str:
    """`names` maps native → seed names; `a.b` and `a[1].b` keep their tails."""
    if field in names:
        return names[field]
    head = re.match(r"[^.\[]+", field)
    if head and head.group(0) in names:
        return names[head.group(0)] + field[head.end() :]
    return field


def rename_errors(exc: DomainError, names: dict[str, str]) -> DomainError:
    if not names:
        return exc
    for e in exc.errors:
        e["field"] = _rename(e["field"], names)
    if exc.errors and exc.detail.startswith("Invalid field(s): "):
        exc.detail = "Invalid field(s): " + listed(dict.fromkeys(e["field"] for e in exc.errors))
    else:
        for native, seed in names.items():
            exc.detail = re.sub(rf"\b{re.escape(native)}\b", seed, exc.detail)
    return exc


@contextmanager
def seed_names(names: dict[str, str]) -> Iterator[None]:
    """Errors of the native services inside, renamed to the seed's field names."""
    try:
        yield
    except DomainError as exc:
        raise rename_errors(exc, names) from None


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: dict[str, Any], names: dict[str, str] | None = None) -> M:
    """The native schema validates; its errors come back as a 422 naming the seed's fields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            loc = [p for p in e.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
            field = ""
            for p in loc:
                field += f"[{p}]" if isinstance(p, int) else ("." if field else "") + str(p)
            errors.append({"field": _rename(field or "body", names or {}), "message": _clean_message(e)})
        raise Unprocessable("Invalid field(s): " + listed(dict.fromkeys(e["field"] for e in errors)), errors) from None


_TOKEN = re.compile(r"'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*")


def translate_query(text: str | None, names: dict[str, str]) -> str | None:
    """A seed's field names in `$filter`/`$orderby` (any letter case) → native names;
    string literals untouched. `names` maps lower-case seed names → native names."""
    if not text:
        return text
    return _TOKEN.sub(
        lambda m: m.group(0) if m.group(0).startswith("'") else names.get(m.group(0).lower(), m.group(0)), text
    )


def loose(name: str, fields: dict[str, str], *, doc: str = "") -> type[BaseModel]:
    """A body model naming a seed's fields (`fields`: name → description), every value
    accepted as sent: the native schema validates after the names are mapped, so there is
    one copy of each rule. Unknown fields → 422 naming them."""
    model = create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__=doc or None,
        # Any: mypy checks the values of a **dict against every keyword of create_model.
        **cast(dict[str, Any], {f: (Any, Field(None, description=d)) for f, d in fields.items()}),
    )
    return model


def native_descriptions(model: type[BaseModel], exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    return {f: (info.description or f) for f, info in model.model_fields.items() if f not in exclude}
