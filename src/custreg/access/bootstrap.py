"""The bootstrap admin token: created on first start when none is configured."""

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from custreg.access.auth import hash_token, new_token
from custreg.access.models import AdminCredential


def has_stored_token(engine: Engine) -> bool:
    with Session(engine) as s:
        return s.scalar(select(AdminCredential.id).limit(1)) is not None


def rotate(engine: Engine) -> str:
    """Replace any stored admin token with a new random one; returns it (shown once)."""
    token = new_token()
    with Session(engine) as s, s.begin():
        s.execute(delete(AdminCredential))
        s.add(AdminCredential(token_hash=hash_token(token)))
    return token
