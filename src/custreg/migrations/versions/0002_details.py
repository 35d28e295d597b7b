"""customer details: bank accounts and contacts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:30:00
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CUSTOMER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("account_guid", sa.Uuid(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bban", sa.String(length=30), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("default_account", sa.Boolean(), nullable=False),
        sa.Column("last_updated_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_bank_accounts_customer_id_customers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("account_guid", name=op.f("uq_bank_accounts_account_guid")),
        sa.UniqueConstraint("customer_id", "iban", name=op.f("uq_bank_accounts_customer_id_iban")),
    )
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_bank_accounts_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("uq_bank_accounts_default", ["customer_id"], unique=True,
                              sqlite_where=sa.text("default_account"),
                              postgresql_where=sa.text("default_account"))

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("contact_guid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("language_code", sa.String(length=2), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("last_updated_at", custreg.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_contacts_customer_id_customers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("contact_guid", name=op.f("uq_contacts_contact_guid")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("uq_contacts_default", ["customer_id"], unique=True,
                              sqlite_where=sa.text("is_default"),
                              postgresql_where=sa.text("is_default"))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("uq_contacts_default")
        batch_op.drop_index("ix_contacts_customer_id")
    op.drop_table("contacts")
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.drop_index("uq_bank_accounts_default")
        batch_op.drop_index("ix_bank_accounts_customer_id")
    op.drop_table("bank_accounts")
