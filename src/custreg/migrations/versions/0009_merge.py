"""merge the domain branches of the first release into one head

Revision ID: 0009
Revises: 0002, 0003, 0004, 0005, 0006, 0007, 0008
"""

revision = "0009"
down_revision = ("0002", "0003", "0004", "0005", "0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
