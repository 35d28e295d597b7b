"""One signed POST, as every outbound call of custreg makes it: the URL checked again
(safety.py: a name may resolve elsewhere later), the body signed (`Custreg-Signature`,
verify.py), no redirects followed, a timeout, the answer read up to a limit. The webhook
deliveries (worker.py) and the company's services (custom_services/) both send this way."""

import time
from dataclasses import dataclass

import httpx

from custreg.events import pinned, safety, signing
from custreg.events.verify import HEADER
from custreg.settings import Settings

USER_AGENT = "custreg-webhooks/1"


@dataclass(slots=True)
class Answer:
    status_code: int | None  # None: no answer (refused, timed out, connection failed)
    body: bytes  # at most the limit
    truncated: bool  # the answer was longer than the limit
    duration_ms: int
    error: str | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def client(settings: Settings, *, max_connections: int = 16) -> httpx.Client:
    """The HTTP client of outbound calls: the deployment's timeout, redirects not followed,
    each connection made to the address that was resolved and checked (pinned.py)."""
    return httpx.Client(
        follow_redirects=False,
        timeout=settings.webhook_timeout_seconds,
        headers={"User-Agent": USER_AGENT},
        transport=pinned.PinnedTransport(allow_private=settings.webhook_allow_private, max_connections=max_connections),
    )


def post(
    http: httpx.Client,
    url: str,
    body: bytes,
    signers: list[str],
    *,
    allow_private: bool,
    limit: int,
    headers: dict[str, str] | None = None,
) -> Answer:
    """POST `body` to `url` signed with `signers`; read at most `limit` bytes of the answer."""
    started = time.monotonic()
    try:
        safety.check(url, allow_private=allow_private)
        sent = {"Content-Type": "application/json", HEADER: signing.header(signers, body), **(headers or {})}
        with http.stream("POST", url, content=body, headers=sent) as r:
            kept = bytearray()
            truncated = False
            for chunk in r.iter_raw():
                kept += chunk
                if len(kept) > limit:
                    truncated = True
                    break
            return Answer(r.status_code, bytes(kept[:limit]), truncated, _ms(started))
    except safety.UnsafeUrl as exc:
        return Answer(None, b"", False, _ms(started), f"refused: {exc}")
    except httpx.TimeoutException as exc:
        return Answer(None, b"", False, _ms(started), f"{type(exc).__name__}: timed out"[:500], timed_out=True)
    except httpx.HTTPError as exc:
        return Answer(None, b"", False, _ms(started), f"{type(exc).__name__}: {exc}"[:500])


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
