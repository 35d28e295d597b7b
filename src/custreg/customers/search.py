"""`searchWord`: every term of the query must be the start of a word of the customer
(docs/customers.md, "searchWord"). `document_text` writes `customers.search_text`: the
number and the folded values, two spaces, then the words; `terms` cuts a query the same
way; SQLite answers from the FTS5 table `customers_fts`, PostgreSQL from the words table
`customer_words`, both kept by triggers in the writing transaction."""

import re
from collections.abc import Sequence
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata
from sqlalchemy import Boolean, bindparam, column, intersect, literal, select, table
from sqlalchemy import text as sql
from sqlalchemy.sql.elements import ColumnElement

from custreg.customers.models import Customer
from custreg.errors import BadRequest
from custreg.limits import MAX_SEARCH_TERMS, too_complex
from custreg.text import fold

FTS_TABLE = "customers_fts"
OLD_TRGM_INDEX = "ix_customers_search_text_trgm"  # 0007; kept on PostgreSQL for lookups' LIKE
TSV_INDEX = "ix_customers_search_words"
# Objects the migrations create that the ORM metadata does not describe.
NON_METADATA = {
    FTS_TABLE,
    f"{FTS_TABLE}_data",
    f"{FTS_TABLE}_idx",
    f"{FTS_TABLE}_content",
    f"{FTS_TABLE}_docsize",
    f"{FTS_TABLE}_config",
    OLD_TRGM_INDEX,
    TSV_INDEX,
    "customer_words",
}

# The FTS rowid of a customer: company, excluded flag and number in one 64-bit integer.
NUMBER_BITS = 40  # customer numbers below 2^40 (they count from 1 per company)
EXCLUDED_BIT = 1 << NUMBER_BITS
COMPANY_SHIFT = NUMBER_BITS + 1  # company ids below 2^22
NUMBER_MASK = EXCLUDED_BIT - 1

_KEY = (
    f"(({{r}}.company_id << {COMPANY_SHIFT}) + (CASE WHEN {{r}}.excluded THEN {EXCLUDED_BIT} "
    f"ELSE 0 END) + {{r}}.customer_number)"
)
_COLS = "excluded, customer_number, company_id, search_text"
SEPARATOR = "  "  # between the folded values and the words (fold() leaves single spaces)
# The words of a row: its number, then what follows the separator.
_WORDS = (
    "({r}.customer_number || CASE WHEN instr({r}.search_text, '  ') > 0 THEN "
    "' ' || substr({r}.search_text, instr({r}.search_text, '  ') + 2) ELSE '' END)"
)
# 0007's trigram table, replaced by 0010 (kept here for 0007's upgrade and 0010's downgrade).
TRIGRAM_DDL = [
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
TRIGRAM_POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {OLD_TRGM_INDEX} ON customers USING gin (search_text gin_trgm_ops)",
]
# The names 0007 uses.
SQLITE_DDL, POSTGRES_DDL = TRIGRAM_DDL, TRIGRAM_POSTGRES_DDL
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {OLD_TRGM_INDEX}"]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_fts_ai",
    "DROP TRIGGER IF EXISTS customers_fts_ad",
    "DROP TRIGGER IF EXISTS customers_fts_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
# 0010's word index. A contentless table: a 'delete' names the indexed text again, which
# the triggers take from the old row (the text and the key are functions of the row).
WORDS_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='', detail=none, "
    "tokenize='ascii', "
    "prefix='1 2 3 4 5 6 7 8 9 10 11 12')",
    f"CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES ({_KEY.format(r='new')}, {_WORDS.format(r='new')}); END",
    f"CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', {_KEY.format(r='old')}, {_WORDS.format(r='old')}); END",
    f"CREATE TRIGGER customers_fts_au AFTER UPDATE OF {_COLS} ON customers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', {_KEY.format(r='old')}, {_WORDS.format(r='old')}); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES ({_KEY.format(r='new')}, {_WORDS.format(r='new')}); END",
]
WORDS_FILL = [
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
    f"SELECT {_KEY.format(r='customers')}, {_WORDS.format(r='customers')} FROM customers",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')",
]  # one b-tree per index
_ADD_WORDS = (
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
    f"SELECT {_KEY.format(r='customers')}, {_WORDS.format(r='customers')} FROM customers WHERE id >= ?"
)


def add_words(conn, first_id: int) -> None:
    """SQLite: index the words of the customers from `first_id` on, written while the insert
    trigger was dropped (sync/bulk.py `LargeLoad`)."""
    conn.exec_driver_sql(_ADD_WORDS, (first_id,))


