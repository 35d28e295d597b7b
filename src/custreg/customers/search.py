"""`searchWord` backed by a real index: an FTS5 trigram table on SQLite, a pg_trgm GIN
index on PostgreSQL. Both index `customers.search_text` (folded names, numbers, contacts,
city), so matching is the same substring match on both engines; the FTS5 table is kept
in step by triggers, inside the transaction that writes the customer."""

from sqlalchemy import column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from custreg.customers.models import Customer
from custreg.text import fold

FTS_TABLE = "customers_fts"
TRGM_INDEX = "ix_customers_search_text_trgm"
# Objects the migrations create that the ORM metadata does not describe.
NON_METADATA = {FTS_TABLE, f"{FTS_TABLE}_data", f"{FTS_TABLE}_idx", f"{FTS_TABLE}_content",
                f"{FTS_TABLE}_docsize", f"{FTS_TABLE}_config", TRGM_INDEX}

SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='customers', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER customers_fts_au AFTER UPDATE OF search_text ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS customers_fts_ai", "DROP TRIGGER IF EXISTS customers_fts_ad",
               "DROP TRIGGER IF EXISTS customers_fts_au", f"DROP TABLE IF EXISTS {FTS_TABLE}"]
POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON customers USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {TRGM_INDEX}"]

_fts = table(FTS_TABLE, column("rowid"), column("search_text"))


def _like(word: str) -> ColumnElement:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Customer.search_text.like(f"%{escaped}%", escape="\\")


def conditions(search_word: str, dialect: str | None) -> list[ColumnElement]:
    """Every word must occur in the customer's folded search text."""
    words = fold(search_word).split()[:10]
    if dialect != "sqlite":  # PostgreSQL: pg_trgm's GIN index serves LIKE '%w%'
        return [_like(w) for w in words]
    long = [w for w in words if len(w) >= 3]  # a trigram index needs three characters
    out = [_like(w) for w in words if len(w) < 3]
    if long:
        query = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
        out.append(Customer.id.in_(select(_fts.c.rowid).where(text(f"{FTS_TABLE} MATCH :fts_query")
                                                             .bindparams(fts_query=query))))
    return out
