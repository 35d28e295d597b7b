"""`python -m custreg.cli`: the `custreg` command."""

import os
import sys

from custreg.cli import app

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(app())
