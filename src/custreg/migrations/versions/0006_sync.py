"""sync: idempotency keys and the change feed's compaction horizon

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("principal", "scope", "key",
                            name=op.f("uq_idempotency_keys_principal_scope_key")),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])
    op.create_index("ix_change_log_company_guid_id", "change_log",
                    ["company_id", "customer_guid", "id"])
    op.create_table(
        "change_horizons",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.Column("pruned_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_change_horizons_company_id_companies")),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_change_horizons")),
    )


def downgrade() -> None:
    op.drop_table("change_horizons")
    op.drop_index("ix_change_log_company_guid_id", table_name="change_log")
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
