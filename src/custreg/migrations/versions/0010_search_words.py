"""searchWord by word prefixes; lastName lists from one index

Replaces 0007's trigram FTS5 table (SQLite) with a contentless word-prefix FTS5 table
whose rowid is (company, excluded, customer number), rewrites `customers.search_text`
with the pieces and typed forms of the words (customers/search.py), adds the GIN word
index on PostgreSQL (0007's pg_trgm index stays: lookups use LIKE on search_text) and the
(company_id, excluded, last_name, customer_number) index.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from custreg.customers import search

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 20_000
# The parts of customers.service._search_text at this revision, in its order.
_SELECT = sa.text(
    "SELECT c.id, c.customer_number, c.full_name, c.first_name, c.last_name, c.company_name, "
    "c.id_number, c.vat_number, c.email, c.home_phone, c.work_phone, c.cellular_phone, a.city "
    "FROM customers c LEFT JOIN addresses a ON a.customer_id = c.id AND a.address_type = 'LEGAL' "
    "AND a.default_address = :yes WHERE c.id > :after ORDER BY c.id LIMIT :n")


def _rewrite_search_text(bind) -> None:
    after = 0
    update = sa.text("UPDATE customers SET search_text = :t WHERE id = :i")
    while True:
        rows = bind.execute(_SELECT, {"after": after, "n": BATCH, "yes": True}).all()
        if not rows:
            return
        out = []
        for r in rows:
            (id_, number, full, first, last, company, id_no, vat, email, home, work, cell, city) = r
            parts = [str(number), full, first, last, company, id_no, vat, email, home, work, cell, city]
            out.append({"i": id_, "t": search.document_text([p or "" for p in parts],
                                                            phones=[home, work, cell], codes=[id_no, vat])})
        bind.execute(update, out)
        after = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for statement in search.SQLITE_DROP:  # 0007's trigram table and its triggers
            op.execute(statement)
    _rewrite_search_text(bind)
    if sqlite:
        for statement in search.WORDS_DDL:
            op.execute(statement)
        for statement in search.WORDS_FILL:
            op.execute(statement)
    else:
        for statement in search.WORDS_POSTGRES_DDL:
            op.execute(statement)
    op.create_index("ix_customers_company_excluded_last_name", "customers",
                    ["company_id", "excluded", "last_name", "customer_number"])


def downgrade() -> None:
    op.drop_index("ix_customers_company_excluded_last_name", table_name="customers")
    if op.get_bind().dialect.name == "sqlite":
        for statement in search.SQLITE_DROP:
            op.execute(statement)
        for statement in search.TRIGRAM_DDL:
            op.execute(statement)
    else:
        for statement in search.WORDS_POSTGRES_DROP:
            op.execute(statement)
