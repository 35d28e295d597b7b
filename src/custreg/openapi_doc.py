"""What /openapi.json says beyond the routes (issue 22): one tag per domain and per
compatibility API, described and in reading order (`TAGS`, the app's `openapi_tags`), and
stable, readable operationIds `<domain>_<action>` (`customers_create`, `addresses_list`,
`fivaldi_create_customer`) that client generators name their methods after
(`operation_id`, the app's `generate_unique_id_function`)."""

import copy
import re
import threading
from http import HTTPStatus
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import Route

from custreg import errors, openapi_examples, problem_types

_RECORD = "A record of the customer, under /customers/{customer}/"
TAGS: list[dict[str, str]] = [
    {"name": "companies", "description": "The companies (tenants); every other path is under one of them."},
    {"name": "customers", "description": "Persons and organisations: list, create, read, replace, patch, delete."},
    {"name": "addresses", "description": f"{_RECORD}addresses."},
    {"name": "bank-accounts", "description": f"{_RECORD}bank-accounts (IBAN, BBAN, BIC)."},
    {"name": "contacts", "description": f"{_RECORD}contacts."},
    {"name": "consents", "description": f"{_RECORD}consents: one per channel, with its history."},
    {"name": "parameters", "description": f"{_RECORD}parameters: keyed by name."},
    {"name": "extra-fields", "description": f"{_RECORD}extra-fields: keyed by name."},
    {"name": "direct-debit-mandates", "description": f"{_RECORD}direct-debit-mandates."},
    {"name": "credit-insurances", "description": f"{_RECORD}credit-insurances."},
    {"name": "relations", "description": f"{_RECORD}relations to other customers."},
    {"name": "pledges", "description": f"{_RECORD}pledges."},
    {"name": "loans", "description": f"{_RECORD}loans with their interest periods (the lending system writes them)."},
    {"name": "actions", "description": f"{_RECORD}actions: questions to the customer and their answers."},
    {"name": "external-ids", "description": f"{_RECORD}external-ids: the customer's ids in other systems."},
    {"name": "duplicates", "description": "Find duplicate customers and merge them (docs/duplicates.md)."},
    {"name": "privacy", "description": "Erasure and the subject access export of a person (docs/privacy.md)."},
    {"name": "lookups and search", "description": "Find customers by id, organisation number or credentials."},
    {"name": "sync", "description": "The change feed: every create, update and delete in commit order."},
    {"name": "export and import", "description": "CSV and XML export, CSV import (docs/export.md)."},
    {"name": "register configuration", "description": "The company's code lists (customer groups, ...)."},
    {"name": "webhooks", "description": "Webhook endpoints, their deliveries, retries and replays (docs/events.md)."},
    {
        "name": "services",
        "description": "The company's own services (CLVR custom service definitions), called signed (docs/events.md).",
    },
    {"name": "access", "description": "API clients and their OAuth 2 client-credentials tokens."},
    {"name": "self-service", "description": "The signed-in end user's own customer info."},
    {"name": "compat: Fivaldi (seed 000)", "description": "The Fivaldi customer API (/compat/fivaldi)."},
    {"name": "compat: Tehden (seed 001)", "description": "The Tehden customer API (/compat/tehden)."},
    {"name": "compat: Aptic CLVR (seed 002)", "description": "The Aptic CLVR customer API (/compat/clvr)."},
    {"name": "compat: Billmate (seed 003)", "description": "The Billmate customer API (/compat/billmate)."},
    {"name": "compat: Connect (seed 004)", "description": "The Connect customer API (/compat/connect)."},
    {"name": "operations", "description": "Metrics and the pages of the problem types."},
    {"name": "health", "description": "Liveness, for load balancers."},
]

# Tags that are not the domain's name; every other tag is its domain (dashes as `_`).
DOMAINS = {
    "register configuration": "register",
    "lookups and search": "lookups",
    "export and import": "transfer",
    "sync": "changes",
}
GENERIC = frozenset({"record", "records"})  # records.make_router's endpoints: list_records, ...
COMPAT = re.compile(r"^/compat/([a-z]+)/")


