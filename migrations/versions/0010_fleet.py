"""fleet: agency slugs, login back-off, session versions, PDF cache, mail outbox

Revision ID: 0010_fleet
Revises: 0009_renewal
Create Date: 2026-11-28 04:00:00

Agencies get a unique slug and a unique, case-insensitive name key. Existing agencies
that share a name (case and spacing aside) are told apart deterministically: the oldest
(lowest id) keeps the name, the next ones get " (2)", " (3)", … appended.
Failed logins are counted in the database (login_throttle), shared by every app server.
A user's session_version is part of every session cookie: raising it ends them all.
pdf_cache keeps a learner's last PDF of their private writing, encrypted.
outgoing_mail is the outbox that `flask mail send` empties.
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0010_fleet"
down_revision = "0009_renewal"
branch_labels = None
depends_on = None


# Copies of lms.domain.agencies as they are today: a migration must not change when the app does.
def _name_key(name):
    return " ".join((name or "").split()).casefold()


def _slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "agency"


def _backfill_agencies(connection):
    agency = sa.table(
        "agency", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String), sa.column("slug", sa.String)
    )
    keys, slugs = set(), set()
    for agency_id, name in connection.execute(sa.select(agency.c.id, agency.c.name).order_by(agency.c.id)).all():
        unique_name, number = name, 1
        while _name_key(unique_name) in keys:
            number += 1
            unique_name = f"{name} ({number})"
        slug, number = _slugify(unique_name), 1
        while slug in slugs:
            number += 1
            slug = f"{_slugify(unique_name)[:55]}-{number}"
        keys.add(_name_key(unique_name))
        slugs.add(slug)
        connection.execute(
            agency.update().where(agency.c.id == agency_id).values(name=unique_name, name_key=_name_key(unique_name), slug=slug)
        )


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_outgoing_mail_agency_id_agency"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_outgoing_mail_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_mail_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_outgoing_mail_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "pdf_cache",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pdf_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_pdf_cache_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_pdf_cache")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttle_last_failure_at"), ["last_failure_at"], unique=False)
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("slug", sa.String(length=60), nullable=True))
    _backfill_agencies(op.get_bind())
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("slug", existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_agency_name_key"), ["name_key"])
        batch_op.create_unique_constraint(batch_op.f("uq_agency_slug"), ["slug"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_failure_at"))
    op.drop_table("login_throttle")
    op.drop_table("pdf_cache")
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_outgoing_mail_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_agency_id"))
    op.drop_table("outgoing_mail")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_agency_slug"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_agency_name_key"), type_="unique")
        batch_op.drop_column("slug")
        batch_op.drop_column("name_key")
