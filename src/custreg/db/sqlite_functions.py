"""SQL functions every SQLite connection of ours has."""

from custreg.text import fold


def _lower(value):
    # SQLite's built-in lower() folds ASCII only; PostgreSQL's folds all of Unicode.
    return value.lower() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _fold(value):
    return fold(value) if isinstance(value, str) else value


def register(dbapi_conn) -> None:
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
    dbapi_conn.create_function("upper", 1, _upper, deterministic=True)
    dbapi_conn.create_function("fold", 1, _fold, deterministic=True)
