"""Per-client rate limits: a token bucket (rate per second, burst), in this process by
default, or in Redis (one atomic Lua script per request) when CUSTREG_REDIS_URL is set,
so every worker draws from the same bucket. Each draw also tells what is left, for the
RateLimit-* headers of the answer (IETF draft-ietf-httpapi-ratelimit-headers)."""

import logging
import math
import threading
import time
from typing import NamedTuple

import redis

from custreg.settings import Settings

log = logging.getLogger("custreg.ratelimit")

# KEYS[1] bucket; ARGV rate/s, burst. Uses the server clock so workers agree.
# Returns {allowed (1|0), milliseconds until one token is available, whole tokens left,
# milliseconds until the bucket is full}.
_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait, math.floor(tokens), math.ceil((burst - tokens) * 1000 / rate)}
"""


class Quota(NamedTuple):
    """One draw from a bucket."""

    wait: float  # 0 when this request is allowed, else seconds until one would be
    remaining: int  # whole requests left now
    reset: float  # seconds until the bucket is full again

    def headers(self, limit: int) -> list[tuple[bytes, bytes]]:
        """RateLimit-Limit (the burst), -Remaining, -Reset (whole seconds until full)."""
        return [
            (b"ratelimit-limit", b"%d" % limit),
            (b"ratelimit-remaining", b"%d" % self.remaining),
            (b"ratelimit-reset", b"%d" % math.ceil(self.reset)),
        ]


class LocalBuckets:
    """Token buckets of this process."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else seconds until a request would be."""
        return self.draw(key).wait

    def draw(self, key: str) -> Quota:
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._buckets.get(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - ts) * self.rate)
            if tokens >= 1:
                tokens -= 1
                self._buckets[key] = (tokens, now)
                if len(self._buckets) > 100_000:  # forget idle buckets (full ones)
                    self._prune(now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
        return Quota(wait, int(tokens), (self.burst - tokens) / self.rate)

    def _prune(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}


class RedisBuckets:
    """Token buckets shared by every worker through Redis. If Redis does not answer, the
    request is limited by this process's buckets instead (logged), never refused."""

    def __init__(self, url: str, rate: float, burst: int, prefix: str = "custreg:rl:") -> None:
        self.rate, self.burst, self.prefix = rate, burst, prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_LUA)
        self._fallback = LocalBuckets(rate, burst)
        self._warned_at = 0.0

    def take(self, key: str) -> float:
        return self.draw(key).wait

    def draw(self, key: str) -> Quota:
        try:
            allowed, wait_ms, left, full_ms = self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except Exception as exc:  # redis down: keep serving, limited per process
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                log.warning("rate limit store unavailable (%s); limiting per process", type(exc).__name__)
            return self._fallback.draw(key)
        return Quota(0.0 if int(allowed) else int(wait_ms) / 1000, int(left), int(full_ms) / 1000)

    def close(self) -> None:
        self._redis.close()


class RateLimiter:
    def __init__(self, rate: float, burst: int, redis_url: str | None) -> None:
        self.enabled = rate > 0
        self.limit = burst
        self._buckets = (
            (RedisBuckets(redis_url, rate, burst) if redis_url else LocalBuckets(rate, burst)) if self.enabled else None
        )

    def check(self, key: str) -> int | None:
        """None when allowed, else the Retry-After in whole seconds (at least 1)."""
        quota = self.draw(key)
        return None if quota is None else retry_after(quota)

    def draw(self, key: str) -> Quota | None:
        """This request's draw from `key`'s bucket; None when limits are off."""
        return None if self._buckets is None else self._buckets.draw(key)

    def close(self) -> None:
        if isinstance(self._buckets, RedisBuckets):
            self._buckets.close()


def retry_after(quota: Quota) -> int | None:
    """None when the draw was allowed, else the Retry-After in whole seconds (at least 1)."""
    return None if quota.wait <= 0 else max(1, math.ceil(quota.wait))


class TokenEndpointLimits:
    """POST /oauth/token's own buckets (each attempt costs an argon2 verification): one per
    source address, drawn first, and one per client id asked for, known or not."""

    def __init__(self, settings: Settings) -> None:
        self.by_address = RateLimiter(
            settings.token_address_rate_limit_per_second, settings.token_address_rate_limit_burst, settings.redis_url
        )
        self.by_client = RateLimiter(
            settings.token_rate_limit_per_second, settings.token_rate_limit_burst, settings.redis_url
        )

    def check_address(self, address: str) -> int | None:
        """None when allowed, else the Retry-After in whole seconds."""
        return self.by_address.check("oauth-address:" + address)

    def check_client(self, client_id: str) -> int | None:
        return self.by_client.check("oauth-client:" + client_id[:64])

    def close(self) -> None:
        for limiter in (self.by_address, self.by_client):
            limiter.close()
