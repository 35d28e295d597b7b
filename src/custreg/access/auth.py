"""Who is calling: bearer tokens turned into a Principal."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt
from sqlalchemy import Engine, select

from custreg.access import scopes
from custreg.access.models import AdminCredential
from custreg.access.tokens import ISSUER, SELF_SCOPES, IdentityProvider, SigningKeys, TokenError, verify_client_token
from custreg.errors import Unauthorized
from custreg.settings import Settings


@dataclass(frozen=True)
class Principal:
    kind: str  # "admin" | "client" | "user"
    subject: str
    scopes: frozenset[str]
    companies: frozenset[str] | None  # None: every company
    rate_limited: bool = True

    def allows_company(self, cuid: str) -> bool:
        return self.companies is None or cuid in self.companies


ADMIN = Principal("admin", "admin", scopes.ALL, None, rate_limited=False)
VERIFIED_CACHE_SIZE = 10_000


def hash_token(token: str) -> str:
    # Tokens are 256-bit random values: a fast hash is enough, a KDF adds nothing.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Authenticator:
    """Checks bearer tokens. The stored admin hash is re-read at most once a second
    on a miss, so a token rotated by the CLI works without a restart."""

    def __init__(self, engine: Engine, admin_token: str | None, settings: Settings | None = None) -> None:
        settings = settings or Settings(admin_token=admin_token)
        self._engine = engine
        self._env_hash = hash_token(admin_token) if admin_token else None
        self._stored: set[str] = set()
        self._loaded_at = 0.0
        self.keys = SigningKeys(engine, settings.token_signing_key)
        self._verified: dict[str, tuple[Principal, float]] = {}  # token → (principal, exp)
        self.idp = IdentityProvider(settings)

    def _stored_hashes(self, refresh: bool) -> set[str]:
        if refresh and time.monotonic() - self._loaded_at > 1.0:
            with self._engine.connect() as conn:
                self._stored = set(conn.scalars(select(AdminCredential.token_hash)))
            self._loaded_at = time.monotonic()
        return self._stored

    def _is_admin(self, token: str) -> bool:
        digest = hash_token(token)
        if self._env_hash is not None:
            return hmac.compare_digest(digest, self._env_hash)
        if any(hmac.compare_digest(digest, h) for h in self._stored_hashes(False)):
            return True
        return any(hmac.compare_digest(digest, h) for h in self._stored_hashes(True))

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise _unauthorized("Missing bearer token")
        if token.count(".") == 2:  # a JWT: ours (client) or the identity provider's (user)
            return self._from_jwt(token)
        if self._is_admin(token):
            return ADMIN
        raise _unauthorized("Invalid bearer token")

    def _from_jwt(self, token: str) -> Principal:
        # Verifying a signature costs more than the rest of a small GET; a token verified once
        # is remembered until it expires. (Revocation is checked per request regardless.)
        hit = self._verified.get(token)
        if hit is not None and hit[1] > time.time():
            return hit[0]
        principal, expires = self._verify_jwt(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify_jwt(self, token: str) -> tuple[Principal, float]:
        if self._env_hash is not None and self._is_admin(token):
            return ADMIN, float("inf")
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            if issuer == ISSUER:
                claims = verify_client_token(self.keys.get(), token)
                return Principal(
                    "client", claims["sub"], frozenset(claims["scope"].split()), frozenset(claims["cuids"])
                ), float(claims["exp"])
            if self.idp.enabled and issuer == self.idp.issuer:
                claims = self.idp.verify(token)
                # A user's companies: the one its token names, or none (selfservice.py decides).
                companies = self.idp.company_of(claims)
                return Principal("user", claims["sub"], SELF_SCOPES, companies), float(claims["exp"])
        except TokenError as exc:
            raise _unauthorized(f"Invalid bearer token: {exc}") from None
        except (jwt.PyJWTError, AttributeError, TypeError, ValueError):
            pass
        if self._is_admin(token):  # a stored admin token that happens to look like a JWT
            return ADMIN, time.time() + 1.0
        raise _unauthorized("Invalid bearer token")


def _unauthorized(detail: str) -> Unauthorized:
    err = Unauthorized(detail)
    err.headers["WWW-Authenticate"] = "Bearer"
    return err
