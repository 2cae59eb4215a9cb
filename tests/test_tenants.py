"""Agencies cannot take each other's names, and the command line names them by slug."""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db
from lms.models import Agency, User
from tests.conftest import Auth, make_config

SETTINGS = {"default_pass_mark": "80", "reminder_days_before": "7"}


def rename(app, admin_user, name):
    client = app.test_client()
    auth = Auth(client)
    auth.login(admin_user)
    return client.post("/admin/settings", data={**SETTINGS, "name": name, "csrf_token": auth.token("/admin/settings")})


def create_admin(runner, *agency_args, email="first.admin@new-customer.org"):
    return runner.invoke(
        args=["users", "create", "--email", email, "--name", "First Admin", "--password", "a-long-enough-password", *agency_args]
    )


def agency_of(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return user and user.agency.slug


def test_squatting_a_new_customers_name_gets_the_squatter_nothing(app, runner, make_user, agency):
    squatter = make_user("admin")
    assert rename(app, squatter, "New Customer Services").status_code == 303  # nobody has the name yet

    # The operator sets up the real customer: the name is not a slug, so nothing is picked by name…
    by_name = create_admin(runner, "--agency", "New Customer Services")
    assert by_name.exit_code != 0 and "is an agency's name, not its slug" in by_name.output
    guessed_slug = create_admin(runner, "--agency", "new-customer-services")
    assert guessed_slug.exit_code != 0 and "There is no agency with the slug 'new-customer-services'" in guessed_slug.output
    # …and creating it says plainly that the name is taken, and by which agency.
    created = create_admin(runner, "--create-agency", "new customer  SERVICES")
    assert created.exit_code != 0 and "already exists (slug test-agency)" in created.output
    assert agency_of(app, "first.admin@new-customer.org") is None  # the squatter's agency received no one

    made = create_admin(runner, "--create-agency", "New Customer Services of Ohio")
    assert made.exit_code == 0, made.output
    assert agency_of(app, "first.admin@new-customer.org") == "new-customer-services-of-ohio"


def test_renaming_to_an_existing_agencys_name_is_refused(app, make_user, agency):
    with app.app_context():
        db.session.add(Agency(name="Riverside Community Services"))
        db.session.commit()
    response = rename(app, make_user("admin"), "  riverside community   services ")
    assert response.status_code == 422
    assert "Another agency already uses the name" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agency, agency.id).name == "Test Agency"
    assert rename(app, make_user("admin"), "test AGENCY").status_code == 303  # its own name, in another case


def test_the_database_refuses_two_agencies_with_one_name(app):
    with app.app_context():
        db.session.add_all([Agency(name="Same Name", slug="one"), Agency(name="same name", slug="two")])
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_create_agency_and_agency_are_explicit_and_exclusive(runner, agency):
    both = create_admin(runner, "--agency", "test-agency", "--create-agency", "Other")
    neither = create_admin(runner)
    assert both.exit_code == neither.exit_code == 2 and "exactly one of" in both.output + neither.output
    slug_taken = create_admin(runner, "--create-agency", "Another Name", "--slug", "test-agency")
    assert slug_taken.exit_code != 0 and "The slug 'test-agency' is taken" in slug_taken.output
    assert create_admin(runner, "--agency", "test-agency").exit_code == 0
    listed = runner.invoke(args=["agencies", "list"])
    assert "test-agency  Test Agency" in listed.output


@pytest.fixture
def scratch_database_url(backend, tmp_path):
    """An empty database of its own, to run the migrations on step by step."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    server = sa.make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"{server.database}_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_migration_backfills_slugs_and_tells_duplicate_names_apart(scratch_database_url):
    app = create_app(make_config(scratch_database_url))
    with app.app_context():
        upgrade(revision="0009_renewal")  # the revision before the fleet one
        with db.engine.begin() as connection:
            for name in ("Riverside", "riverside", "Hope House", "RIVERSIDE ", "Ünïcode Ågency", "!!!"):
                connection.execute(
                    sa.text(
                        "INSERT INTO agency (name, created_at, default_pass_mark, reminder_days_before)"
                        " VALUES (:name, CURRENT_TIMESTAMP, 80, 7)"
                    ),
                    {"name": name},
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT name, slug, name_key FROM agency ORDER BY id")).all()
        db.engine.dispose()
    assert rows == [
        ("Riverside", "riverside", "riverside"),
        ("riverside (2)", "riverside-2", "riverside (2)"),
        ("Hope House", "hope-house", "hope house"),
        ("RIVERSIDE  (3)", "riverside-3", "riverside (3)"),
        ("Ünïcode Ågency", "unicode-agency", "ünïcode ågency"),
        ("!!!", "agency", "!!!"),
    ]
