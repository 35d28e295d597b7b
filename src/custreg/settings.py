"""Settings from the environment (`CUSTREG_*`)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTREG_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./custreg.db", description="SQLAlchemy URL; sqlite:///file or postgresql+psycopg://..."
    )
    admin_token: str | None = Field(None, description="Bootstrap admin bearer token")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # How sync endpoint code runs: "inline" on the event loop (fastest, measured in
    # docs/concurrency.md) or "thread" in the threadpool.
    db_execution: Literal["inline", "thread"] = "inline"
    sqlite_busy_timeout_ms: int = 10000
    max_body_bytes: int = 5 * 1024 * 1024
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
