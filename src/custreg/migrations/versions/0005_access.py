"""access control: API clients, token signing key, attached users, audit trail

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-23 02:40:00
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = custreg.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("companies", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    op.create_table(
        "token_signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_signing_keys")),
    )
    op.create_table(
        "customer_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", BIGID, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_users_customer_id_customers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_users")),
        sa.UniqueConstraint("customer_id", "user_id",
                            name=op.f("uq_customer_users_customer_id_user_id")),
    )
    op.create_index("ix_customer_users_user_id", "customer_users", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_guid", sa.Uuid(), nullable=False),
        sa.Column("customer_number", sa.BigInteger(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor_type", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("resource", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_audit_log_company_id_companies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_company_id_customer_guid_id", "audit_log",
                    ["company_id", "customer_guid", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_company_id_customer_guid_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_customer_users_user_id", table_name="customer_users")
    op.drop_table("customer_users")
    op.drop_table("token_signing_keys")
    op.drop_table("api_clients")
