"""Register configuration pages: a company's codes by category, its dimensions with their
values and its register rules, for any reader; with scope `register:admin` the forms that
change them, through the API's services (register/service.py, as `PUT /basic-details/
{category}` and `PATCH /basic-details/settings`), validated by the API's schemas, so each
error is the API's, shown next to its field."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from custreg.access import scopes
from custreg.access.context import Ctx
from custreg.db.routing import TransactionalRoute
from custreg.errors import DomainError, NotFound, PreconditionFailed
from custreg.register import service as register
from custreg.register.defaults import CATEGORIES
from custreg.register.schemas import CodeItem, DimensionItem, RegisterSettingsPatch, RegisterSettingsRead
from custreg.ui.pages import render
from custreg.ui.session import ReadUi, Rendered, requires

router = APIRouter(prefix="/ui/c/{cuid}/register", include_in_schema=False, route_class=TransactionalRoute)
RegisterUi = Annotated[Ctx, requires(scopes.REGISTER_ADMIN)]
Category = Annotated[str, Path(max_length=40)]
MAX_ROWS = 1000  # as the API's body (`Body(max_length=1000)`)
BLANK_ROWS = 3  # empty rows a form offers for new codes
ITEMS = {"dimensions": TypeAdapter(list[DimensionItem])}
CODES = TypeAdapter(list[CodeItem])


@router.get("")
def register_page(request: Request, ctx: ReadUi, saved: bool = False) -> Response:
    """The company's codes by category (`GET /basic-details`) and its rules (`GET .../settings`)."""
    return _overview(request, ctx, saved=saved)


def _overview(request: Request, ctx: Ctx, status: int = 200, **values: Any) -> Response:
    codes = register.basic_details(ctx.session, ctx.company)
    current = RegisterSettingsRead.of(register.settings(ctx.session, ctx.company.id)).model_dump()
    values.setdefault("settings", current)
    values.setdefault("errors", {})
    return render(request, "register.html", status, cuid=ctx.cuid, company=ctx.company, codes=codes, **values)


@router.post("/settings")
def change_settings(request: Request, ctx: RegisterUi) -> Response:
    """Change the register rules, as `PATCH /basic-details/settings`."""
    form = request.state.form
    sent = {
        "uniqueIdentityNumbers": form.get("uniqueIdentityNumbers") == "true",
        "financialRetentionYears": str(form.get("financialRetentionYears", "")).strip(),
    }
    try:
        body = RegisterSettingsPatch.model_validate(sent)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        raise Rendered(_overview(request, ctx, 422, settings=sent, errors=errors)) from None
    register.update_settings(ctx.session, ctx.company, body.changes())
    return RedirectResponse(f"/ui/c/{ctx.cuid}/register?saved=true#settings", status_code=303)


def _category(category: str) -> str:
    if category not in CATEGORIES:
        raise NotFound(f"Unknown category {category!r}; one of: {', '.join(CATEGORIES)}")
    return category


