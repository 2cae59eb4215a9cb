"""The learner's home, My learning: what one learner's page is made of on one day.

It reads the learner's facts in one statement (and the steps of their learning paths, when
they have any), and names the page by everything it is made from, so the page can be kept
and reused until one of those changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms.domain.courses import Catalog
from lms.domain.learner_home import plan_home
from lms.models import User
from lms.services.learning_paths import PathProgress, paths_for
from lms.services.overview import Overview, overview_of


@dataclass(frozen=True)
class LearnerHome:
    key: tuple  # everything the page shows apart from the learner's name: equal keys, the same page
    roles: frozenset[str]
    catalog: Catalog
    learner: Overview
    paths: list[PathProgress]
    today: date

    def page(self) -> dict:
        """What the page shows, worked out from the facts already read (no query)."""
        learner = self.learner
        return {
            "home": plan_home(
                self.catalog,
                roles=self.roles,
                requirements=learner.requirements,
                progress=learner.progress,
                completed_on=learner.completed_on,
                last_activity=learner.last_activity,
                today=self.today,
            ),
            "progress_by_course": learner.progress,
            "hours_this_year": learner.hours_this_year,
            "year": self.today.year,
            "paths": self.paths,
        }


def learner_home(user: User, catalog: Catalog, today: date) -> LearnerHome:
    learner = overview_of(user, catalog, today)
    paths = paths_for(learner.path_ids, catalog, learner.completed_on)
    # Everything the page is made from: the person's facts, the catalog's versions, the paths' steps, the day.
    key = (
        user.id,
        user.agency_id,
        user.team_id,
        user.joined_on,
        user.roles,
        learner.facts,
        today,
        tuple((course.slug, course.version) for course in catalog),
        tuple((item.path.id, item.path.title, tuple(item.path.course_slugs)) for item in paths),
    )
    return LearnerHome(key, user.roles, catalog, learner, paths, today)
