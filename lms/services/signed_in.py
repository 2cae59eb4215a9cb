"""Loading the signed-in user, which every logged-in request does first."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.extensions import db
from lms.models import User

# Built once: every page needs the roles (menu, access checks) and many the agency, so
# all three come in one statement instead of three.
USER_WITH_ROLES_AND_AGENCY = (
    sa.select(User)
    .options(so.joinedload(User.role_rows), so.joinedload(User.agency))
    .where(User.id == sa.bindparam("user_id"))
)


def signed_in_user(user_id: int) -> User | None:
    """The user with their roles and agency, or None.

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
    return db.session.execute(USER_WITH_ROLES_AND_AGENCY, {"user_id": user_id}).unique().scalar_one_or_none()
