"""The baseline the lesson, My learning and team pages are measured against: the app a
competent developer would write first.

Minimal Flask + Flask-Login + Flask-SQLAlchemy on the same database: it loads the user from
the session cookie the real app sets (same secret key), lets the ORM load roles and agency
lazily when the template asks, and renders the same templates from the same course
catalog. It does less than the real app: no progress, reflections, assignments,
completions, learning paths or contact hours, no CSRF, no rate limiter, no security headers. Its pages are the real app's
bytes apart from those per-user parts. It borrows the real app's URL map (so `url_for`
builds the same links) and template filters, and nothing else.

Configured like the real app (by default from the same environment: DATABASE_URL,
COURSES_DIR, SECRET_KEY); serve it with `gunicorn 'bench.naive_app:create_naive_app()'`.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, render_template
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_sqlalchemy import SQLAlchemy

from lms.config import PROJECT_ROOT
from lms.domain import markdown
from lms.domain.assignments import STATE_LABELS, STATES
from lms.domain.course_loader import load_catalog
from lms.domain.learner_home import plan_home
from lms.domain.markdown import ROLE_CARD_MARKER
from lms.domain.matrix import Filters, Member, build_matrix
from lms.domain.progress import course_progress
from lms.services.agency_blocks import default_html
from lms.services.role_card import DEFAULT_ROLE_CARD_PATH


class Base(so.DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
team_supervisors = sa.Table("team_supervisor", Base.metadata, sa.Column("team_id", sa.Integer), sa.Column("user_id", sa.Integer))


class Agency(db.Model):
    __tablename__ = "agency"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str]
    logo_mimetype: so.Mapped[str | None]


class Team(db.Model):
    __tablename__ = "team"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str]


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    role: so.Mapped[str] = so.mapped_column(primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"))
    team_id: so.Mapped[int | None]
    name: so.Mapped[str]
    email: so.Mapped[str]
    active: so.Mapped[bool]
    joined_on: so.Mapped[date]
    session_version: so.Mapped[int]
    agency: so.Mapped[Agency] = so.relationship()
    role_rows: so.Mapped[list[UserRole]] = so.relationship()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles


def create_naive_app(config=None) -> Flask:
    """config: the real app's settings (default: from the environment, as a server has them)."""
    from lms import create_app  # only for its URL map and filters, read once at start-up

    real = create_app(config)
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"))
    app.config.update(SECRET_KEY=real.config["SECRET_KEY"], SQLALCHEMY_DATABASE_URI=real.config["SQLALCHEMY_DATABASE_URI"])
    app.jinja_env.filters.update(real.jinja_env.filters)
    app.url_default_functions[None] = real.url_default_functions[None]  # fingerprinted static URLs
    views = {"learn.show_lesson": show_lesson, "learn.my_learning": my_learning, "supervise.matrix": matrix}
    for rule in real.url_map.iter_rules():
        if rule.endpoint != "static":
            app.add_url_rule(rule.rule, endpoint=rule.endpoint, view_func=views.get(rule.endpoint, _not_here), methods=rule.methods)
    db.init_app(app)
    login = LoginManager(app)
    login.user_loader(load_user)
    app.jinja_env.globals["csrf_token"] = lambda: ""  # no CSRF
    app.extensions["catalog"] = load_catalog(real.config["COURSES_DIR"])
    app.extensions["role_card_html"] = markdown.render(DEFAULT_ROLE_CARD_PATH.read_text(encoding="utf-8")).html
    return app


def load_user(session_user_id: str) -> User | None:
    """The session holds "<user id>:<session version>", as the real app writes it."""
    user_id, _, version = session_user_id.partition(":")
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version or 0) else None


def _not_here(**_):
    abort(404)


def _catalog():
    from flask import current_app

    return current_app.extensions["catalog"]


@login_required
def show_lesson(slug, lesson_id):
    from flask import current_app

    course = _catalog().get(slug) or abort(404)
    lesson = course.lesson(lesson_id) or abort(404)
    before, after = course.neighbours(lesson.id)
    return render_template(
        "learn/lesson.html",
        fragment=False,
        course=course,
        lesson=lesson,
        position=course.lesson_ids.index(lesson.id) + 1,
        previous_lesson=before,
        next_lesson=after,
        progress=course_progress(course, ()),
        reflection=None,
        role_card_marker=ROLE_CARD_MARKER,
        role_card_html=current_app.extensions["role_card_html"] if lesson.has_role_card else "",
        lesson_html=markdown.fill_blocks(lesson.html, {name: default_html(name) for name in lesson.agency_blocks}),
        reflection_draft=None,
        reflection_error=None,
    )


@login_required
def my_learning():
    progress = {course.slug: course_progress(course, ()) for course in _catalog()}
    today = date.today()
    return render_template(
        "learn/my_learning.html",
        fragment=False,
        progress_by_course=progress,
        hours_this_year=0,
        year=today.year,
        home=plan_home(
            _catalog(), roles=current_user.roles, requirements={}, progress=progress, completed_on={}, last_activity={}, today=today
        ),
        paths=[],
    )


@login_required
def matrix():
    teams = db.session.scalars(
        sa.select(Team)
        .join(team_supervisors, team_supervisors.c.team_id == Team.id)
        .where(team_supervisors.c.user_id == current_user.id)
        .order_by(Team.name)
    ).all()
    names = {team.id: team.name for team in teams}
    users = db.session.scalars(
        sa.select(User).where(User.team_id.in_(names), User.active).options(so.selectinload(User.role_rows)).order_by(User.name)
    )
    from lms.services.assignments import person_of

    members = [Member(person_of(user), user.name, user.email, names[user.team_id]) for user in users]
    filters = Filters.from_args({}, set(names), {c.slug for c in _catalog()})
    return render_template(
        "supervise/matrix.html",
        fragment=False,
        teams=teams,
        filters=filters,
        matrix=build_matrix(members, list(_catalog()), [], {}, {}, date.today(), filters),
        courses=list(_catalog()),
        states=STATES,
        state_labels=STATE_LABELS,
        query="",
    )
