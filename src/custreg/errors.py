"""Domain errors and their RFC 9457 problem+json rendering: every answer names its `code`
and a `type` URI that describes it (`problem_types.py`, docs/errors.md)."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import ErrorDetails
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from custreg import observe
from custreg.problem_types import code_for, type_uri

PROBLEM = "application/problem+json"
# An answer lists this many `errors` at most; `errorsNotListed` counts the rest.
MAX_LISTED_ERRORS = 100
# Routes whose contract answers a malformed body with 400 rather than 422 (seed 004's search).
BAD_BODY_IS_400: set[str] = set()


def listed(items, limit: int = MAX_LISTED_ERRORS) -> str:
    """`a, b, c`: the first `limit` of `items`, then how many more (a detail stays short)."""
    items = list(items)
    head = ", ".join(str(i) for i in items[:limit])
    return head + (f" and {len(items) - limit} more" if len(items) > limit else "")


class DomainError(Exception):
    status = 400
    title: str | None = None
    code: str | None = None  # problem_types.TYPES; None: the status's own (problem_types.BY_STATUS)

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class RetryLater(DomainError):
    """503 with `Retry-After: 1`: the request may succeed as it is, a moment later."""

    status = 503
    message = "Retry shortly"

    def __init__(self) -> None:
        super().__init__(self.message)
        self.headers = {"Retry-After": "1"}


class DatabaseBusy(RetryLater):
    """A write that waited longer than it may for the database (its lock wait, docs/limits.md),
    as when the database itself gives up waiting for a lock."""

    code = "database_busy"
    message = "The database is busy; retry shortly"


class PreconditionFailed(DomainError):
    status = 412


class PayloadTooLarge(DomainError):
    status = 413


class TooManyItems(PayloadTooLarge):
    """More items than one request takes (limits.py, docs/limits.md)."""

    code = "too_many_items"


class QueryTooComplex(BadRequest):
    """A query option over its limit (limits.py, docs/limits.md)."""

    code = "query_too_complex"


class UnsupportedMediaType(DomainError):
    status = 415


class Unprocessable(DomainError):
    status = 422


class TooManyRequests(DomainError):
    status = 429


def field_error(field: str, message: str, cls: type[DomainError] = Unprocessable) -> DomainError:
    return cls(f"{field}: {message}", [{"field": field, "message": message}])


class FieldErrors:
    """Collects field errors so one response names every bad field."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def raise_if_any(self, cls: type[DomainError] = Unprocessable) -> None:
        if self.items:
            names = listed(dict.fromkeys(e["field"] for e in self.items))
            raise cls(f"Invalid field(s): {names}", self.items)


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    code: str | None = None,
    **extra: Any,
) -> JSONResponse:
    code = code or code_for(status)
    body: dict[str, Any] = {
        "type": type_uri(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    not_listed = extra.pop("errorsNotListed", 0)  # counted already by the caller (the import's report)
    if errors:
        body["errors"] = errors[:MAX_LISTED_ERRORS]
        not_listed += max(len(errors) - MAX_LISTED_ERRORS, 0)
    if not_listed:
        body["errorsNotListed"] = not_listed
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _loc_to_field(loc: tuple) -> str:
    # A string with brackets is a union member's label (`list[ClvrParameter]`), not a field.
    parts = [p for p in loc if p not in ("body", "query", "path", "header") and not (isinstance(p, str) and "[" in p)]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or (str(loc[0]) if loc else "body")


def _clean_message(err: ErrorDetails) -> str:
    msg = err.get("msg", "invalid")
    return msg.removeprefix("Value error, ")


PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "`/problems/{code}`: a page describing the problem"},
        "code": {"type": "string", "description": "Stable machine-readable kind (docs/errors.md)"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
OAUTH_ERROR_SCHEMA = {
    "title": "OAuthError",
    "description": "RFC 6749 section 5.2 error response",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
# Paths whose errors are not problem+json by contract (section 9).
OAUTH_ERROR_PATHS = {"/oauth/token"}
# A vendor's API whose errors keep the vendor's shape: Fivaldi's ApiError / ApiErrorList.
FIVALDI_ERROR_PREFIX = "/compat/fivaldi/"
FIVALDI_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}},
    },
}


# SQLSTATEs of a lock wait that ended (PostgreSQL): lock_not_available, deadlock_detected,
# serialization_failure. SQLite says "database is locked" once its busy timeout is over.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


