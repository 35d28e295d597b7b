"""Duplicates and privacy (issue 26): a company's register settings (identity numbers
unique, retention), stored duplicate candidates, merge aliases (a merged customer's number and GUID lead to the survivor)
and the record of erasures.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_settings",
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("unique_identity_numbers", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("financial_retention_years", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "customer_aliases",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_number", sa.BigInteger(), nullable=False),
        sa.Column("customer_guid", sa.Uuid(), nullable=False),
        sa.Column(
            "survivor_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("merged_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("company_id", "customer_number"),
        sa.UniqueConstraint("company_id", "customer_guid"),
    )
    op.create_index("ix_customer_aliases_survivor_id", "customer_aliases", ["survivor_id"])
    op.create_table(
        "erasures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_guid", sa.Uuid(), nullable=False),
        sa.Column("customer_number", sa.BigInteger(), nullable=False),
        sa.Column("at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )
    op.create_index("ix_erasures_company_id_customer_guid", "erasures", ["company_id", "customer_guid"])
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", big, primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_id", big, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("second_id", big, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("computed_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_duplicate_candidates_company_score", "duplicate_candidates", ["company_id", "score"])
    op.create_index("ix_duplicate_candidates_first_id", "duplicate_candidates", ["first_id"])
    op.create_index("ix_duplicate_candidates_second_id", "duplicate_candidates", ["second_id"])


def downgrade() -> None:
    op.drop_table("duplicate_candidates")
    op.drop_table("erasures")
    op.drop_table("customer_aliases")
    op.drop_table("register_settings")
