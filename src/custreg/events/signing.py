"""Signing secrets: made, encrypted at rest (Fernet, a key from settings or a key file) and
used to sign a delivery's body (verify.py says how receivers check it)."""

import os
import secrets
import time
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from custreg.events.verify import signature
from custreg.settings import Settings

KEY_FILE = "webhook-secrets.key"  # in the data directory, when CUSTREG_WEBHOOK_SECRET_KEY is unset
PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class Secrets:
    """Encrypts and decrypts the endpoints' signing secrets with the deployment's key."""

    def __init__(self, settings: Settings) -> None:
        key = settings.webhook_secret_key or _key_file(settings.data_dir / KEY_FILE)
        self._fernet = Fernet(key.encode() if isinstance(key, str) else key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise RuntimeError("a webhook secret does not open with this key (CUSTREG_WEBHOOK_SECRET_KEY)") from None


def _key_file(path: Path) -> bytes:
    """The key in `path`, made (mode 0600) on first use."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


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
