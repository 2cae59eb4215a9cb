"""Loading the signed-in user, which every logged-in request does first."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.extensions import db
from lms.models import AgencyCourse, User
from lms.services.agency_catalog import note_published

# The agency's published courses as "id slug version" items, which every page showing
# courses needs (lms.services.agency_catalog); slugs and versions hold no spaces or commas.
PUBLISHED_COURSES = (
    sa.select(
        sa.func.aggregate_strings(sa.cast(AgencyCourse.id, sa.String) + " " + AgencyCourse.slug + " " + AgencyCourse.published_version, ",")
    )
    .where(AgencyCourse.agency_id == User.agency_id, AgencyCourse.published_version.is_not(None))
    .scalar_subquery()
)
# Built once: every page needs the roles (menu, access checks) and many the agency and its
# published courses, so all four come in one statement instead of four.
USER_WITH_ROLES_AND_AGENCY = (
    sa.select(User, PUBLISHED_COURSES.label("published_courses"))
    .options(so.joinedload(User.role_rows), so.joinedload(User.agency))
    .where(User.id == sa.bindparam("user_id"))
)


def signed_in_user(user_id: int) -> User | None:
    """The user with their roles and agency, or None; their agency's published courses are noted for the request.

    The pool does not test connections before use (that would cost a round trip on every
    request). If the database restarted, the first statement fails on a dead connection and
    the pool drops all its old connections; nothing has happened in this request yet, so
    trying once more on a fresh connection is safe.
    """
    try:
        return _load(user_id)
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        db.session.rollback()
        return _load(user_id)


def _load(user_id: int) -> User | None:
    row = db.session.execute(USER_WITH_ROLES_AND_AGENCY, {"user_id": user_id}).unique().one_or_none()
    if row is None:
        return None
    user, published = row
    items = (item.split(" ") for item in published.split(",")) if published else ()
    note_published(user.agency_id, [(int(course_id), slug, version) for course_id, slug, version in items])
    return user
