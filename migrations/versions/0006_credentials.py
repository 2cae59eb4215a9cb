"""credentials: licences, CE facts, expiry, revocation rounds, signing keys

Revision ID: 0006_credentials
Revises: ced260946310
Create Date: 2026-11-28 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_credentials"
down_revision = "ced260946310"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "professional_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("professional_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_credential_user_id"), ["user_id"], unique=False)

    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kid"),
    )
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_key_agency_id"), ["agency_id"], unique=False)

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ce_provider_contact", sa.String(length=200), nullable=True))

    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licences", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("original_issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("identity_salt", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("identity_hash", sa.String(length=100), nullable=True))
    # Certificates issued before this change stay what they were: one whose completion led
    # to a revocation keeps its completion voided, so the learner can earn the course again.
    op.execute(
        "UPDATE course_completion SET voided_at = (SELECT MIN(certificate.revoked_at) FROM certificate"
        " WHERE certificate.completion_id = course_completion.id)"
        " WHERE EXISTS (SELECT 1 FROM certificate WHERE certificate.completion_id = course_completion.id"
        " AND certificate.revoked_at IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_column("identity_hash")
        batch_op.drop_column("identity_salt")
        batch_op.drop_column("original_issued_at")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("licences")
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.drop_column("voided_at")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("ce_provider_contact")
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_key_agency_id"))
    op.drop_table("signing_key")
    with op.batch_alter_table("professional_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_credential_user_id"))
    op.drop_table("professional_credential")
