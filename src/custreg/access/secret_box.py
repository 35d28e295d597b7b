"""API client secrets encrypted at rest, for the callers that must recover them (the Fivaldi
HMAC signature is keyed by the client secret: compat/fivaldi/auth.py).

Fernet (AES-128-CBC + HMAC-SHA256). The keys come from `CUSTREG_SECRET_KEY` (one or more
Fernet keys, comma-separated: the first encrypts, every one decrypts, so a key is rotated by
putting the new one first), else from the key file `secret.key` in the data directory,
made on first use (mode 0600). docs/compat.md, "Key rotation".
"""

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from custreg.settings import Settings

KEY_FILE = "secret.key"


class SecretBox:
    def __init__(self, keys: list[bytes]) -> None:
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The secret, or None when no key of this box opens it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None

    def rotate(self, sealed: str) -> str:
        """`sealed` re-encrypted with the first key (InvalidToken when no key opens it)."""
        return self._fernet.rotate(sealed.encode()).decode()


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
    except FileExistsError:  # another worker made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
    return key


@lru_cache(maxsize=8)
def box(keys: str | None, key_file: Path) -> SecretBox:
    """The box of `keys` (Fernet keys, comma-separated: the first encrypts), else of the key
    in `key_file`, made on first use. Webhook and service secrets use one of their own
    (events/signing.py)."""
    if keys:
        return SecretBox([k.strip().encode() for k in keys.split(",") if k.strip()])
    return SecretBox([_key_file(key_file)])


def for_settings(settings: Settings) -> SecretBox:
    """API client secrets' box: `CUSTREG_SECRET_KEY`, else `secret.key` in the data directory."""
    return box(settings.secret_key, settings.data_dir / KEY_FILE)