def is_busy(exc: OperationalError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    message = str(orig or exc).lower()
    return "database is locked" in message or "database is busy" in message


# PostgreSQL unreachable or going away: connection exceptions, admin/crash shutdown, starting up.
DOWN_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_unreachable(exc: DBAPIError) -> bool:
    """The server could not be reached (a restart, a failover): psycopg's errors carry a
    `sqlstate`, None when the connection itself failed. Not a bug: 503, retry."""
    if not hasattr(exc.orig, "sqlstate"):
        return False  # sqlite3: its errors are the statement's
    state: str | None = getattr(exc.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in DOWN_SQLSTATES


class DatabaseUnavailable(RetryLater):
    """The database could not be reached or went away (a restart, a failover)."""

    code = "database_unavailable"
    message = "The database connection was lost; retry"


def database_answer(exc: DBAPIError) -> DomainError | None:
    """The answer to a database error that is not a bug; None: it is one (500). The HTTP
    handler and an import's process (sync/import_process.py) both answer through it."""
    if isinstance(exc, OperationalError) and is_busy(exc):
        return DatabaseBusy()  # waited for a lock longer than configured: overload, not a bug
    if isinstance(exc, IntegrityError):
        # A backstop for races the services' checks cannot see (two creates with the same
        # customerGuid at once): a unique key taken meanwhile is a conflict, not a bug.
        if getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc.orig):
            field = _constraint_field(exc)
            return Conflict(f"{field}: already in use", [{"field": field, "message": "already in use"}])
        return None
    if isinstance(exc, DataError):
        # A backstop: a value the database cannot hold (a number or date out of its range, a
        # string over a column's length) that no schema rule caught is the client's, not a bug.
        diag = getattr(exc.orig, "diag", None)
        field = _camel(getattr(diag, "column_name", None) or "") or "body"
        return BadRequest(
            f"{field}: a value is out of the range the database holds", [{"field": field, "message": "out of range"}]
        )
    if exc.connection_invalidated or is_unreachable(exc):
        return DatabaseUnavailable()
    return None


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return problem(
            exc.status,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            title=exc.title,
            headers=exc.headers or None,
            code=exc.code,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errs):
            return problem(
                400,
                "Malformed JSON body",
                instance=request.url.path,
                errors=[{"field": "body", "message": "not valid JSON"}],
                code="malformed_json",
            )
        fields = [{"field": _loc_to_field(tuple(e.get("loc", ()))), "message": _clean_message(e)} for e in errs]
        too_long = [(f, e) for f, e in zip(fields, errs) if e.get("type") == "too_long"]
        if too_long:  # an array over its limit: the limit's own answer (docs/limits.md)
            field, err = too_long[0]
            maximum = (err.get("ctx") or {}).get("max_length")
            return problem(
                413,
                f"{field['field']}: more than {maximum} items",
                instance=request.url.path,
                errors=[field],
                code="too_many_items",
                limit=field["field"],
                max=maximum,
            )
        in_query = all(e.get("loc", ("",))[0] in ("query", "path", "header") for e in errs)
        route = request.scope.get("route")
        status = 400 if in_query or getattr(route, "path", None) in BAD_BODY_IS_400 else 422
        names = listed(dict.fromkeys(f["field"] for f in fields))
        return problem(status, f"Invalid field(s): {names}", instance=request.url.path, errors=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError):
        answer = database_answer(exc)
        if answer is None:
            return _internal_error(request, exc=exc)
        return await _domain(request, answer)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # Answered by Starlette's outermost middleware, outside observe.Observe: the headers
        # of this request's answers (X-Request-Id, RateLimit-*) are added here.
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in observe.answer_headers(request.scope)}
        return _internal_error(request, headers, exc if isinstance(exc, StatementError) else None)


def _internal_error(
    request: Request, headers: dict[str, str] | None = None, exc: StatementError | None = None
) -> JSONResponse:
    """A bug: say so, leak nothing. The log names the route template and the request id,
    never the path (it holds customer numbers). A database error is logged by its kind,
    SQLSTATE and constraint only: its message and traceback quote the statement's
    parameters and the row's values (PostgreSQL's DETAIL: `Key (col)=(value)`)."""
    scope = request.scope
    where = (scope["method"], observe.route_of(scope), observe.request_id(scope))
    log = logging.getLogger("custreg")
    if exc is not None:
        orig = exc.orig
        diag = getattr(orig, "diag", None)  # psycopg's
        log.error(
            "database error: %s %s request_id=%s %s sqlstate=%s constraint=%s",
            *where,
            type(orig).__name__,
            getattr(orig, "sqlstate", None),
            getattr(diag, "constraint_name", None),
        )
    else:
        log.exception("unhandled error: %s %s request_id=%s", *where)
    return problem(500, "Internal error", instance=request.url.path, headers=headers)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _constraint_field(exc: IntegrityError) -> str:
    """The API field of a unique constraint (`uq_customers_company_id_customer_guid` →
    `customerGuid`; db/base.NAMING); SQLite names the columns instead (`customers.customer_guid`)."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        table = getattr(diag, "table_name", None) or ""
        column = name.removeprefix("uq_").removeprefix("ix_").removeprefix(f"{table}_").removeprefix("company_id_")
        return _camel(column)
    last = str(exc.orig).rsplit(",", 1)[-1].rsplit(".", 1)[-1].strip()
    return _camel(last) if last.replace("_", "").isalnum() else "body"
