"""Assignment rules and standings, without Flask."""

from datetime import date, timedelta

from lms.domain.assignments import (
    COMPLETE,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    Person,
    Rule,
    due_soon,
    requirements_for,
    standing,
)

JOINED = date(2026, 1, 10)
CLINICIAN = Person(id=7, team_id=2, roles=frozenset({"clinician"}), joined_on=JOINED)
PEER = Person(id=8, team_id=1, roles=frozenset({"peer"}), joined_on=JOINED)


def test_role_rule_reaches_everyone_with_the_role_including_later_joiners():
    rule = Rule(id=1, course_slug="peer-role-for-clinicians", role="clinician", due_days_after_joining=30)
    later = Person(id=99, team_id=None, roles=frozenset({"clinician"}), joined_on=date(2026, 6, 1))
    assert requirements_for(CLINICIAN, [rule])["peer-role-for-clinicians"].due_on == JOINED + timedelta(days=30)
    assert requirements_for(later, [rule])["peer-role-for-clinicians"].due_on == date(2026, 7, 1)
    assert requirements_for(PEER, [rule]) == {}


def test_team_and_person_rules_and_the_earliest_date_wins():
    rules = [
        Rule(id=1, course_slug="self-care", team_id=1, due_on=date(2026, 5, 1)),
        Rule(id=2, course_slug="self-care", user_id=8, due_on=date(2026, 3, 1)),
        Rule(id=3, course_slug="boundaries", user_id=9, due_on=date(2026, 3, 1)),
    ]
    found = requirements_for(PEER, rules)
    assert list(found) == ["self-care"]
    assert found["self-care"].due_on == date(2026, 3, 1) and found["self-care"].rule_ids == (1, 2)


def test_standing_states():
    rule = Rule(id=1, course_slug="x", role="peer", due_on=date(2026, 3, 1))
    requirement = requirements_for(PEER, [rule])["x"]
    assert standing(requirement, None, False, date(2026, 2, 1)).state == NOT_STARTED
    assert standing(requirement, None, True, date(2026, 2, 1)).state == IN_PROGRESS
    assert standing(requirement, None, True, date(2026, 3, 2)).state == OVERDUE
    done = standing(requirement, date(2026, 3, 5), True, date(2026, 4, 1))
    assert done.state == COMPLETE and done.completed_on == date(2026, 3, 5)
    assert standing(None, None, False, date(2026, 4, 1)).state == NOT_STARTED  # offered, not required


def test_yearly_renewal_opens_before_the_anniversary_and_goes_overdue_after():
    rule = Rule(id=1, course_slug="x", role="peer", renew_yearly=True, renew_days_before=30)
    requirement = requirements_for(PEER, [rule])["x"]
    completed = date(2026, 1, 15)
    assert standing(requirement, completed, True, date(2026, 12, 1)).state == COMPLETE
    opened = standing(requirement, completed, True, date(2026, 12, 20))
    assert opened.state == NOT_STARTED and opened.renewal_open and opened.due_on == date(2027, 1, 15)
    assert standing(requirement, completed, True, date(2027, 1, 16)).state == OVERDUE


def test_due_soon():
    status = standing(
        requirements_for(PEER, [Rule(id=1, course_slug="x", role="peer", due_on=date(2026, 3, 1))])["x"], None, False, date(2026, 2, 25)
    )
    assert due_soon(status, date(2026, 2, 25), 7)
    assert not due_soon(status, date(2026, 2, 1), 7)
