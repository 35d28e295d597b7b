"""searchWord index: FTS5 trigram table (SQLite) or pg_trgm GIN index (PostgreSQL)

Revision ID: 0007
Revises: 0001
"""

from alembic import op

from custreg.customers import search

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl = search.SQLITE_DDL if op.get_bind().dialect.name == "sqlite" else search.POSTGRES_DDL
    for statement in ddl:
        op.execute(statement)


def downgrade() -> None:
    drop = search.SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else search.POSTGRES_DROP
    for statement in drop:
        op.execute(statement)
