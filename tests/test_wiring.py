"""Wiring (custreg.bootstrap, issue 20): importing a module registers nothing; the HTTP app
and the CLI both wire every domain's hooks, once, in the same order."""

import json
import subprocess
import sys

# Runs in a fresh interpreter: this test process has wired its apps already.
SCRIPT = """
import importlib, json, pkgutil, sys
import custreg

def snapshot():
    from custreg.customers import hooks, read
    from custreg.register import service as register
    name = lambda f: f if isinstance(f, str) else f"{f.__module__}.{f.__qualname__}"
    lists = {k: getattr(hooks, k) for k in ("APPLY", "CREATED", "TOUCH", "LOADERS", "NESTED", "COPIES", "EVENTS")}
    lists |= {"DETAIL_PARTS": read.DETAIL_PARTS, "SUB_RESOURCES": read.SUB_RESOURCES}
    out = {k: [name(f) for f in v] for k, v in lists.items()}
    out["USAGE_COUNTERS"] = sorted(register.USAGE_COUNTERS)
    return out

for m in pkgutil.walk_packages(custreg.__path__, "custreg."):
    if ".migrations" not in m.name and m.name != "custreg.main":  # main: the ASGI app itself
        importlib.import_module(m.name)
imported = snapshot()
if sys.argv[1] == "app":
    from custreg import bootstrap
    from custreg.app import create_app
    from custreg.settings import Settings
    bootstrap.wire()
    create_app(Settings(database_url="sqlite://"))
else:
    from typer.testing import CliRunner
    from custreg.cli import app
    assert CliRunner().invoke(app, ["user-token", "--help"]).exit_code == 0
print(json.dumps({"imported": imported, "wired": snapshot()}))
"""


def _registries(how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, how], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_imports_register_nothing_and_app_and_cli_wire_the_same():
    app, cli = _registries("app"), _registries("cli")
    imported = app["imported"]
    assert all(
        not imported[k]
        for k in ("APPLY", "CREATED", "TOUCH", "LOADERS", "NESTED", "COPIES", "EVENTS", "USAGE_COUNTERS")
    )
    assert imported["SUB_RESOURCES"] == ["addresses"] and len(imported["DETAIL_PARTS"]) == 1
    assert cli["imported"] == imported
    wired = app["wired"]
    assert cli["wired"] == wired
    # wire() and then create_app() (which wires too): each hook is there once.
    for k, names in wired.items():
        if k != "NESTED":  # three hooks made by records.nested_create share one name
            assert len(names) == len(set(names)), k
    assert len(wired["NESTED"]) == 3
    assert "custreg.relations.service.refuse_parent_cycle" in wired["APPLY"]
    assert "custreg.access.selfservice.on_created" in wired["CREATED"]
    assert wired["COPIES"] == ["custreg.sync.lines.StoredLines"]
    assert "custreg.relations.service.touch_relations_of_deleted" in wired["TOUCH"]
    assert wired["SUB_RESOURCES"][:3] == ["addresses", "bank-accounts", "contacts"]
    assert set(wired["USAGE_COUNTERS"]) == {"externalSystems", "addressTypes", "relationRoles", "consentChannels"}
