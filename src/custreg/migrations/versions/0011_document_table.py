"""customer_documents: the stored documents out of the customers rows

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_documents",
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.execute("INSERT INTO customer_documents (customer_id, body) "
               "SELECT id, document FROM customers WHERE document IS NOT NULL")
    # In place on SQLite (3.35+): a batch copy of the table would drop and re-create the
    # parent of every record table.
    op.execute("ALTER TABLE customers DROP COLUMN document")


def downgrade() -> None:
    op.execute("ALTER TABLE customers ADD COLUMN document TEXT")
    op.execute("UPDATE customers SET document = (SELECT body FROM customer_documents d "
               "WHERE d.customer_id = customers.id)")
    op.drop_table("customer_documents")
