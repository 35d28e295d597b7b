"""The route class of every API router: each endpoint runs as one unit of work
(db/execution.py), and every creating POST honours Idempotency-Key (db/idempotency.py)."""

from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute

from custreg.db import idempotency
from custreg.db.execution import transactional, writes


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Every creating POST (201) honours Idempotency-Key: db/idempotency.py.
        bind = None
        if idempotency.applies(endpoint, kwargs):
            wrapped, bind = idempotency.wrap(endpoint, kwargs)
        else:
            wrapped = transactional(endpoint, write=writes(kwargs.get("methods")))
        super().__init__(path, wrapped, **kwargs)
        if bind is not None:
            bind(self)
