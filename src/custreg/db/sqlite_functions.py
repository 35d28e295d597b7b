"""SQL functions every SQLite connection of ours has; stdlib only, so that the export's
reading process (sync/export_reader.py) can register them without loading SQLAlchemy."""


def _lower(value):
    # SQLite's built-in lower() folds ASCII only; PostgreSQL's folds all of Unicode.
    return value.lower() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _fold(value):
    from custreg.text import fold

    return fold(value) if isinstance(value, str) else value


def _export_cell(i, value):
    # The export's converter of column i where SQL's string functions cannot copy the
    # stored value (sync/export.py); on every connection, because (re)defining a function
    # expires the connection's prepared statements.
    from custreg.sync.export import sqlite_cell_text

    return sqlite_cell_text(i, value)


def register(dbapi_conn) -> None:
    dbapi_conn.create_function("custreg_export_cell", 2, _export_cell, deterministic=True)
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
    dbapi_conn.create_function("upper", 1, _upper, deterministic=True)
    dbapi_conn.create_function("fold", 1, _fold, deterministic=True)
