"""renewal: requirement templates, learners' certifications, external CE, agency trainings

Revision ID: 0009_renewal
Revises: 0008_agency_courses
Create Date: 2026-11-28 05:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_renewal"
down_revision = "0008_agency_courses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "renewal_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("total_hours", sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
        sa.Column("category_minimums", sa.JSON(), nullable=False),
        sa.Column("delivery_formats", sa.JSON(), nullable=False),
        sa.Column("outside_hours_count", sa.Boolean(), nullable=False),
        sa.Column("outside_hours_need_verification", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "name"),
    )
    with op.batch_alter_table("renewal_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renewal_template_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "learner_certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("period_ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["renewal_template.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("learner_certification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_certification_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learner_certification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "external_ce_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("delivery_format", sa.String(length=40), nullable=False),
        sa.Column("file", sa.LargeBinary(), nullable=True),
        sa.Column("file_mimetype", sa.String(length=40), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("external_ce_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_ce_entry_user_id"), ["user_id"], unique=False)

    op.create_table(
        "agency_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=4, scale=2, asdecimal=False), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency_training", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_training_agency_id"), ["agency_id"], unique=False)

    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ce_categories", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("delivery_format", sa.String(length=40), nullable=True))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_alerts_wanted", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("renewal_alerts_wanted")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_column("delivery_format")
        batch_op.drop_column("ce_categories")
    op.drop_table("agency_training")
    op.drop_table("external_ce_entry")
    op.drop_table("learner_certification")
    op.drop_table("renewal_template")