# 0010's GIN index of the words as a tsvector (replaced by WORDS_TABLE in 0012).
PG_WORDS = (
    "array_to_tsvector(string_to_array(btrim(customers.customer_number::text || ' ' || "
    "split_part(customers.search_text, '  ', 2)), ' '))"
)
WORDS_POSTGRES_DDL = [f"CREATE INDEX IF NOT EXISTS {TSV_INDEX} ON customers USING gin ({PG_WORDS})"]
WORDS_POSTGRES_DROP = [f"DROP INDEX IF EXISTS {TSV_INDEX}"]
# 0012 (PostgreSQL): a row per (customer, word), keyed (company, excluded, word, number), kept
# by a trigger in the transaction that writes the customer. A GIN index cannot count: every
# match was a heap visit (`virta`, 11,048 matches in 1M customers: ≈ 10,000 heap blocks,
# 22 ms warm, 30-60 ms a request), while a prefix is one range of this key, so the count and
# the page's numbers are an index-only scan. Words in "C" order: a prefix is a byte range.
WORDS_TABLE = "customer_words"
WORDS_TABLE_DDL = [
    f"CREATE TABLE {WORDS_TABLE} (company_id integer NOT NULL, excluded boolean NOT NULL, "
    'word text COLLATE "C" NOT NULL, customer_number bigint NOT NULL, '
    "PRIMARY KEY (company_id, excluded, word, customer_number))",
    "CREATE FUNCTION customer_words_of(number bigint, search_text text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array(SELECT DISTINCT w FROM "
    "unnest(string_to_array(number::text || ' ' || split_part(coalesce(search_text, ''), '  ', 2), ' ')) "
    "AS w WHERE w <> '') $$",
    "CREATE FUNCTION customer_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    f"DELETE FROM {WORDS_TABLE} WHERE company_id = OLD.company_id AND excluded = OLD.excluded "
    "AND word = ANY (customer_words_of(OLD.customer_number, OLD.search_text)) "
    "AND customer_number = OLD.customer_number; END IF; "
    "IF TG_OP <> 'DELETE' THEN "
    f"INSERT INTO {WORDS_TABLE} (company_id, excluded, word, customer_number) "
    "SELECT NEW.company_id, NEW.excluded, w, NEW.customer_number "
    "FROM unnest(customer_words_of(NEW.customer_number, NEW.search_text)) AS w; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER customers_words AFTER DELETE OR UPDATE OF company_id, excluded, "
    "customer_number, search_text ON customers FOR EACH ROW EXECUTE FUNCTION customer_words_sync()",
    # New customers once per statement from its transition table: the import's COPY of a
    # batch becomes one set-based INSERT instead of a PL/pgSQL call per row.
    "CREATE FUNCTION customer_words_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO {WORDS_TABLE} (company_id, excluded, word, customer_number) "
    "SELECT a.company_id, a.excluded, w, a.customer_number FROM added AS a, "
    "unnest(customer_words_of(a.customer_number, a.search_text)) AS w; RETURN NULL; END $$",
    "CREATE TRIGGER customers_words_added AFTER INSERT ON customers REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_words_added()",
]
WORDS_TABLE_FILL = (
    f"INSERT INTO {WORDS_TABLE} (company_id, excluded, word, customer_number) "
    "SELECT c.company_id, c.excluded, w, c.customer_number FROM customers c, "
    "unnest(customer_words_of(c.customer_number, c.search_text)) AS w"
)
WORDS_TABLE_DROP = [
    "DROP TRIGGER IF EXISTS customers_words ON customers",
    "DROP TRIGGER IF EXISTS customers_words_added ON customers",
    "DROP FUNCTION IF EXISTS customer_words_sync()",
    "DROP FUNCTION IF EXISTS customer_words_added()",
    "DROP FUNCTION IF EXISTS customer_words_of(bigint, text)",
    f"DROP TABLE IF EXISTS {WORDS_TABLE}",
]

_PIECE = re.compile(r"[^\W\d_]+|\d+")  # a run of letters or of digits
_PHONE_LIKE = re.compile(r"\+?[\d().\-/+]*\d[\d().\-/+]*")


# ---------------------------------------------------------------- the words of a customer


@lru_cache(maxsize=512)
def _country_code(digits: str) -> tuple[str, str] | None:
    """(country calling code, national trunk prefix) of E.164 digits, or None."""
    for n in (1, 2, 3):
        cc = digits[:n]
        if cc.isdigit() and int(cc) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            meta = PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(int(cc)))
            return cc, (meta.national_prefix if meta is not None and meta.national_prefix else "")
    return None


def _phone_forms(phone: str) -> list[str]:
    """The ways a user types a stored (E.164) phone: its digits and its national form."""
    digits = "".join(c for c in phone if c.isdigit())
    if not digits:
        return []
    forms = [digits]
    if phone.lstrip().startswith("+"):
        code = _country_code(digits[:3])
        if code is not None:
            forms.append(code[1] + digits[len(code[0]) :])
    return forms


def _code_forms(value: str) -> list[str]:
    """An identifier (idNumber, vatNumber) without its punctuation, cut into runs."""
    return _PIECE.findall("".join(_PIECE.findall(fold(value))))


def document_text(
    parts: Sequence[str | None], *, phones: Sequence[str | None] = (), codes: Sequence[str | None] = ()
) -> str:
    """`customers.search_text`: the folded `parts` (the customer number first, then names,
    codes, e-mail, phones and city), two spaces, the words. Nothing after the number
    depends on it (sync/bulk.py renders the rest once with the number 0)."""
    folded = fold(" ".join(p for p in parts if p))
    words = set(_PIECE.findall(folded.partition(" ")[2]))
    for p in phones:
        if p:
            words.update(_phone_forms(p))
    for c in codes:
        if c:
            words.update(_code_forms(c))
    return f"{folded}{SEPARATOR}{' '.join(sorted(words))}" if words else folded


