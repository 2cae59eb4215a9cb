"""My learning's plan: which course comes first, what is due soon, what is finished."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from lms.domain.assignments import OVERDUE, Requirement
from lms.domain.course_loader import load_catalog
from lms.domain.learner_home import plan_home
from lms.domain.progress import course_progress

CATALOG = load_catalog(Path(__file__).resolve().parent.parent / "fixtures" / "courses")
PEER_COURSE = CATALOG.get("starting-out")  # for peers and supervisors
CLINICIAN_COURSE = CATALOG.get("team-orientation")  # for clinicians only
TODAY = date(2027, 3, 1)
PEER = frozenset({"peer"})


def course(slug, audiences=("peer",)):
    return replace(PEER_COURSE, slug=slug, title=slug.title(), audiences=audiences)


def required(slug, due_on=None, renew_yearly=False):
    return Requirement(slug, due_on, renew_yearly, 30)


def plan(courses, requirements=None, started=(), completed_on=None, last_activity=None, roles=PEER):
    progress = {c.slug: course_progress(c, [], ["welcome"] if c.slug in started else []) for c in courses}
    return plan_home(
        courses,
        roles=roles,
        requirements=requirements or {},
        progress=progress,
        completed_on=completed_on or {},
        last_activity=last_activity or {},
        today=TODAY,
    )


def slugs(items):
    return [item.course.slug for item in items]


def test_required_courses_are_to_do_and_other_courses_for_the_role_are_offered():
    courses = [course("listening"), CLINICIAN_COURSE, course("boundaries")]
    home = plan(courses, {"team-orientation": required("team-orientation")})
    assert slugs(home.to_do) == ["team-orientation"]  # required of this peer, though written for clinicians
    assert slugs(home.offered) == ["listening", "boundaries"]
    assert home.continue_with is None and home.finished == () and home.due_soon == ()


def test_a_course_for_other_roles_is_not_offered():
    home = plan([CLINICIAN_COURSE])
    assert home.offered == () and home.to_do == ()


def test_continue_with_the_started_course_touched_last():
    courses = [course("listening"), course("boundaries"), course("self-care")]
    moment = datetime(2027, 2, 1, tzinfo=timezone.utc)
    home = plan(
        courses,
        started={"listening", "boundaries"},
        # self-care was touched last, but none of its lessons counts as started
        last_activity={"listening": moment, "boundaries": moment + timedelta(days=1), "self-care": moment + timedelta(days=2)},
    )
    assert home.continue_with.course.slug == "boundaries"


def test_due_soon_puts_overdue_first_then_the_nearest_date():
    courses = [course(slug) for slug in ("later", "soon", "overdue", "far", "undated")]
    home = plan(
        courses,
        {
            "later": required("later", TODAY + timedelta(days=20)),
            "soon": required("soon", TODAY + timedelta(days=3)),
            "overdue": required("overdue", TODAY - timedelta(days=1)),
            "far": required("far", TODAY + timedelta(days=31)),
            "undated": required("undated"),
        },
    )
    assert slugs(home.due_soon) == ["overdue", "soon", "later"]
    assert home.due_soon[0].standing.state == OVERDUE
    assert slugs(home.to_do) == ["later", "soon", "overdue", "far", "undated"]


def test_finished_courses_come_newest_first_and_leave_the_other_lists():
    courses = [course("listening"), course("boundaries"), course("self-care")]
    home = plan(
        courses,
        {"boundaries": required("boundaries", TODAY + timedelta(days=5))},
        completed_on={"listening": date(2026, 5, 1), "boundaries": date(2027, 1, 10)},
    )
    assert slugs(home.finished) == ["boundaries", "listening"]
    assert slugs(home.offered) == ["self-care"] and home.to_do == () and home.due_soon == ()


def test_a_yearly_course_due_for_renewal_is_not_finished():
    courses = [course("ethics")]
    home = plan(courses, {"ethics": required("ethics", renew_yearly=True)}, completed_on={"ethics": TODAY - timedelta(days=360)})
    assert home.finished == ()
    assert slugs(home.to_do) == ["ethics"] and home.to_do[0].standing.renewal_open
    assert slugs(home.due_soon) == ["ethics"]
