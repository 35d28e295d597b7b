"""The problem types: the stable machine-readable `code` of every problem+json answer, its
`type` URI (`/problems/{code}`, served by custreg itself) and the page that describes it.
docs/errors.md lists the same codes (a test keeps the two in step)."""

from dataclasses import dataclass
from http import HTTPStatus

PATH = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: str  # the page's heading (the answer's `title` stays the status phrase)
    description: str  # markdown: when it happens, what a client does about it


_TYPES = [
    ProblemType(
        "bad_request",
        400,
        "Bad request",
        "The request is malformed: a query parameter, path segment or header that is not valid "
        "(`$filter` naming an unknown field, `$top` over 100, a missing `X-Company`, ...). "
        "`errors` names each one. Fix the request; repeating it unchanged fails again.",
    ),
    ProblemType(
        "malformed_json",
        400,
        "Malformed JSON body",
        "The body is not valid JSON. `errors` names `body`. Send valid JSON.",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Unauthorized",
        "No bearer token, or one that is unknown, malformed, expired, badly signed or of a revoked "
        "client. The answer has `WWW-Authenticate: Bearer`. Get a new token (`POST /oauth/token`).",
    ),
    ProblemType(
        "forbidden",
        403,
        "Forbidden",
        "The token is valid but lacks the endpoint's scope, or is not granted the company in the "
        "path (a company that does not exist is also forbidden to a client not granted it).",
    ),
    ProblemType(
        "not_found",
        404,
        "Not found",
        "No such resource in this company (customer, record, company, code), or no such path.",
    ),
    ProblemType(
        "method_not_allowed",
        405,
        "Method not allowed",
        "The path exists but does not take this method; `Allow` lists the ones it takes.",
    ),
    ProblemType(
        "conflict",
        409,
        "Conflict",
        "The request conflicts with the current state: a duplicate key (a second customer with the "
        "same external id, a company cuid in use), a code still in use, a state that does not allow "
        "the change, an `Idempotency-Key` reused with another body or still in progress. `detail` "
        "says which.",
    ),
    ProblemType(
        "cursor_expired",
        410,
        "Change-feed cursor expired",
        "The change-feed cursor is older than what the feed keeps (`custreg prune`). Read the whole "
        "register again, then follow the feed from its new cursor.",
    ),
    ProblemType(
        "etag_mismatch",
        412,
        "ETag mismatch",
        "`If-Match` does not name the resource's current `ETag`: someone changed it since it was "
        "read (or it no longer exists). GET it again, re-apply the change, send the new ETag.",
    ),
    ProblemType(
        "payload_too_large",
        413,
        "Payload too large",
        "The body is larger than the server takes (`CUSTREG_MAX_BODY_BYTES`; the CSV import: "
        "`CUSTREG_IMPORT_MAX_BYTES`).",
    ),
    ProblemType(
        "too_many_items",
        413,
        "Too many items",
        "The request asks for more work than the server does in one request: more items in a "
        "body array, ids in a bulk request, columns in a CSV header or rows in one import than "
        "the limit. `limit` names the limit and `max` its value (docs/limits.md); `errors` names "
        "the field. Split the work over several requests.",
    ),
    ProblemType(
        "query_too_complex",
        400,
        "Query too complex",
        "A query option is over its limit: `$filter` longer or with more terms or nested `not`s "
        "than allowed, more `$select` fields, more `searchWord` terms. `limit` names the limit and "
        "`max` its value (docs/limits.md). Ask a simpler question.",
    ),
    ProblemType(
        "unsupported_media_type",
        415,
        "Unsupported media type",
        "The body's `Content-Type` is not one the endpoint takes (the CSV import takes `text/csv`), "
        "or a JSON body is not UTF-8 (a `charset` other than utf-8, or UTF-16/32 bytes).",
    ),
    ProblemType(
        "validation_failed",
        422,
        "Validation failed",
        "One or more fields of the body fail validation; `errors` lists each as "
        '`{"field", "message"}` (nested fields as `addresses[0].zipCode`). Fix those fields.',
    ),
    ProblemType(
        "rate_limited",
        429,
        "Too many requests",
        "This client (or user) has used its request budget. Wait `Retry-After` seconds. Every "
        "answer to a rate-limited credential carries `RateLimit-Limit`, `RateLimit-Remaining` and "
        "`RateLimit-Reset`, so a client can slow down before it gets here.",
    ),
    ProblemType(
        "internal_error",
        500,
        "Internal error",
        "A bug. The answer carries `X-Request-Id`; the server's log has the same id. Report it.",
    ),
    ProblemType(
        "service_failed",
        502,
        "Service failed",
        "A company's service (a CLVR custom service definition) answered an error, an answer "
        "that is not JSON or too long, or could not be reached. `serviceDefinition` names it; "
        "`serviceStatus` and `serviceAnswer` (its first bytes) say what it answered. Nothing was "
        "written in custreg; fix the service or call it again.",
    ),
    ProblemType(
        "service_timeout",
        504,
        "Service timed out",
        "A company's service did not answer in time (`CUSTREG_WEBHOOK_TIMEOUT_SECONDS`). It may "
        "still have acted on the call: call it with `async=true` to have the worker retry it.",
    ),
    ProblemType(
        "database_busy",
        503,
        "Database busy",
        "The database stayed locked longer than the server waits. Retry after `Retry-After` seconds.",
    ),
    ProblemType(
        "import_interrupted",
        503,
        "Import interrupted",
        "The process running a CSV import ended before it answered (it was stopped, or ran out of "
        "memory). An all-or-nothing import wrote nothing; a valid-rows import keeps the batches "
        "it committed. Retry after `Retry-After` seconds.",
    ),
    ProblemType(
        "database_unavailable",
        503,
        "Database unavailable",
        "The database connection was lost (a restart, a failover). Retry after `Retry-After` seconds.",
    ),
]
TYPES: dict[str, ProblemType] = {t.code: t for t in _TYPES}
# The code of a status when the error does not name a more precise one.
BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "cursor_expired",
    412: "etag_mismatch",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "database_unavailable",
}


def code_for(status: int) -> str:
    """The default code of a status; one not listed gets its reason phrase in snake_case."""
    code = BY_STATUS.get(status)
    if code is None:
        try:
            code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
        except ValueError:
            code = "client_error" if status < 500 else "server_error"
    return code


def type_uri(code: str) -> str:
    return PATH + code