def words_of(number: int, search_text: str | None) -> set[str]:
    """The words a customer is found by (the model both engines implement)."""
    return {str(number), *(search_text or "").partition(SEPARATOR)[2].split()}


# ---------------------------------------------------------------- the query


def terms(search_word: str | None) -> list[str]:
    """The prefixes a query asks for, every one of which must match."""
    out: list[str] = []
    run: list[str] = []  # phone-like words in a row: "+358 40 123 4567" is one number
    for word in [*fold(search_word or "").split(), ""]:
        if _PHONE_LIKE.fullmatch(word) and (run or word[0] in "+0"):
            run.append(word)
            continue
        if run:
            out.append("".join(c for r in run for c in r if c.isdigit()))
            run = []
        if _PHONE_LIKE.fullmatch(word):  # a number: its digits
            out.append("".join(c for c in word if c.isdigit()))
        else:
            out += _PIECE.findall(word)
    seen: dict[str, None] = dict.fromkeys(t for t in out if t)
    # A term that starts another term adds nothing (`virta virtanen` = `virtanen`).
    kept = [t for t in seen if not any(o != t and o.startswith(t) for o in seen)]
    if len(kept) > MAX_SEARCH_TERMS:  # not silently cut: the answer would be wider than asked
        raise too_complex("searchWord", MAX_SEARCH_TERMS, "terms")
    return kept


def matches(number: int, search_text: str | None, search_word: str) -> bool:
    """Python model of the match (tests)."""
    words = words_of(number, search_text)
    return all(any(w.startswith(t) for w in words) for t in terms(search_word))


def fts_query(ts: list[str]) -> str:
    return " AND ".join(f'"{t}"*' for t in ts)


def key_range(company_id: int, include_excluded: bool) -> tuple[int, int]:
    """FTS rowids [lo, hi) of a company's customers (excluded ones too or not)."""
    lo = company_id << COMPANY_SHIFT
    return lo, lo + (2 * EXCLUDED_BIT if include_excluded else EXCLUDED_BIT)


_fts = table(FTS_TABLE, column("rowid"))


def fts_table():
    return _fts


def fts_where(ts: list[str], company_id: int, include_excluded: bool) -> list:
    lo, hi = key_range(company_id, include_excluded)
    return [
        # A unique name: one statement may hold several searches (Billmate's two filters).
        sql(f"{FTS_TABLE} MATCH :fts_query").bindparams(bindparam("fts_query", fts_query(ts), unique=True)),
        _fts.c.rowid >= lo,
        _fts.c.rowid < hi,
    ]


_words = table(
    WORDS_TABLE, column("company_id"), column("excluded", Boolean), column("word"), column("customer_number")
)


def _past(term: str) -> str:
    """The least string after every string that starts with `term` (code point order)."""
    following = ord(term[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded: skip them
        following = 0xE000
    return term[:-1] + chr(following)


def word_numbers(ts: list[str], company_id: int, include_excluded: bool):
    """PostgreSQL: a select of the distinct numbers of the company's customers that have a
    word starting with each term; each term is a range of the words table's key."""
    excluded = [False, True] if include_excluded else [False]
    parts = [
        select(_words.c.customer_number).where(
            _words.c.company_id == company_id,
            _words.c.excluded.in_(excluded),
            _words.c.word >= t,
            _words.c.word < _past(t),
        )
        for t in ts
    ]
    return parts[0].distinct() if len(parts) == 1 else intersect(*parts)


def _starts_a_word(term: str) -> ColumnElement:
    """Any engine, no index: a word of search_text starts with the term. Same answers as
    the indexes: a term (a run of letters or of digits) starts a word of the folded values
    exactly when it starts that word's first run, which is among the words."""
    return (literal(" ") + Customer.search_text).like(f"% {term}%")


def conditions(search_word: str, dialect, company_id: int, include_excluded: bool) -> list[ColumnElement]:
    """WHERE terms on `customers` for any list or count (the general path). `dialect`: the
    engine's name (or dialect); without one, a LIKE per term that works on any engine."""
    ts = terms(search_word)
    if not ts:  # `%`, `*`, `"`: nothing to find a word by; not "everyone"
        raise BadRequest(
            "searchWord has no letter or digit", [{"field": "searchWord", "message": "needs a letter or digit"}]
        )
    name = getattr(dialect, "name", dialect)
    if name == "sqlite":
        numbers = select(_fts.c.rowid.op("&")(NUMBER_MASK)).where(*fts_where(ts, company_id, include_excluded))
        return [Customer.customer_number.in_(numbers)]
    if name == "postgresql":
        return [Customer.customer_number.in_(word_numbers(ts, company_id, include_excluded))]
    return [_starts_a_word(t) for t in ts]
