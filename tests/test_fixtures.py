"""The shared app is put back as it was built after each test: no test sees another's leftovers."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency
from tests.conftest import SharedApp


def test_reset_empties_the_tables_and_restores_settings_and_caches(database_urls):
    shared = SharedApp(database_urls["sqlite"])
    app = shared.app
    try:
        with app.app_context():
            db.session.add(Agency(name="Left Over"))
            db.session.commit()
        base_url, headers = app.config["PUBLIC_BASE_URL"], list(app.config["WTF_CSRF_HEADERS"])
        app.config["PUBLIC_BASE_URL"] = "https://changed.example.org"
        app.config["WTF_CSRF_HEADERS"].append("X-Changed")
        app.extensions["agency_course_cache"] = {"stale": "course"}
        app.extensions["rendered_pages"].put("key", ("page",))

        shared.reset()

        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 0
        assert app.config["PUBLIC_BASE_URL"] == base_url and app.config["WTF_CSRF_HEADERS"] == headers
        assert "agency_course_cache" not in app.extensions
        assert len(app.extensions["rendered_pages"]) == 0
    finally:
        shared.close()
