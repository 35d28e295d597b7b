"""After erasures: the bytes of erased values leave the database files (docs/privacy.md).

SQLite keeps deleted values in free pages, in the FTS index's older segments (a delete there is
a tombstone until the segments merge) and in the WAL until a checkpoint. PostgreSQL keeps dead
row versions until VACUUM. Whole-database work: an operator's command (`custreg compact`),
not part of a request."""

from sqlalchemy import text
from sqlalchemy.engine import Engine

from custreg.customers.search import FTS_TABLE

_OPTIMIZE = text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def compact(engine: Engine) -> None:
    """Merge the word index's segments, rewrite the file and empty the WAL (SQLite), or
    VACUUM (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(_OPTIMIZE)
        raw = engine.raw_connection()  # outside a transaction (the engine's begin event opens one)
        try:
            cursor = raw.cursor()
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
