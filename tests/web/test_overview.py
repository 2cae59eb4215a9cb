"""What My learning reads of one learner: progress, completions, this year's hours, rules and paths."""

from datetime import date, datetime, timedelta, timezone

from lms.extensions import db
from lms.models import Assignment, CourseCompletion, LearningPath, LessonProgress, User
from lms.services.overview import overview_of

TODAY = date(2026, 11, 28)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def completion(user_id, slug, day, hours, round_=1):
    return CourseCompletion(
        user_id=user_id, course_slug=slug, round=round_, course_title=slug, course_version="v1", completed_at=at(day), ce_hours=hours
    )


def test_overview_reads_one_learners_progress_completions_hours_and_paths(app, agency, make_user):
    peer = make_user("peer", team="North")
    clinician = make_user("clinician", team="South")
    no_team = make_user("supervisor", team=None)
    with app.app_context():
        paths = [LearningPath(agency_id=agency.id, slug=f"path-{n}", title=f"Path {n}", course_slugs=["starting-out"]) for n in range(5)]
        db.session.add_all(paths)
        db.session.flush()
        north_id = db.session.get(User, peer.id).team_id
        rule = {"agency_id": agency.id, "course_slug": "starting-out"}
        db.session.add_all(
            [
                LessonProgress(
                    user_id=peer.id,
                    course_slug="starting-out",
                    lesson_id="welcome",
                    first_viewed_at=at(TODAY - timedelta(days=3)),
                    completed_at=at(TODAY - timedelta(days=2)),
                ),
                LessonProgress(
                    user_id=peer.id, course_slug="starting-out", lesson_id="listening", first_viewed_at=at(TODAY - timedelta(days=1))
                ),
                LessonProgress(user_id=clinician.id, course_slug="team-orientation", lesson_id="the-peer-role", first_viewed_at=at(TODAY)),
                completion(peer.id, "team-orientation", date(2025, 12, 31), 1.0),  # last year: not in this year's hours
                completion(peer.id, "team-orientation", date(2026, 3, 1), 0.5, round_=2),  # renewed this year
                completion(clinician.id, "team-orientation", date(2026, 4, 1), 2.0),
                Assignment(**rule, role="peer", due_on=TODAY + timedelta(days=10)),
                Assignment(**rule, user_id=peer.id, path_id=paths[0].id),
                Assignment(**rule, team_id=north_id, path_id=paths[1].id),
                Assignment(**rule, role="peer", path_id=paths[2].id),
                Assignment(**rule, role="clinician", path_id=paths[3].id),
                Assignment(**rule, user_id=clinician.id, path_id=paths[4].id),
            ]
        )
        db.session.commit()
        catalog = app.extensions["catalog"]

        learner = overview_of(db.session.get(User, peer.id), catalog, TODAY)
        assert learner.path_ids == {paths[0].id, paths[1].id, paths[2].id}
        assert list(learner.requirements) == ["starting-out"] and learner.requirements["starting-out"].due_on == TODAY + timedelta(days=10)
        started = learner.progress["starting-out"]
        assert started.completed == {"welcome"} and started.started and not learner.progress["team-orientation"].started
        assert learner.completed_on == {"team-orientation": date(2026, 3, 1)}
        assert learner.last_activity == {"starting-out": at(TODAY - timedelta(days=1))}
        assert learner.hours_this_year == 0.5

        # No team: a path assigned to a role they lack, or to another person, is not theirs.
        unassigned = overview_of(db.session.get(User, no_team.id), catalog, TODAY)
        assert unassigned.path_ids == frozenset() and unassigned.requirements == {}
        assert unassigned.hours_this_year == 0.0 and unassigned.last_activity == {} and unassigned.completed_on == {}
