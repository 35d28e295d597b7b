"""financial and relationship records: consents (and their history), party parameters,
extra fields, direct debit mandates, credit insurances, relations, pledges, actions

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23 02:40:00
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

CUSTOMER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = custreg.db.base.UTCDateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _customer_fk(table: str, column: str = "customer_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["customers.id"], name=op.f(f"fk_{table}_{column}_customers"),
                                   ondelete="CASCADE")


def _updated() -> sa.Column:
    return sa.Column("last_updated_at", TS, nullable=False)


def upgrade() -> None:
    op.create_table(
        "consents",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("granted_at", TS, nullable=False),
        _updated(),
        _customer_fk("consents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sa.UniqueConstraint("customer_id", "channel", name=op.f("uq_consents_customer_id_channel")),
    )
    op.create_table(
        "consent_history",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("granted_at", TS, nullable=True),
        sa.Column("changed_at", TS, nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        _customer_fk("consent_history"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_history")),
    )
    op.create_index("ix_consent_history_customer_channel", "consent_history",
                    ["customer_id", "channel", "id"], unique=False)

    for table in ("party_parameters", "extra_fields"):
        value = sa.Column("value", sa.Text() if table == "party_parameters" else sa.JSON(), nullable=True)
        extra = [sa.Column("type", sa.String(length=40), nullable=True)] if table == "party_parameters" else []
        op.create_table(
            table,
            _id(),
            sa.Column("customer_id", CUSTOMER_ID, nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            *extra,
            value,
            _updated(),
            _customer_fk(table),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("customer_id", "name", name=op.f(f"uq_{table}_customer_id_name")),
        )

    op.create_table(
        "direct_debit_mandates",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("mandate_guid", sa.Uuid(), nullable=False),
        sa.Column("direct_debit_mandate_type", sa.Integer(), nullable=False),
        sa.Column("receiving_bank_account_no", sa.String(length=40), nullable=False),
        sa.Column("sending_bank_account_class", sa.Integer(), nullable=True),
        sa.Column("sending_bank_account_no", sa.String(length=40), nullable=True),
        sa.Column("reference_no", sa.String(length=50), nullable=True),
        sa.Column("requested_at", TS, nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("signed_date", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        _updated(),
        _customer_fk("direct_debit_mandates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debit_mandates")),
        sa.UniqueConstraint("mandate_guid", name=op.f("uq_direct_debit_mandates_mandate_guid")),
    )
    op.create_index("ix_direct_debit_mandates_customer_id", "direct_debit_mandates", ["customer_id"])

    op.create_table(
        "credit_insurances",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("insurance_guid", sa.Uuid(), nullable=False),
        sa.Column("insurance_date", sa.Date(), nullable=True),
        sa.Column("insurance_company_reference_code", sa.String(length=40), nullable=True),
        sa.Column("insurance_company_name", sa.String(length=200), nullable=True),
        sa.Column("insurance_company_number", sa.String(length=100), nullable=True),
        sa.Column("insurance_company_customer_number", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("extra_limit_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("extra_limit_end_date", sa.Date(), nullable=True),
        sa.Column("payment_term", sa.Integer(), nullable=True),
        sa.Column("grace_days", sa.Integer(), nullable=True),
        _updated(),
        _customer_fk("credit_insurances"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_insurances")),
        sa.UniqueConstraint("insurance_guid", name=op.f("uq_credit_insurances_insurance_guid")),
    )
    op.create_index("ix_credit_insurances_customer_id", "credit_insurances", ["customer_id"])

    op.create_table(
        "customer_relations",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("relation_guid", sa.Uuid(), nullable=False),
        sa.Column("related_customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("related_customer", sa.Uuid(), nullable=False),
        sa.Column("role_code", sa.String(length=40), nullable=False),
        _updated(),
        _customer_fk("customer_relations"),
        _customer_fk("customer_relations", "related_customer_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_relations")),
        sa.UniqueConstraint("relation_guid", name=op.f("uq_customer_relations_relation_guid")),
        sa.UniqueConstraint("customer_id", "related_customer_id", "role_code",
                            name=op.f("uq_customer_relations_customer_id_related_customer_id_role_code")),
    )
    op.create_index("ix_customer_relations_related_customer_id", "customer_relations",
                    ["related_customer_id"])

    op.create_table(
        "pledges",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("pledge_guid", sa.Uuid(), nullable=False),
        sa.Column("pledge_kind", sa.String(length=12), nullable=False),
        sa.Column("pledge_type", sa.Integer(), nullable=True),
        sa.Column("reference_number", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("guarantee_date", sa.Date(), nullable=True),
        sa.Column("original_guarantee_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("guarantee_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("guarantee_type", sa.Integer(), nullable=True),
        sa.Column("pledge_date", sa.Date(), nullable=True),
        sa.Column("pledge_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("insurer", sa.String(length=200), nullable=True),
        sa.Column("insurance_number", sa.String(length=100), nullable=True),
        sa.Column("insured_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("insurance_expiry_date", sa.Date(), nullable=True),
        sa.Column("realized", sa.Boolean(), nullable=True),
        _updated(),
        _customer_fk("pledges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
        sa.UniqueConstraint("pledge_guid", name=op.f("uq_pledges_pledge_guid")),
    )
    op.create_index("ix_pledges_customer_id", "pledges", ["customer_id"])

    op.create_table(
        "customer_actions",
        _id(),
        sa.Column("customer_id", CUSTOMER_ID, nullable=False),
        sa.Column("action_guid", sa.Uuid(), nullable=False),
        sa.Column("logged_at", TS, nullable=False),
        sa.Column("process_at", TS, nullable=True),
        sa.Column("action_item_code", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("allow_postpone", sa.Boolean(), nullable=False),
        sa.Column("action_category_code", sa.String(length=40), nullable=True),
        sa.Column("action_category_description", sa.String(length=200), nullable=True),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("response", sa.String(length=40), nullable=True),
        sa.Column("response_note", sa.Text(), nullable=True),
        sa.Column("postpone_to", TS, nullable=True),
        sa.Column("responded_at", TS, nullable=True),
        sa.Column("responded_by", sa.String(length=200), nullable=True),
        _updated(),
        _customer_fk("customer_actions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_actions")),
        sa.UniqueConstraint("action_guid", name=op.f("uq_customer_actions_action_guid")),
    )
    op.create_index("ix_customer_actions_customer_id", "customer_actions", ["customer_id"])


def downgrade() -> None:
    for table in ("customer_actions", "pledges", "customer_relations", "credit_insurances",
                  "direct_debit_mandates", "extra_fields", "party_parameters", "consent_history",
                  "consents"):
        op.drop_table(table)
