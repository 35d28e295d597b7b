"""`custreg compact` and `custreg duplicates` (registered by custreg.cli)."""

from custreg.cli.common import console, database_url
from custreg.db.migrate import upgrade
from custreg.db.session import Database
from custreg.settings import get_settings


def _database() -> Database:
    url = database_url()
    upgrade(url)
    return Database.from_url(url, busy_timeout_ms=get_settings().sqlite_busy_timeout_ms)


def compact_cmd() -> None:
    """After erasures: merge the search index, VACUUM and empty the WAL (SQLite), or VACUUM
    (PostgreSQL), so erased values leave the database files (docs/privacy.md)."""
    from custreg.privacy import compact

    db = _database()
    try:
        compact.compact(db.engine)
    finally:
        db.engine.dispose()
    console.print("[green]database compacted[/green]")


def register(app) -> None:
    app.command("compact")(compact_cmd)
