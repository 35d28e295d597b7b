"""Signed bearer tokens: client access tokens (ours, HS256) and end-user tokens (the
trusted identity provider's). Verifying either is pure CPU: no database round trip."""

import json
import re
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import jwt
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from custreg.access import scopes
from custreg.access.models import SigningKey
from custreg.settings import Settings

if TYPE_CHECKING:
    from jwt.algorithms import AllowedPublicKeys
    from jwt.types import Options

CUID = re.compile(r"[a-z0-9-]{1,40}")
ISSUER = "custreg"
AUDIENCE = "custreg-api"
ALGORITHM = "HS256"
LEEWAY = 10  # seconds of clock skew tolerated


class TokenError(Exception):
    """The token is not one we accept (bad signature, expired, wrong issuer, ...)."""


class SigningKeys:
    """The client-token key: CUSTREG_TOKEN_SIGNING_KEY, else one random key stored in the
    database on first use (the first worker to insert it wins; the others read it)."""

    def __init__(self, engine: Engine, configured: str | None) -> None:
        self._engine = engine
        self._key = configured
        self._lock = threading.Lock()

    def get(self) -> str:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = self._load_or_create()
        return self._key

    def _load_or_create(self) -> str:
        with Session(self._engine) as s:
            key = s.scalar(select(SigningKey.key).order_by(SigningKey.id).limit(1))
        if key is not None:
            return key
        try:
            with Session(self._engine) as s, s.begin():
                s.add(SigningKey(id=1, key=secrets.token_urlsafe(48)))
        except IntegrityError:  # another worker was first
            pass
        with Session(self._engine) as s:  # ours or the other worker's: there is one now
            return s.execute(select(SigningKey.key).order_by(SigningKey.id).limit(1)).scalar_one()


def issue_client_token(
    key: str, *, client_id: str, granted_scopes: list[str], companies: list[str], lifetime: int
) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client_id,
        "typ": "client",
        "scope": " ".join(sorted(granted_scopes)),
        "cuids": sorted(companies),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_client_token(key: str, token: str) -> dict:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except (jwt.PyJWTError, OverflowError) as exc:  # OverflowError: PyJWT's int() of an infinite date
        raise TokenError(_reason(exc)) from None
    if claims.get("typ") != "client" or not isinstance(claims.get("cuids"), list):
        raise TokenError("not a client access token")
    strict_claims(claims)
    if not isinstance(claims.get("scope"), str) or not all(isinstance(c, str) for c in claims["cuids"]):
        raise TokenError("invalid token")
    return claims


NUMERIC_DATES = ("exp", "iat", "nbf")
MAX_DATE = 2**53  # seconds; beyond it a NumericDate is not a time (and not a float)


def strict_claims(claims: dict) -> None:
    """The registered claims in the types RFC 7519 gives them: a NumericDate is a JSON
    number (PyJWT also takes a numeric string), `sub` a string."""
    for name in NUMERIC_DATES:
        value = claims.get(name)
        if name in claims and (
            isinstance(value, bool) or not isinstance(value, int | float) or not -MAX_DATE <= value <= MAX_DATE
        ):
            raise TokenError(f"invalid token: {name} is not a number")
    if not isinstance(claims.get("sub"), str):
        raise TokenError("invalid token: sub is not a string")


def _reason(exc: Exception) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "token expired"
    return "invalid token"


class IdentityProvider:
    """The one identity provider the deployment trusts for end-user tokens."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.idp_issuer
        self.audience = settings.idp_audience
        self.secret = settings.idp_hs256_secret
        self.company_claim = settings.idp_company_claim
        self._jwks: jwt.PyJWKSet | None = None
        if settings.idp_jwks_file:
            data = json.loads(Path(settings.idp_jwks_file).read_text())
            self._jwks = jwt.PyJWKSet.from_dict(data)

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and (self.secret or self._jwks))

    def _key_for(self, token: str) -> tuple["AllowedPublicKeys | str", list[str]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("invalid token") from None
        alg = header.get("alg")
        if alg == "HS256" and self.secret:
            return self.secret, ["HS256"]
        if self._jwks is not None and alg and alg != "none" and not alg.startswith("HS"):
            kid = header.get("kid")
            keys = [k for k in self._jwks.keys if kid is None or k.key_id == kid]
            if len(keys) == 1 or (keys and kid is not None):
                return keys[0].key, [alg]
        raise TokenError("invalid token")

    def verify(self, token: str) -> dict:
        if not self.enabled:
            raise TokenError("invalid token")
        key, algorithms = self._key_for(token)
        options: Options = {"require": ["exp", "sub", "iss"], "verify_aud": self.audience is not None}
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY,
                options=options,
            )
        except (jwt.PyJWTError, OverflowError) as exc:
            raise TokenError(_reason(exc)) from None
        strict_claims(claims)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip() or len(sub) > 255 or not sub.isprintable():
            raise TokenError("invalid token")
        company = claims.get(self.company_claim)
        if company is not None and not (isinstance(company, str) and CUID.fullmatch(company)):
            raise TokenError(f"invalid token: {self.company_claim} is not a company id")
        return claims

    def company_of(self, claims: dict) -> frozenset[str]:
        """The company the token names (its `company_claim`), or none."""
        company = claims.get(self.company_claim)
        return frozenset({company}) if company is not None else frozenset()

    def issue_dev_token(self, sub: str, lifetime: int = 3600) -> str:
        """A development user token (`custreg user-token`): needs the HS256 secret."""
        if not (self.issuer and self.secret):
            raise ValueError("set CUSTREG_IDP_ISSUER and CUSTREG_IDP_HS256_SECRET first")
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": sub, "iat": now, "exp": now + lifetime}
        if self.audience:
            claims["aud"] = self.audience
        return jwt.encode(claims, self.secret, algorithm="HS256")


SELF_SCOPES = frozenset({scopes.SELF})
