"""support contact: an agency's own support email and phone, shown in the footer and on the Help page

Revision ID: 0012_support_contact
Revises: 0011_data_rights
Create Date: 2026-11-28 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_support_contact"
down_revision = "0011_data_rights"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("support_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("support_phone", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("support_phone")
        batch_op.drop_column("support_email")
