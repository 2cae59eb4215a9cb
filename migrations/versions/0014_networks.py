"""networks: agencies that opt in to share training totals with a network's admins

Revision ID: 0014_networks
Revises: 0013_xapi
Create Date: 2026-11-28 07:00:00

A network admin belongs to no agency, so user.agency_id may be empty, and user_role
accepts the role "network-admin". network_membership keeps each agency's invitation and
answer; network_admin says who runs which network.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_networks"
down_revision = "0013_xapi"
branch_labels = None
depends_on = None

AGENCY_ROLES = "role IN ('peer', 'clinician', 'supervisor', 'admin')"
STORED_ROLES = "role IN ('peer', 'clinician', 'supervisor', 'admin', 'network-admin')"


def upgrade():
    op.create_table(
        "network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network")),
        sa.UniqueConstraint("slug", name=op.f("uq_network_slug")),
    )
    op.create_table(
        "network_admin",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], name=op.f("fk_network_admin_network_id_network"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_network_admin_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("network_id", "user_id", name=op.f("pk_network_admin")),
    )
    op.create_table(
        "network_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_network_membership_agency_id_agency"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"], name=op.f("fk_network_membership_invited_by_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], name=op.f("fk_network_membership_network_id_network"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_membership")),
        sa.UniqueConstraint("network_id", "agency_id", name=op.f("uq_network_membership_network_id_agency_id")),
    )
    with op.batch_alter_table("network_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_membership_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_network_membership_network_id"), ["network_id"], unique=False)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_role_known_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_role_known_role"), sa.text(STORED_ROLES))


def downgrade():
    op.execute("DELETE FROM user_role WHERE role = 'network-admin'")
    op.execute('DELETE FROM "user" WHERE agency_id IS NULL')
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_role_known_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_role_known_role"), sa.text(AGENCY_ROLES))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("network_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_membership_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_membership_agency_id"))
    op.drop_table("network_membership")
    op.drop_table("network_admin")
    op.drop_table("network")
