"""Who is reminded of what, and who gets a digest: the pure selection rules, without Flask."""

from datetime import date, timedelta

from lms.domain.assignments import OVERDUE, Person, Rule
from lms.domain.reminders import DIGEST, DUE_SOON, Learner, Supervisor, due_courses, plan, week_key

TODAY = date(2030, 3, 6)  # a Wednesday in ISO week 10
TITLES = {"a": "Course A", "b": "Course B", "c": "Course C"}
NORTH, SOUTH = 1, 2


def person(id, team_id=NORTH, roles=("peer",), joined_on=date(2029, 1, 1)):
    return Person(id, team_id, frozenset(roles), joined_on)


def learner(id, team_id=NORTH, name=None):
    return Learner(person(id, team_id), name or f"Person {id}", f"p{id}@example.org", {NORTH: "North", SOUTH: "South"}.get(team_id))


def rule(id, slug, days_from_today=None, **target):
    due = TODAY + timedelta(days=days_from_today) if days_from_today is not None else None
    return Rule(id=id, course_slug=slug, due_on=due, **(target or {"role": "peer"}))


def run(learners, rules, supervisors=(), completions=None, sent=frozenset(), within=7):
    return plan(learners, supervisors, rules, completions or {}, TITLES, set(sent), TODAY, within)


def test_due_soon_overdue_and_the_rest_left_out():
    rules = [
        rule(1, "a", 3),  # due in 3 days: due soon
        rule(2, "b", -1),  # was due yesterday: overdue
        rule(3, "c", 30),  # too far off
    ]
    found = due_courses(person(5), rules, {}, TITLES, TODAY, 7)
    assert [(c.kind, c.course_slug) for c in found] == [(OVERDUE, "b"), (DUE_SOON, "a")]
    assert found[0].key == f"b:{TODAY - timedelta(days=1)}"


def test_the_edges_of_the_window():
    rules = [rule(1, "a", 0), rule(2, "b", 7), rule(3, "c", 8)]
    found = due_courses(person(5), rules, {}, TITLES, TODAY, 7)
    assert {c.course_slug: c.kind for c in found} == {"a": DUE_SOON, "b": DUE_SOON}


def test_completed_undated_and_unknown_courses_are_not_mentioned():
    rules = [rule(1, "a", -5), rule(2, "b"), rule(3, "gone", -5)]
    completions = {(5, "a"): TODAY - timedelta(days=10)}
    assert due_courses(person(5), rules, completions, TITLES, TODAY, 7) == []


def test_a_yearly_renewal_is_a_new_key():
    renew = Rule(id=1, course_slug="a", role="peer", due_on=date(2029, 1, 1), renew_yearly=True, renew_days_before=30)
    completions = {(5, "a"): TODAY - timedelta(days=365 - 4)}
    [course] = due_courses(person(5), [renew], completions, TITLES, TODAY, 7)
    assert course.kind == DUE_SOON and course.due_on == TODAY + timedelta(days=4)
    assert course.key == f"a:{TODAY + timedelta(days=4)}"


def test_one_reminder_per_learner_listing_every_course():
    result = run([learner(5)], [rule(1, "a", 3), rule(2, "b", -2)])
    [reminder] = result.reminders
    assert reminder.email == "p5@example.org"
    assert [c.course_slug for c in reminder.overdue] == ["b"] and [c.course_slug for c in reminder.due_soon] == ["a"]
    assert set(reminder.records) == {(DUE_SOON, f"a:{TODAY + timedelta(days=3)}"), (OVERDUE, f"b:{TODAY - timedelta(days=2)}")}
    assert reminder.subject == "Reminder: you have 2 courses to finish, and some are past due"


def test_nothing_is_sent_twice_but_overdue_follows_due_soon():
    rules = [rule(1, "a", 3)]
    [first] = run([learner(5)], rules).reminders
    sent = {(5, kind, key) for kind, key in first.records}
    assert run([learner(5)], rules, sent=sent).reminders == ()
    later = plan([learner(5)], [], rules, {}, TITLES, sent, TODAY + timedelta(days=4), 7)
    [overdue] = later.reminders
    assert overdue.records == ((OVERDUE, f"a:{TODAY + timedelta(days=3)}"),)
    assert overdue.subject == "Reminder: Course A is past due"


def test_a_new_course_brings_a_mail_that_also_lists_the_old_one():
    rules = [rule(1, "a", -2), rule(2, "b", 5)]
    sent = {(5, OVERDUE, f"a:{TODAY - timedelta(days=2)}")}
    [reminder] = run([learner(5)], rules, sent=sent).reminders
    assert [c.course_slug for c in reminder.courses] == ["a", "b"]
    assert reminder.records == ((DUE_SOON, f"b:{TODAY + timedelta(days=5)}"),)


def test_digest_lists_overdue_people_on_the_supervisors_own_teams_only():
    learners = [learner(5, NORTH, "Zoe"), learner(6, NORTH, "Al"), learner(7, SOUTH, "South person")]
    rules = [rule(1, "a", -3), rule(2, "b", 2)]
    boss = Supervisor(20, "Boss", "boss@example.org", frozenset({NORTH}))
    [digest] = run(learners, rules, [boss]).digests
    assert digest.week == "2030-W10" and digest.records == ((DIGEST, "2030-W10"),)
    assert [(i.person_name, i.course_title) for i in digest.items] == [("Al", "Course A"), ("Zoe", "Course A")]
    assert digest.subject == "Weekly update: 2 overdue courses on your teams"


def test_no_digest_when_nothing_is_overdue_opted_out_or_already_sent_this_week():
    rules = [rule(1, "a", 2)]
    boss = Supervisor(20, "Boss", "boss@example.org", frozenset({NORTH}))
    assert run([learner(5)], rules, [boss]).digests == ()
    late = [rule(1, "a", -2)]
    assert run([learner(5)], late, [Supervisor(20, "B", "b@example.org", frozenset({NORTH}), True)]).digests == ()
    assert run([learner(5)], late, [boss], sent={(20, DIGEST, "2030-W10")}).digests == ()
    assert len(run([learner(5)], late, [boss], sent={(20, DIGEST, "2030-W09")}).digests) == 1


def test_the_digest_still_lists_overdue_items_the_learner_was_already_reminded_of():
    late = [rule(1, "a", -2)]
    boss = Supervisor(20, "Boss", "boss@example.org", frozenset({NORTH}))
    result = run([learner(5)], late, [boss], sent={(5, OVERDUE, f"a:{TODAY - timedelta(days=2)}")})
    assert result.reminders == () and len(result.digests[0].items) == 1


def test_week_key_uses_the_iso_year():
    assert week_key(date(2030, 12, 30)) == "2031-W01"
    assert week_key(date(2027, 1, 1)) == "2026-W53"
