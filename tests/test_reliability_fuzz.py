"""Issues 9 and 22: Schemathesis against the app's own OpenAPI (in-process ASGI, admin token).

Every operation of /openapi.json gets generated requests, valid and invalid ones, with
`cuid` pinned to a seeded company and `{customer}` mostly to a seeded customer (so the
requests reach real data). For every response: no 5xx, its status is documented and it
conforms to its documented schema, content type and headers, and every error (4xx) is problem+json
(except /oauth/token, whose errors are RFC 6749 JSON by contract).

Bounded: FUZZ_EXAMPLES per operation (env CUSTREG_FUZZ_EXAMPLES, default below), no
shrinking time wasted on passing runs, deadline off. Figures: docs/RELIABILITY.md.
"""

import os
import uuid
from dataclasses import dataclass, field

import pytest
import schemathesis
from conftest import ADMIN, FUZZ_CUSTOMER, PG_URL
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from custreg.app import create_app
from custreg.settings import Settings

# CUSTREG_FUZZ_RANDOM=1: new cases every run (a soak); by default the same cases each run.
RANDOM = bool(os.environ.get("CUSTREG_FUZZ_RANDOM"))
FUZZ_EXAMPLES = int(os.environ.get("CUSTREG_FUZZ_EXAMPLES", "15" if not PG_URL else "8"))
# Known findings in other engineers' areas, kept out of the run until fixed
# (listed under "Open findings" in docs/RELIABILITY.md): {(METHOD, path)}.
KNOWN: set[tuple[str, str]] = set()
# Fixed: Billmate export of a number past BIGINT (now 422; e2dcdb7).
OAUTH = "/oauth/token"
FIVALDI = "/compat/fivaldi/"


@dataclass
class Seed:
    cuid: str = ""
    customer_number: int = 0
    customer_guid: str = ""
    spare: list[str] = field(default_factory=list)


SEED = Seed()


@pytest.fixture(scope="module")
def fuzz_schema(app, client):
    SEED.cuid = f"fuzz-{uuid.uuid4().hex[:8]}"
    r = client.post("/v1/companies", json={"cuid": SEED.cuid, "name": "Fuzz Oy", "countryCode": "FI"})
    assert r.status_code == 201, r.text
    url = f"/v1/companies/{SEED.cuid}/customers"
    r = client.post(url, json=FUZZ_CUSTOMER)
    assert r.status_code == 201, r.text
    SEED.customer_number = r.json()["customerNumber"]
    SEED.customer_guid = r.json()["customerGuid"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {ADMIN}"})
    schema.config.generation.update(modes=["positive", "negative"], allow_x00=True)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        params = dict(path_parameters or {})
        if "cuid" in params:
            params["cuid"] = SEED.cuid
        if "customer" not in params:
            return st.just(params)
        # Deletes aim elsewhere so that the seeded customer stays for the other operations.
        method = context.operation.method.upper() if context.operation else "GET"
        if method == "DELETE" and context.operation.path.endswith("{customer}"):
            return st.just(params)
        real = st.sampled_from([str(SEED.customer_number), SEED.customer_guid])
        return st.one_of(real, real, st.just(params["customer"])).map(lambda c: {**params, "customer": c})

    @schema.hook
    def flatmap_headers(context, headers):
        # The compatibility APIs name the company in X-Company: mostly the seeded one.
        headers = dict(headers or {})
        if "X-Company" not in headers and not context.operation.path.startswith("/compat/"):
            return st.just(headers)
        generated = headers.get("X-Company")
        return st.sampled_from([SEED.cuid, SEED.cuid, generated]).map(
            lambda cuid: (
                {**headers, "X-Company": cuid}
                if cuid is not None
                else {k: v for k, v in headers.items() if k != "X-Company"}
            )
        )

    return schema


def _operations() -> list[tuple[str, str]]:
    """Every operation of the OpenAPI, read at collection time (no database needed)."""
    spec = create_app(Settings(database_url="sqlite://", admin_token=ADMIN)).openapi()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    ]


OPERATIONS = _operations()


def problem_json_for_errors(ctx: CheckContext, response, case) -> bool | None:
    """Every error is RFC 9457 problem+json with type/title/status/detail (Fivaldi's API
    answers its vendor's `{status, message, errors}` by contract)."""
    if response.status_code < 400 or case.operation.path == OAUTH or case.operation.path.startswith(FIVALDI):
        return None
    ctype = response.headers.get("content-type", [""])
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    assert ctype.startswith("application/problem+json"), (
        f"{response.status_code} answered with {ctype!r}, not problem+json"
    )
    body = response.json()
    assert body.get("status") == response.status_code and body.get("title") and "detail" in body, body
    return None


def no_server_error(ctx: CheckContext, response, case) -> bool | None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    return None


CASES = [
    pytest.param(
        m,
        p,
        id=f"{m} {p}",
        marks=[pytest.mark.xfail(reason="open finding, see docs/RELIABILITY.md", strict=False)]
        if (m, p) in KNOWN
        else [],
    )
    for m, p in OPERATIONS
]


@pytest.mark.parametrize(("method", "path"), CASES)
def test_api_conforms(fuzz_schema, method, path):
    operation = fuzz_schema[path][method]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        STATS["examples"] += 1
        case.call_and_validate(checks=CHECKS)

    run()


# Issue 22's acceptance: these five checks of schemathesis over every operation, 0 failures.
CHECKS = [
    no_server_error,
    not_a_server_error,
    problem_json_for_errors,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
STATS = {"examples": 0}
