"""Checking a webhook's signature, for receivers (docs/events.md). Standard library only, so
it can be copied as it is.

    from custreg.events.verify import verify
    verify(secret, request.headers["Custreg-Signature"], raw_body)  # raises SignatureError

The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>]`: each `v1` is
HMAC-SHA256(secret, f"{t}.{body}") with one of the endpoint's secrets (two while a rotated
secret is still valid)."""

import hashlib
import hmac
import time

HEADER = "Custreg-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The body was not signed with this secret, or the signature is too old."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` with `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> int:
    """Check `header` against the raw `body`; returns its timestamp. Raises SignatureError when
    no `v1` matches or the timestamp is more than `tolerance` seconds from now (replays)."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        raise SignatureError("no timestamp in the signature header")
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError("the signature's timestamp is outside the tolerance")
    expected = signature(secret, timestamp, body)
    if not any(k.strip() == "v1" and hmac.compare_digest(v.strip(), expected) for k, v in parts):
        raise SignatureError("no signature matches")
    return timestamp