def _rows_of(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored items as form rows (a dimension's values one per line: `CODE name`)."""
    return [
        {
            "code": i["code"],
            "name": i["name"],
            "values": "\n".join(f"{v['code']} {v['name']}" for v in i.get("values", [])),
            "remove": False,
        }
        for i in items
    ]


def _form(request: Request, ctx: Ctx, category: str, status: int = 200, **values: Any) -> Response:
    items = register.basic_details(ctx.session, ctx.company)[category]
    values.setdefault("rows", _rows_of(items))
    values.setdefault("errors", {})
    values.setdefault("etag", register.tag(ctx.session, ctx.company))
    rows = list(values["rows"])
    while rows and not (rows[-1]["code"] or rows[-1]["name"] or rows[-1]["values"].strip()):
        rows.pop()  # the empty rows sent; errors name rows by their place, so only trailing ones
    rows += [{"code": "", "name": "", "values": "", "remove": False}] * BLANK_ROWS
    values["rows"] = rows[: MAX_ROWS + BLANK_ROWS]
    return render(
        request, "register_form.html", status, cuid=ctx.cuid, company=ctx.company, category=category, **values
    )


@router.get("/{category}")
def category_form(request: Request, category: Category, ctx: RegisterUi) -> Response:
    """One category's codes as a form: change, remove (a code in use is refused), add."""
    return _form(request, ctx, _category(category))


def _submitted(form: Any) -> list[dict[str, Any]]:
    sent = str(form.get("count", ""))
    count = min(int(sent), MAX_ROWS + BLANK_ROWS) if sent.isdigit() and len(sent) < 6 else 0
    return [
        {
            "code": str(form.get(f"code-{i}", "")).strip(),
            "name": str(form.get(f"name-{i}", "")).strip(),
            "values": str(form.get(f"values-{i}", "")),
            "remove": form.get(f"remove-{i}") == "true",
        }
        for i in range(count)
    ]


def _values(text: str) -> list[dict[str, str]]:
    """A dimension's values, one a line: the code, then its name after a space."""
    out = []
    for line in text.splitlines():
        if line.strip():
            code, _, name = line.strip().partition(" ")
            out.append({"code": code, "name": name.strip()})
    return out


def _field_of(loc: tuple, at: list[int]) -> tuple[str, str]:
    """A schema error's place in the items → the form's field, and a prefix for the message."""
    if not loc or not isinstance(loc[0], int) or loc[0] >= len(at):
        return "body", ""
    row = at[loc[0]]
    if len(loc) > 2 and loc[1] == "values" and isinstance(loc[2], int):
        return f"{row}.values", f"line {loc[2] + 1}: {loc[3] if len(loc) > 3 else ''} "
    return f"{row}.{loc[1] if len(loc) > 1 else 'code'}", ""


@router.post("/{category}")
def replace_category(request: Request, category: Category, ctx: RegisterUi) -> Response:
    """Replace the category with the form's rows, as `PUT /basic-details/{category}` under
    the `If-Match` of the configuration the form was made from."""
    category = _category(category)
    form = request.state.form
    rows = _submitted(form)
    at = [i for i, r in enumerate(rows) if not r["remove"] and (r["code"] or r["name"] or r["values"].strip())]
    body = [{"code": rows[i]["code"], "name": rows[i]["name"]} for i in at]
    if category == "dimensions":
        for item, i in zip(body, at, strict=True):
            item["values"] = _values(rows[i]["values"])
    errors: dict[str, str] = {}
    status = 422
    try:
        if len(body) > MAX_ROWS:
            raise DomainError(f"At most {MAX_ROWS} codes a category", [{"field": "body", "message": "too many"}])
        items = ITEMS.get(category, CODES).validate_python(body)
        data = [i.model_dump() for i in items]
        register.replace_category(ctx.session, ctx.company, category, data, str(form.get("etag", "")) or None)
    except ValidationError as exc:
        for e in exc.errors():
            field, prefix = _field_of(e["loc"], at)
            errors.setdefault(field, prefix + e["msg"])
    except PreconditionFailed:
        current = register.basic_details(ctx.session, ctx.company)[category]
        raise Rendered(_form(request, ctx, category, 412, rows=rows, conflict=current)) from None
    except DomainError as exc:
        errors, status = _service_errors(exc, rows, at), exc.status
    if errors:
        raise Rendered(_form(request, ctx, category, status, rows=rows, errors=errors))
    return RedirectResponse(f"/ui/c/{ctx.cuid}/register?saved=true#cat-{category}", status_code=303)


def _service_errors(exc: DomainError, rows: list[dict[str, Any]], at: list[int]) -> dict[str, str]:
    """The service's errors by form field: `[i].code` or `[i].values[j].code` (a duplicate),
    a code still in use (`CODE`, or `DIMENSION=VALUE` for a dimension's value); and the
    whole message as `body`."""
    errors: dict[str, str] = {}
    codes = {r["code"].upper(): i for i, r in enumerate(rows) if r["code"]}
    for e in exc.errors or [{"field": "body", "message": exc.detail}]:
        name, message = str(e.get("field") or "body"), str(e.get("message") or exc.detail)
        if name.startswith("[") and "]." in name:
            index, rest = int(name[1 : name.index("]")]), name.split("].", 1)[1]
            field = "body" if index >= len(at) else f"{at[index]}.{rest.split('[')[0]}"
        elif "=" in name and name.split("=", 1)[0] in codes:
            field, message = f"{codes[name.split('=', 1)[0]]}.values", f"{name.split('=', 1)[1]}: {message}"
        elif name in codes:
            field = f"{codes[name]}.code"
        else:
            field = "body"
        errors.setdefault(field, message)
    errors.setdefault("body", exc.detail)
    return errors
