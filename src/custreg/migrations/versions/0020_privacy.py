"""Duplicates and privacy (issue 26): a company's register settings (identity numbers
unique, retention), merge aliases (a merged customer's number and GUID lead to the survivor)
and the record of erasures.

Revision ID: 0020
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0020"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_settings",
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("unique_identity_numbers", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("financial_retention_years", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("register_settings")
