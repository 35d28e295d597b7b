"""Loans (seed 002, issue 24): a customer's loans with their interest periods, and the
triggers that forget the stored document of a customer whose loans change (as 0014's).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

CUSTOMER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPS = (
    ("insert", "new.customer_id", "NEW TABLE AS new_rows"),
    ("update", "old.customer_id, new.customer_id", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "old.customer_id", "OLD TABLE AS old_rows"),
)


def upgrade() -> None:
    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("loan_guid", sa.Uuid(), nullable=False),
        sa.Column("loan_number", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("original_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("balance", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("last_updated_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_loans_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
        sa.UniqueConstraint("loan_guid", name=op.f("uq_loans_loan_guid")),
    )
    op.create_index("ix_loans_customer_id", "loans", ["customer_id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, keys, tables in OPS:
        if postgres:  # the function of 0014, once per statement from the transition tables
            op.execute(
                f"CREATE TRIGGER customer_documents_loans_{name} AFTER {name.upper()} ON loans "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION customer_documents_forget()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER customer_documents_loans_{name} AFTER {name.upper()} ON loans BEGIN "
                f"DELETE FROM customer_documents WHERE customer_id IN ({keys}); END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, _keys, _tables in OPS:
        op.execute(f"DROP TRIGGER IF EXISTS customer_documents_loans_{name}" + (" ON loans" if postgres else ""))
    op.drop_index("ix_loans_customer_id", table_name="loans")
    op.drop_table("loans")
