"""searchWord on PostgreSQL from a words table instead of a GIN index

A row per (customer, word) keyed (company_id, excluded, word, customer_number), kept by a
trigger on customers, so a word prefix's count and page numbers are an index-only scan
(customers/search.py). Drops 0010's GIN word index. SQLite: nothing (its FTS5 table
already counts in the index).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from custreg.customers import search

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in search.WORDS_TABLE_DDL:
        op.execute(statement)
    op.execute(search.WORDS_TABLE_FILL)
    for statement in search.WORDS_POSTGRES_DROP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in search.WORDS_TABLE_DROP:
        op.execute(statement)
    for statement in search.WORDS_POSTGRES_DDL:
        op.execute(statement)
