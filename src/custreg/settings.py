"""Settings from the environment (`CUSTREG_*`)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from custreg import limits

DATABASE_FILE = "custreg.db"  # the default database's file in the data directory


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/custreg`, else `~/.local/share/custreg`: the same folder wherever a
    command runs from (a register never depends on the current directory)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share") / "custreg"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTREG_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the default SQLite database (custreg.db); made when first used",
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; sqlite:///file or postgresql+psycopg://...; default: custreg.db in data_dir"
    )
    admin_token: str | None = Field(None, description="Bootstrap admin bearer token")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    db_execution: Literal["auto", "thread"] = Field(
        "auto",
        description="Where a request's unit of work runs (db/execution.py, docs/concurrency.md): "
        "`auto` runs reads in the reader lanes (4 threads) and writes in the writer lane, one at a time; "
        "`thread` runs every unit in the threadpool",
    )
    # uvicorn's event loop. asyncio, not uvloop: with endpoints running inline, uvloop
    # served the 32 clients of a saturated worker unevenly (p99 3-5x asyncio's at about the
    # same req/s; docs/concurrency.md).
    loop: Literal["asyncio", "uvloop", "auto"] = "asyncio"
    sqlite_busy_timeout_ms: int = Field(
        10000,
        ge=1,
        description="How long a write waits for a lock before it is answered 503 with Retry-After: "
        "SQLite's busy timeout, and PostgreSQL's lock_timeout too (docs/limits.md)",
    )
    max_body_bytes: int = 5 * 1024 * 1024
    max_json_body_bytes: int = Field(
        1024 * 1024,
        description="A JSON body's limit (the smaller of this and CUSTREG_MAX_BODY_BYTES): JSON is "
        "decoded on the event loop, about 0.1-0.5 s per 5 MiB of small tokens (docs/limits.md)",
    )
    log_level: str = "info"
    access_log: bool = Field(
        True,
        description="One line per request on the `custreg.access` logger (method, route template, "
        "status, duration, request id, client); docs/operations.md",
    )

    # Sync, export and import (docs/sync.md, docs/export.md)
    audit_retention_days: int | None = Field(
        None, ge=1, description="`custreg prune` deletes audit entries older than this many days; unset: kept for ever"
    )
    change_retention_days: int = Field(
        30,
        ge=1,
        description="`custreg prune` compacts the change feed: superseded entries and "
        "tombstones older than this many days are removed (the latest entry of every live "
        "customer is kept)",
    )
    idempotency_ttl_hours: int = Field(
        24, ge=1, description="How long an Idempotency-Key and its first response are kept"
    )
    import_max_bytes: int = Field(
        1024 * 1024 * 1024, ge=1, description="Largest CSV body POST /customers/import accepts"
    )
    import_max_rows: int = Field(
        limits.MAX_IMPORT_ROWS, ge=1, description="Most data rows one POST /customers/import takes (docs/limits.md)"
    )

    # Access control (docs/access.md)
    redis_url: str | None = Field(
        None,
        description="Redis URL (redis://host:6379/0); when set, rate limits are shared "
        "by every worker through it; otherwise each process keeps its own",
    )
    token_lifetime_seconds: int = Field(
        900, ge=30, le=86400, description="Lifetime of access tokens from POST /oauth/token"
    )
    secret_key: str | None = Field(
        None,
        description="Fernet key(s), comma-separated, encrypting API client secrets at rest (the first "
        "encrypts, each decrypts); when unset, the key file secret.key in data_dir, made on first use",
    )
    token_signing_key: str | None = Field(
        None,
        description="HS256 key signing client access tokens; when unset, a random key is "
        "generated on first use and stored in the database, so every worker shares it",
    )
    rate_limit_per_second: float = Field(
        50.0,
        ge=0,
        description="Sustained requests per second per API client or user "
        "(token bucket refill); 0 turns rate limiting off",
    )
    rate_limit_burst: int = Field(100, ge=1, description="Token bucket size: requests a client may make at once")
    token_rate_limit_per_second: float = Field(
        1.0, ge=0, description="POST /oauth/token: sustained requests per second per client id; 0 = off"
    )
    token_rate_limit_burst: int = Field(20, ge=1, description="POST /oauth/token: bucket size per client id")
    token_address_rate_limit_per_second: float = Field(
        10.0, ge=0, description="POST /oauth/token: sustained requests per second per source address; 0 = off"
    )
    token_address_rate_limit_burst: int = Field(
        100, ge=1, description="POST /oauth/token: bucket size per source address"
    )
    idp_issuer: str | None = Field(
        None,
        description="Issuer (`iss`) of the trusted identity provider's user tokens; "
        "self-service (/v1/customer/info) is off when unset",
    )
    idp_audience: str | None = Field(
        None, description="Audience (`aud`) user tokens must carry; not checked when unset"
    )
    idp_hs256_secret: str | None = Field(
        None, description="Shared HS256 secret of the identity provider (or use idp_jwks_file)"
    )
    idp_company_claim: str = Field(
        "cuid",
        min_length=1,
        max_length=100,
        description="Claim of a user token naming the company (cuid) whose customer the user is; "
        "without it, the company that attached the user id first (docs/access.md)",
    )
    idp_jwks_file: str | None = Field(
        None, description="Path of a JWKS file with the identity provider's public keys (RS256/ES256/EdDSA user tokens)"
    )

    # Events and webhooks (docs/events.md)
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook URLs on loopback, private, link-local or metadata addresses, "
        "and plain http (tests, a receiver on the same host)",
    )
    webhook_secret_key: str | None = Field(
        None,
        description="Key (urlsafe base64 of 32 bytes, `Fernet.generate_key()`) that encrypts the "
        "webhook signing secrets at rest; when unset, a key made on first use is kept in "
        "`data_dir/webhook-secrets.key`",
    )
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=60, description="Time a delivery POST may take")
    webhook_retry_base_seconds: float = Field(
        10.0, gt=0, description="First retry delay; each further retry doubles it (with jitter)"
    )
    webhook_retry_max_seconds: float = Field(4 * 3600.0, gt=0, description="Longest delay between two tries")
    webhook_retry_window_hours: float = Field(
        72.0, gt=0, description="A delivery is given up this long after its event"
    )
    webhook_disable_after: int = Field(
        200, ge=1, description="Consecutive failed tries that disable an endpoint (the reason is recorded)"
    )
    event_retention_days: int = Field(
        30, ge=0, description="`custreg prune` removes events and finished deliveries older than this (replay's reach)"
    )
    worker_concurrency: int = Field(8, ge=1, le=64, description="Deliveries one `custreg worker` sends at once")
    worker_poll_seconds: float = Field(0.5, gt=0, description="How often an idle worker looks for work")
    worker_lease_seconds: float = Field(
        60.0, gt=0, description="A claimed delivery is another worker's after this long (a worker that died)"
    )
    serve_worker: bool = Field(True, description="`custreg serve` starts one `custreg worker` beside the API")
    events_amqp_url: str | None = Field(
        None, description="RabbitMQ URL (amqp://user:pass@host:5672/vhost): events are published there too"
    )
    events_amqp_exchange: str = Field("custreg.events", description="The topic exchange events are published to")

    @model_validator(mode="after")
    def _default_database(self) -> "Settings":
        self.data_dir = self.data_dir.expanduser().absolute()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / DATABASE_FILE}"
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
