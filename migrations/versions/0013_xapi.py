"""xapi: an agency's Learning Record Store and the outbox of xAPI statements

Revision ID: 0013_xapi
Revises: 0012_support_contact
Create Date: 2026-11-28 07:00:00

lrs_connection holds an agency's LRS (endpoint, key, the secret encrypted) and the namespace
of its learners' opaque xAPI names. xapi_statement is the outbox that `flask xapi send` empties.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_xapi"
down_revision = "0012_support_contact"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lrs_connection",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("actor_namespace", sa.String(length=36), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_lrs_connection_agency_id_agency"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_lrs_connection")),
    )
    op.create_table(
        "xapi_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event_key", sa.String(length=300), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_xapi_statement_agency_id_agency"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_xapi_statement_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statement")),
        sa.UniqueConstraint("agency_id", "event_key", name=op.f("uq_xapi_statement_agency_id_event_key")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_xapi_statement_statement_id")),
    )
    with op.batch_alter_table("xapi_statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xapi_statement_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_xapi_statement_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("xapi_statement", schema=None) as batch_op:
        batch_op.drop_index("ix_xapi_statement_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_xapi_statement_user_id"))
    op.drop_table("xapi_statement")
    op.drop_table("lrs_connection")