def operation_id(route: APIRoute) -> str:
    """`<domain>_<action>`: the domain from the route's tag (a compatibility API's from its
    path), the action from the endpoint's name without the domain's own words."""
    method = sorted(route.methods or {"GET"})[0].lower()
    compat = COMPAT.match(route.path)
    if compat:
        api = compat.group(1)
        return f"{api}_{_snake(route.name).removeprefix(api + '_')}"
    domain = _domain(route)
    own = _forms(domain) | GENERIC
    action = [word for word in _snake(route.name).split("_") if word not in own]
    return "_".join([domain, *(action or [method])])


def _domain(route: APIRoute) -> str:
    if route.tags:
        tag = str(route.tags[0])
        return DOMAINS.get(tag, _snake(tag))
    return _snake(route.path.strip("/").split("/")[0]) or "root"


def _forms(domain: str) -> set[str]:
    """The domain's words with their singulars: bank_accounts → bank, accounts, account."""
    words = set(domain.split("_"))
    for word in list(words):
        if word.endswith("ies"):
            words.add(word[:-3] + "y")
        elif word.endswith(("sses", "shes", "ches")):
            words.add(word[:-2])
        elif word.endswith("s"):
            words.add(word[:-1])
    return words


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# ------------------------------------------------------------------ error responses

REQUEST_ID = {
    "description": "The client's X-Request-Id, or one made for this request (it is in the log line)",
    "required": True,
    "schema": {"type": "string"},
}
RATE_LIMIT = {
    name: {"description": description, "schema": {"type": "integer", "minimum": 0}}
    for name, description in (
        ("RateLimit-Limit", "Requests a credential may make in a burst"),
        ("RateLimit-Remaining", "Requests left before 429"),
        ("RateLimit-Reset", "Seconds until the budget is full again"),
    )
}
RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}


