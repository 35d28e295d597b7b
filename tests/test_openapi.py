"""Issue 22: /openapi.json is usable by clients and generators: every operation declares
its path parameters (Swagger's "Try it out", openapi-python-client, schemathesis)."""

import collections
import re

import pytest
from conftest import ADMIN

from custreg.app import create_app
from custreg.settings import Settings

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(database_url="sqlite://", admin_token=ADMIN)).openapi()


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(m.upper(), p, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS]


def test_every_path_parameter_is_declared(spec):
    missing, extra, duplicated = [], [], []
    for method, path, op in operations(spec):
        in_path = re.findall(r"\{([^}]+)\}", path)
        declared = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        missing += [f"{method} {path}: {name}" for name in in_path if name not in declared]
        extra += [f"{method} {path}: {name}" for name in declared if name not in in_path]
        counts = collections.Counter((p["name"], p["in"]) for p in op.get("parameters", []))
        duplicated += [f"{method} {path}: {key}" for key, n in counts.items() if n > 1]
    assert not missing, f"{len(missing)} undeclared path parameters: {missing[:20]}"
    assert not extra and not duplicated, (extra, duplicated)


def test_path_parameters_are_required(spec):
    for method, path, op in operations(spec):
        for p in op.get("parameters", []):
            if p["in"] == "path":
                assert p["required"] is True, (method, path, p)


def test_path_parameters_are_described(spec):
    for method, path, op in operations(spec):
        for p in op.get("parameters", []):
            # The compatibility APIs keep their seeds' names; every parameter of custreg's own is described.
            if p["in"] == "path" and (p["name"] in ("cuid", "customer") or not path.startswith("/compat/")):
                assert p.get("description"), (method, path, p["name"])
    op = spec["paths"]["/v1/companies/{cuid}/customers/{customer}/addresses/{addressGuid}"]["put"]
    assert [p["description"] for p in op["parameters"] if p["name"] == "addressGuid"] == ["The address's GUID"]


OPERATION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
COMPAT_PREFIXES = {"fivaldi", "tehden", "billmate", "clvr", "connect"}


def test_operation_ids_are_readable_and_unique(spec):
    ids = [op.get("operationId", "") for _, _, op in operations(spec)]
    assert all(OPERATION_ID.match(i) for i in ids), [i for i in ids if not OPERATION_ID.match(i)]
    assert not [i for i in ids if "v1_companies" in i or "__" in i]
    assert len(ids) == len(set(ids)), [i for i, n in collections.Counter(ids).items() if n > 1]


def test_compat_operation_ids_carry_their_api(spec):
    for _, path, op in operations(spec):
        if path.startswith("/compat/"):
            api = path.split("/")[2]
            assert api in COMPAT_PREFIXES and op["operationId"].startswith(f"{api}_"), (path, op["operationId"])


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("post", "/v1/companies/{cuid}/customers", "customers_create"),
        ("get", "/v1/companies/{cuid}/customers", "customers_list"),
        ("get", "/v1/companies/{cuid}/customers/{customer}", "customers_get"),
        ("delete", "/v1/companies/{cuid}/customers", "customers_delete_many"),
        ("get", "/v1/companies/{cuid}/customers/{customer}/addresses", "addresses_list"),
        ("post", "/v1/companies/{cuid}/customers/{customer}/bank-accounts", "bank_accounts_create"),
        ("get", "/v1/companies/{cuid}/changes", "changes_list"),
        ("get", "/v1/companies/{cuid}/customers/export.csv", "transfer_export_csv"),
        ("post", "/compat/fivaldi/customer/api/companies/{cuid}/customers/createCustomer", "fivaldi_create_customer"),
    ],
)
def test_operation_ids_name_domain_and_action(spec, method, path, expected):
    assert spec["paths"][path][method]["operationId"] == expected


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves(spec):
    components = spec["components"]["schemas"]
    refs = set(_refs(spec))
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert not [r for r in refs if r.rsplit("/", 1)[1] not in components]


def test_component_names_and_titles_are_unique(spec):
    """Two models of one class name made module-qualified names (custreg__sync__routes__Change),
    and two components of one title (CodeItem-Input, CodeItem-Output) made generators drop
    every model using them: ChangesPage, BasicDetails, CustomerInfo."""
    components = spec["components"]["schemas"]
    assert not [name for name in components if "__" in name or name.endswith(("-Input", "-Output"))]
    titles = collections.Counter(schema.get("title", name) for name, schema in components.items())
    assert not [t for t, n in titles.items() if n > 1]
    for name in ("ChangesPage", "BasicDetails", "CustomerInfo", "FoundCustomer", "HistoryEntry", "InfoWrite"):
        assert name in components


def test_one_declared_tag_and_a_summary_per_operation(spec):
    declared = [t["name"] for t in spec["tags"]]
    assert len(declared) == len(set(declared)) and all(t.get("description") for t in spec["tags"])
    used = set()
    for method, path, op in operations(spec):
        assert len(op.get("tags", [])) == 1, (method, path, op.get("tags"))
        assert op["tags"][0] in declared, (method, path, op["tags"])
        used.add(op["tags"][0])
        summary = op.get("summary", "")
        assert summary.strip() and "\n" not in summary, (method, path, summary)
        assert not re.search(r"\ba [aeiou]", summary), (method, path, summary)
    assert used == set(declared), set(declared) ^ used


def test_each_compat_api_has_its_own_tag(spec):
    tags = collections.defaultdict(set)
    for _, path, op in operations(spec):
        if path.startswith("/compat/"):
            tags[path.split("/")[2]].update(op["tags"])
    assert set(tags) == COMPAT_PREFIXES
    assert all(len(t) == 1 for t in tags.values()) and len({next(iter(t)) for t in tags.values()}) == len(tags)
