"""The quick start of docs/api.md stays true: its Python blocks (the fenced ```python ones,
in order, as one script) run against a live server on a fresh register and complete."""

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ADMIN
from sync_util import live_server

from custreg.db.migrate import upgrade

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "api.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def quick_start_code() -> str:
    blocks = PYTHON_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 7, f"expected the quick start's Python blocks in {GUIDE}, found {len(blocks)}"
    return "\n".join(blocks)


def test_quick_start_code_compiles():
    compile(quick_start_code(), str(GUIDE), "exec")


def test_quick_start_runs_against_a_live_server(tmp_path):
    # A register of its own: the guide creates company `acme` and expects customer number 1.
    url = f"sqlite:///{tmp_path / 'guide.db'}"
    upgrade(url)
    script = tmp_path / "quick_start.py"
    script.write_text(quick_start_code(), encoding="utf-8")
    with live_server(url) as base:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(BASE=base, CUSTREG_ADMIN_TOKEN=ADMIN)
        done = subprocess.run(
            [sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
    assert done.returncode == 0, f"the quick start failed:\n{done.stdout}\n{done.stderr}"
