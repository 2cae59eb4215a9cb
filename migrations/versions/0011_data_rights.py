"""data rights: erasure, retention settings, withdrawn certificates

Revision ID: 0011_data_rights
Revises: 0010_fleet
Create Date: 2026-11-28 07:00:00

A user records when they were deactivated (the private-writing retention clock) and when
they were erased. People already inactive start their clock now: their real date was
never kept. An agency chooses what happens to an erased person's certificates, and after
how many days the private writing of deactivated people is deleted. A certificate
withdrawn at its holder's request keeps only its code, for verification to say so.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_data_rights"
down_revision = "0010_fleet"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    user = sa.table("user", sa.column("active", sa.Boolean), sa.column("deactivated_at", sa.DateTime(timezone=True)))
    op.execute(user.update().where(user.c.active == sa.false()).values(deactivated_at=sa.func.current_timestamp()))
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("certificate_retention", sa.String(10), nullable=False, server_default="keep"))
        batch.add_column(sa.Column("certificate_retention_years", sa.Integer(), nullable=False, server_default="6"))
        batch.add_column(sa.Column("writing_retention_days", sa.Integer(), nullable=False, server_default="90"))
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("withdrawn_at")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("writing_retention_days")
        batch.drop_column("certificate_retention_years")
        batch.drop_column("certificate_retention")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("deactivated_at")