def error_statuses(method: str, path: str, op: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it takes: a token (401, 403,
    429, and 400 for a `$` option it does not take), parameters (400), path parameters or
    the `X-Company` header (404), a write (409), `If-Match` (412), a body (400 malformed,
    413, 422; 415 for a body other than JSON or JSON not in UTF-8), the database (503). A route declares its
    own in `responses=` (the change feed's 410, the import's 422)."""
    params = op.get("parameters", [])
    body = op.get("requestBody", {}).get("content", {})
    secured = bool(op.get("security"))
    statuses = {int(s) for s in op.get("responses", {}) if s.isdigit() and int(s) >= 400}
    if params or body or secured:
        statuses.add(400)
    if secured or path.startswith(errors.FIVALDI_ERROR_PREFIX):  # Fivaldi's: signed (compat/fivaldi/auth.py)
        statuses |= {401, 403, 429}
    if any(p["in"] == "path" or p["name"].lower() == "x-company" for p in params):
        statuses.add(404)  # no such resource, or no such company
    if path in errors.OAUTH_ERROR_PATHS:
        statuses |= {401, 429}  # invalid_client; the endpoint's own rate limits (problem+json)
    if path.startswith(errors.FIVALDI_ERROR_PREFIX):
        statuses |= {401, 403, 429}  # the vendor's HMAC signature (not an OpenAPI security scheme)
    if secured and method != "get":
        statuses.add(409)
    if any(p["name"].lower() == "if-match" for p in params):
        statuses.add(412)
    if body:  # 415: a body other than JSON, or JSON not in UTF-8 (limits.BodySizeLimit)
        statuses |= {413, 415, 422}
    if path not in ("/problems/{code}",):
        statuses.add(503)
    return statuses


def _error_description(status: int, own: str | None) -> str:
    """The route's own words (or the status's phrase) and the problem codes of the status."""
    codes = [t.code for t in problem_types.TYPES.values() if t.status == status] or [problem_types.code_for(status)]
    if own in (None, "Validation Error"):
        own = HTTPStatus(status).phrase
    return f"{own}; code {' or '.join(f'`{c}`' for c in codes)} (described at `/problems/{{code}}`)"


def document_errors(spec: dict[str, Any]) -> None:
    """Every operation lists each error status it can answer (`error_statuses`) as
    problem+json (the one `Problem` component; /oauth/token's errors are RFC 6749 JSON,
    `OAuthError`; Fivaldi's are its `FivaldiApiError`), and every answer's headers: X-Request-Id always, the RateLimit-* of a
    token's answers, Retry-After of a 429 and a 503."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = errors.PROBLEM_SCHEMA
    schemas["OAuthError"] = errors.OAUTH_ERROR_SCHEMA
    schemas["FivaldiApiError"] = errors.FIVALDI_ERROR_SCHEMA
    problem = {errors.PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    oauth = {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}
    # Fivaldi's own answers are its ApiError; a request refused before routing (limits.py)
    # is problem+json on every path.
    fivaldi = {"application/json": {"schema": {"$ref": "#/components/schemas/FivaldiApiError"}}} | problem
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for status in error_statuses(method, path, op):
                own = _error_description(status, responses.get(str(status), {}).get("description"))
                content = (
                    oauth
                    if path in errors.OAUTH_ERROR_PATHS and status not in (429, 503)
                    else fivaldi
                    if path.startswith(errors.FIVALDI_ERROR_PREFIX)
                    else problem
                )
                responses[str(status)] = {"description": own, "content": content}
            for status, response in responses.items():
                headers = response.setdefault("headers", {})
                headers["X-Request-Id"] = REQUEST_ID
                if op.get("security") and status != "401":
                    headers.update(RATE_LIMIT)
                if status in ("429", "503"):
                    headers["Retry-After"] = RETRY_AFTER
            op["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f'"#/components/schemas/{unused}"' not in str(spec["paths"]):
            schemas.pop(unused)


# The document, made once per process: every app of a process has the same routes (create_app
# includes them all, whatever the settings), so a second app (the tests make many) copies it
# instead of spending the 2-3 s of CPU again.
_MADE: list[dict[str, Any]] = []


def install(app: FastAPI) -> None:
    """The app's /openapi.json: FastAPI's, with `document_errors` and the examples
    (`openapi_examples.document`) added once: at startup (`app._lifespan`), because making it
    is 2-3 s of CPU that holds the GIL most of the time, in a thread too (bench/RESULTS.md,
    session 12). The answer's bytes are rendered once per root path, in a thread (FastAPI's
    own route encodes the whole document on the loop on every request)."""
    generate = app.openapi
    rendered: dict[str, bytes] = {}  # root path → the document's bytes
    making = threading.Lock()  # one thread makes it; a second request waits for that one

    def openapi() -> dict[str, Any]:
        if not app.openapi_schema:
            if not _MADE:
                spec = generate()
                document_errors(spec)
                openapi_examples.document(spec)
                _MADE.append(spec)
            app.openapi_schema = copy.deepcopy(_MADE[0])
        return app.openapi_schema

    def render(root_path: str) -> bytes:
        with making:
            return rendered.get(root_path) or rendered.setdefault(root_path, made(root_path))

    def made(root_path: str) -> bytes:
        spec = openapi()
        servers = spec.get("servers", [])
        if root_path and app.root_path_in_servers and root_path not in {s.get("url") for s in servers}:
            spec = {**spec, "servers": [{"url": root_path}, *servers]}
        return bytes(JSONResponse(spec).body)

    async def openapi_json(request: Request) -> Response:
        body = await anyio.to_thread.run_sync(render, request.scope.get("root_path", "").rstrip("/"))
        return Response(body, media_type="application/json")

    app.openapi = openapi  # type: ignore[method-assign]
    app.router.routes[:] = [
        Route(app.openapi_url, openapi_json, include_in_schema=False)
        if app.openapi_url and isinstance(r, Route) and r.path == app.openapi_url
        else r
        for r in app.router.routes
    ]
