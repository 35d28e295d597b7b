"""Signing secrets: made, encrypted at rest (access/secret_box.py: Fernet, a key from
settings or a key file of their own) and used to sign a delivery's body (verify.py says how
receivers check it)."""

import secrets
import time
from datetime import datetime

from custreg.access import secret_box
from custreg.events.verify import signature
from custreg.settings import Settings

KEY_FILE = "webhook-secrets.key"  # in the data directory, when CUSTREG_WEBHOOK_SECRET_KEY is unset
PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class Secrets:
    """Encrypts and decrypts the endpoints' signing secrets with the deployment's key
    (`CUSTREG_WEBHOOK_SECRET_KEY`, else its own key file: access/secret_box.py's box)."""

    def __init__(self, settings: Settings) -> None:
        self._box = secret_box.box(settings.webhook_secret_key, settings.data_dir / KEY_FILE)

    def seal(self, secret: str) -> str:
        return self._box.seal(secret)

    def open(self, sealed: str) -> str:
        opened = self._box.open(sealed)
        if opened is None:
            raise RuntimeError("a webhook secret does not open with this key (CUSTREG_WEBHOOK_SECRET_KEY)")
        return opened


def header(secrets_: list[str], body: bytes, now: float | None = None) -> str:
    """`t=<unix seconds>,v1=<hex>` with one `v1` per secret (two during a rotation's overlap)."""
    t = int(time.time() if now is None else now)
    return ",".join([f"t={t}", *(f"v1={signature(s, t, body)}" for s in secrets_)])


def signing_secrets(box: Secrets, secret: str, old: str | None, old_until: datetime | None, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the old one until its overlap ends."""
    keys = [box.open(secret)]
    if old is not None and old_until is not None and old_until > now:
        keys.append(box.open(old))
    return keys
