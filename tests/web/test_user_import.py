"""Importing people from a CSV file: preview every line, then write all or nothing."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Agency, AuditEvent, OutgoingMail, Team, User
from lms.services import people
from lms.services.data_export import person_document
from tests.conftest import Auth
from tests.smtp import DeliveredInbox, refused_port, smtp_server
from tests.sql_statements import recorded_statements

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "users.csv"
# The example's first nine people (lines 2-10) are the good ones; the rest are deliberately wrong.
CLEAN_EXAMPLE = "".join(EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:10])
NEW_PEOPLE = {
    "avery.johnson@example.org",
    "blake.martinez@example.org",
    "casey.nguyen@example.org",
    "dana.whitfield@example.org",
    "eli.thompson@example.org",
    "frankie.okoro@example.org",
    "gray.delgado@example.org",
    "harper.lin@example.org",
}
EXPECTED_RESULTS = {
    2: "Add",
    3: "Add",
    4: "Add",
    5: "Add",
    6: "Add",
    7: "Add",
    8: "Add",
    9: "Add",
    10: "Update",
    11: "Error",
    12: "Error",
    13: "Error",
    14: "Error",
    15: "Error",
    16: "Error",
}


@pytest.fixture(autouse=True)
def inbox(app):
    """Every test here mails a real SMTP server on loopback, never port 25."""
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield DeliveredInbox(inbox, app)


@pytest.fixture
def agency_teams(app, agency):
    with app.app_context():
        teams = [Team(agency_id=agency.id, name=name) for name in ("Peer Support Team", "Integrated Care Team")]
        db.session.add_all(teams)
        db.session.commit()


@pytest.fixture
def admin(make_user, agency_teams):
    make_user("supervisor", team=None, email="supervisor@example.org")
    make_user("peer", team=None, email="quinn.harris@example.org")  # the one line that updates someone
    return make_user("admin", team=None, email="admin@example.org")


@pytest.fixture
def token(auth, admin):
    auth.login(admin)
    return auth.token("/admin/people/import")


def upload(client, token, data: bytes, name="users.csv"):
    # Encoded here: the test client would leave a temporary file open for bodies over 500 KB.
    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post("/admin/people/import", data=body, content_type=f'multipart/form-data; boundary="{boundary}"')


def sealed_upload(page: str) -> str:
    return re.search(r'name="upload" value="([^"]+)"', page).group(1)


def confirm(client, token, sealed, rows):
    return client.post("/admin/people/import/confirm", data={"csrf_token": token, "upload": sealed, "rows": rows})


def results_by_line(page: str) -> dict[int, str]:
    return {int(line): result for line, result in re.findall(r'<th scope="row">(\d+)</th>\s*<td><strong>(\w+)</strong>', page)}


def snapshot(app):
    """Everything an import could write."""
    with app.app_context():
        users = db.session.scalars(sa.select(User).order_by(User.id)).all()
        return (
            [(u.email, u.name, u.team_id, sorted(u.roles), sorted(t.id for t in u.supervised_teams)) for u in users],
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        )


def user(app, email):
    with app.app_context():
        found = db.session.scalar(sa.select(User).where(User.email == email))
        return found and (
            found.name,
            sorted(found.roles),
            found.team and found.team.name,
            sorted(t.name for t in found.supervised_teams),
            found.password_hash,
        )


def test_the_example_preview_lists_every_line_and_writes_nothing(app, client, token):
    before = snapshot(app)
    response = upload(client, token, EXAMPLE.read_bytes())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert results_by_line(page) == EXPECTED_RESULTS
    for reason in (
        "“izzy.carter(at)example.org” is not a valid email address",
        "There is no team called “Night Shift Team”",
        "The same email is also on line 14",
        "The same email is also on line 13",
        "Unknown role: counselor",
        "blake.martinez@example.org is not a supervisor",
        "Name: Test Peer → Quinn Harris",
        "Team: none → Integrated Care Team",
    ):
        assert reason in page
    assert 'role="alert"' in page and "6 lines have errors" in page
    assert "Import all" not in page and 'value="all"' not in page  # no way to import a file with errors whole
    assert "Import only the 9 valid lines" in page
    assert snapshot(app) == before


def test_the_preview_shows_the_bad_team_in_its_line_and_marks_error_lines(client, token):
    page = upload(client, token, EXAMPLE.read_bytes()).get_data(as_text=True)
    rows = {int(line): row for row, line in re.findall(r'(<tr class="line-(?:\w+)">\s*<th scope="row">(\d+)</th>.*?</tr>)', page, re.S)}
    bad_team = [row for row in rows.values() if "There is no team called" in row]
    assert len(bad_team) == 1 and "<td>Night Shift Team</td>" in bad_team[0]
    assert 'class="line-error"' in bad_team[0]
    assert all('class="line-error"' not in row for line, row in rows.items() if EXPECTED_RESULTS[line] != "Error")


def test_importing_only_the_valid_lines_writes_exactly_those(app, client, token, inbox):
    before_users = len(snapshot(app)[0])
    page = upload(client, token, EXAMPLE.read_bytes()).get_data(as_text=True)
    response = confirm(client, token, sealed_upload(page), "valid")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/people"
    done = client.get("/admin/people").get_data(as_text=True)
    assert "Import done: 8 added, 1 updated. 6 lines with errors were skipped." in done
    assert "Invitations to 8 new people are on their way." in done

    with app.app_context():
        emails = set(db.session.scalars(sa.select(User.email)))
    assert len(emails) == before_users + 8 and NEW_PEOPLE < emails
    assert (
        not {
            "izzy.carter(at)example.org",
            "kai.brooks@example.org",
            "morgan.price@example.org",
            "river.stone@example.org",
            "sky.adams@example.org",
        }
        & emails
    )
    assert user(app, "gray.delgado@example.org") == ("Delgado, Gray", ["peer"], "Peer Support Team", [], None)
    assert user(app, "dana.whitfield@example.org")[1:4] == (["peer", "supervisor"], "Integrated Care Team", ["Integrated Care Team"])
    assert user(app, "supervisor@example.org")[3] == ["Peer Support Team"]
    assert user(app, "quinn.harris@example.org")[:3] == ("Quinn Harris", ["peer"], "Integrated Care Team")
    assert {tuple(m["to"]) for m in inbox.messages} == {(email,) for email in NEW_PEOPLE}

    with app.app_context():
        [summary] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "people.import")).all()
        created = db.session.scalars(sa.select(AuditEvent.subject).where(AuditEvent.action == "person.create")).all()
    assert summary.details == {"created": 8, "updated": 1, "skipped": 6} and summary.subject == "users.csv"
    assert set(created) == NEW_PEOPLE


def test_a_file_without_errors_is_imported_whole(app, client, token, inbox):
    page = upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    assert "Import all 9 lines" in page and "Import only" not in page
    response = confirm(client, token, sealed_upload(page), "all")
    assert response.status_code == 303
    assert "Import done: 8 added, 1 updated." in client.get("/admin/people").get_data(as_text=True)
    assert len(inbox.messages) == 8


def test_a_file_with_errors_cannot_be_imported_whole(app, client, token):
    before = snapshot(app)
    page = upload(client, token, EXAMPLE.read_bytes()).get_data(as_text=True)
    response = confirm(client, token, sealed_upload(page), "all")  # a forged "import all"
    assert response.status_code == 409
    assert "Some lines have errors, so nothing was imported" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_changes_since_the_preview_are_shown_before_anything_is_written(app, client, token, make_user):
    page = upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(sa.select(Team).where(Team.name == "Integrated Care Team")).active = False
        db.session.commit()
    before = snapshot(app)
    response = confirm(client, token, sealed_upload(page), "all")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Things changed since you saw the preview" in page and "The team “Integrated Care Team” is deactivated." in page
    assert snapshot(app) == before


def test_a_tampered_confirmation_is_refused(app, client, token):
    page = upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    before = snapshot(app)
    sealed = sealed_upload(page)
    response = confirm(client, token, sealed[:-3] + ("AAA" if not sealed.endswith("AAA") else "BBB"), "all")
    assert response.status_code == 400 and "This import form was changed or is incomplete" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_failure_while_writing_leaves_nothing_written(app, client, token, monkeypatch):
    page = upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    before = snapshot(app)

    def fail(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(people, "add_supervised_team", fail)  # runs after every person is written
    with pytest.raises(RuntimeError):
        confirm(client, token, sealed_upload(page), "all")
    assert snapshot(app) == before


def test_an_email_in_another_agency_is_an_error_that_does_not_name_it(app, client, token, make_user):
    with app.app_context():
        other = Agency(name="Elsewhere Services")
        db.session.add(other)
        db.session.commit()
    make_user("peer", team=None, agency_id=other.id, email="theirs@example.org")
    csv = "name,email,roles,team,supervisor_email\nTheir Person,theirs@example.org,peer,,\n"
    page = upload(client, token, csv.encode()).get_data(as_text=True)
    assert "This email belongs to an account in another agency." in page and "Elsewhere" not in page


@pytest.mark.parametrize(
    "data, message",
    [
        (b"full_name,mail,roles\nPat,pat@example.org,peer\n", "The first line must name exactly these columns"),
        ("name,email,roles,team,supervisor_email\nZoë Brandt,zoe@example.org,peer,,\n".encode("latin-1"), "not saved as UTF-8"),
        (b"", "The file is empty."),
        (b"name,email,roles,team,supervisor_email\n", "no people under them"),
    ],
)
def test_bad_files_are_explained_and_write_nothing(app, client, token, data, message):
    before = snapshot(app)
    response = upload(client, token, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "This file cannot be imported" in page and 'role="alert"' in page
    assert snapshot(app) == before


def test_a_ten_megabyte_file_gets_a_friendly_answer(app, client, token):
    before = snapshot(app)
    line = b"Pat Jones,pat@example.org,peer,,\n"
    response = upload(client, token, b"name,email,roles,team,supervisor_email\n" + line * (10_000_000 // len(line)))
    assert response.status_code == 413
    assert "That file is too big" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_byte_order_mark_is_fine(client, token):
    page = upload(client, token, b"\xef\xbb\xbf" + CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    assert "Import all 9 lines" in page


def test_no_file_chosen(client, token):
    response = client.post("/admin/people/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_people_are_kept_and_invitations_queued_when_mail_is_down(app, client, token):
    page = upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True)
    app.config["MAIL_PORT"] = refused_port()  # the request never talks to the mail server
    confirm(client, token, sealed_upload(page), "all")
    done = client.get("/admin/people").get_data(as_text=True)
    assert "Import done: 8 added, 1 updated." in done and "Invitations to 8 new people are on their way." in done
    assert user(app, "avery.johnson@example.org") is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail).where(OutgoingMail.status == "queued")) == 8


def test_the_cli_dry_run_prints_the_preview_and_fails_on_errors(app, runner, admin):
    before = snapshot(app)
    result = runner.invoke(args=["users", "import", str(EXAMPLE), "--agency", "test-agency", "--dry-run"])
    assert result.exit_code == 1
    assert re.search(r"^2 +create +avery\.johnson@example\.org", result.output, re.MULTILINE)
    assert re.search(r"^10 +update +quinn\.harris@example\.org .*Team: none → Integrated Care Team", result.output, re.MULTILINE)
    assert re.search(r"^14 +error +morgan\.price@example\.org .*also on line 13", result.output, re.MULTILINE)
    assert "8 to add, 1 to update, 6 with errors." in result.output
    assert "6 lines have errors; nothing was written." in result.output
    assert snapshot(app) == before
    # Without --dry-run a file with errors writes nothing either.
    assert runner.invoke(args=["users", "import", str(EXAMPLE), "--agency", "test-agency"]).exit_code == 1
    assert snapshot(app) == before


def test_the_cli_imports_a_clean_file_and_sends_invitations(app, runner, admin, tmp_path, inbox):
    clean = tmp_path / "clean.csv"
    clean.write_text(CLEAN_EXAMPLE, encoding="utf-8")
    before = snapshot(app)
    dry = runner.invoke(args=["users", "import", str(clean), "--agency", "test-agency", "--dry-run"])
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    assert snapshot(app) == before

    result = runner.invoke(args=["users", "import", str(clean), "--agency", "test-agency"])
    assert result.exit_code == 0, result.output
    assert "Imported: 8 added, 1 updated." in result.output and "Queued 8 invitations:" in result.output
    assert user(app, "eli.thompson@example.org")[2] == "Integrated Care Team" and len(inbox.messages) == 8
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "people.import"))
    assert event.actor_id is None and event.subject == "clean.csv"


def test_the_cli_never_creates_an_agency(runner, admin):
    result = runner.invoke(args=["users", "import", str(EXAMPLE), "--agency", "no-such-agency"])
    assert result.exit_code == 1 and "There is no agency with the slug 'no-such-agency'." in result.output
    by_name = runner.invoke(args=["users", "import", str(EXAMPLE), "--agency", "Test Agency"])
    assert by_name.exit_code == 1 and "use --agency test-agency" in by_name.output


def test_the_cli_refuses_a_bad_file(runner, admin, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,email,roles,team,supervisor_email\nZoë,zoe@example.org,peer,,\n".encode("latin-1"))
    result = runner.invoke(args=["users", "import", str(latin), "--agency", "test-agency"])
    assert result.exit_code == 1 and "not saved as UTF-8" in result.output


def test_sending_the_confirmation_twice_imports_once(app, client, token, inbox):
    sealed = sealed_upload(upload(client, token, CLEAN_EXAMPLE.encode()).get_data(as_text=True))
    assert confirm(client, token, sealed, "all").status_code == 303
    after_first = snapshot(app)
    again = confirm(client, token, sealed, "all")
    assert again.status_code == 409 and "Things changed since you saw the preview" in again.get_data(as_text=True)
    assert snapshot(app) == after_first and len(inbox.messages) == 8


def visible_rows(page: str, table_label: str) -> list[list[str]]:
    """The text of each body row of the page's table in the region labelled so, cell by cell."""
    table = re.search(rf'aria-label="{table_label}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def what_the_admin_sees(app, client, inbox, sent_before: int, agency_name: str, domain: str) -> dict:
    """The people list, the log's "Person added" entries (without their time) and the mails
    sent, with the agency's name and email domain written the same for every agency."""

    def same_for_every_agency(text):
        return re.sub(r"https?://\S+", "LINK", text.replace(agency_name, "AGENCY").replace(domain, "DOMAIN"))

    people_rows = visible_rows(client.get("/admin/people").get_data(as_text=True), "Scrollable table")
    log_rows = visible_rows(client.get("/admin/audit?action=person.create").get_data(as_text=True), "Audit log entries")
    mails = [
        (message["to"], message["subject"], inbox.bodies(sent_before + index)) for index, message in enumerate(inbox.messages[sent_before:])
    ]
    return {
        "people": [[same_for_every_agency(cell) for cell in row] for row in people_rows],
        "log": [[same_for_every_agency(cell) for cell in row[:-1]] for row in log_rows],
        "mails": sorted(
            (same_for_every_agency(" ".join(to)), subject, [same_for_every_agency(body) for body in bodies])
            for to, subject, bodies in mails
        ),
    }


def test_an_import_of_new_people_is_the_same_as_adding_them_one_by_one(app, client, inbox, make_user):
    newcomers = [  # name, email's local part, roles, team
        ("Ana Ortiz", "ana", ["peer"], "North"),
        ("Ben Cole", "ben", ["peer", "supervisor"], "South"),
        ("Cy Dunn", "cy", ["clinician"], None),
    ]
    importer = make_user("admin", team=None, email="admin@one.example.org")
    with app.app_context():
        second = Agency(name="Second Agency")
        second_teams = {name: Team(agency=second, name=name) for name in ("North", "South")}
        db.session.add_all([second, *second_teams.values()])
        db.session.commit()
        second_id, second_team_ids = second.id, {name: team.id for name, team in second_teams.items()}
    one_by_one = make_user("admin", team=None, email="admin@two.example.org", agency_id=second_id)

    auth = Auth(client)
    auth.login(importer)
    token = auth.token("/admin/people/import")
    lines = ["name,email,roles,team,supervisor_email"]
    lines += [f"{name},{local}@one.example.org,{';'.join(roles)},{team or ''}," for name, local, roles, team in newcomers]
    page = upload(client, token, ("\n".join(lines) + "\n").encode()).get_data(as_text=True)
    assert confirm(client, token, sealed_upload(page), "all").status_code == 303
    imported = what_the_admin_sees(app, client, inbox, 0, "Test Agency", "one.example.org")

    second_client = app.test_client()
    second_auth = Auth(second_client)
    second_auth.login(one_by_one)
    token = second_auth.token("/admin/people/new")
    for name, local, roles, team in newcomers:
        form = {
            "csrf_token": token,
            "name": name,
            "email": f"{local}@two.example.org",
            "roles": roles,
            "team": str(second_team_ids[team]) if team else "",
            "supervised_teams": [],
            "joined_on": date.today().isoformat(),
        }
        assert second_client.post("/admin/people", data=form).status_code == 303
    added = what_the_admin_sees(app, second_client, inbox, len(imported["mails"]), "Second Agency", "two.example.org")

    assert len(imported["people"]) == 4 and len(imported["log"]) == 3 and len(imported["mails"]) == 3
    assert imported == added
    assert ["Ben Cole", "ben@DOMAIN", "Peer support specialist, Supervisor", "South", "Invited, has not set a password yet"] in added[
        "people"
    ]
    assert "Added ben@DOMAIN. Name: Ben Cole Roles: peer, supervisor Team: South" in added["log"][1][0]
    assert "Hello Ben Cole," in added["mails"][1][2][0]
    with app.app_context():  # and the rows behind them, as the person's data export shows them
        profiles = [
            person_document(db.session.scalar(sa.select(User).where(User.email == email)), app.extensions["vault"])["profile"]
            for email in ("ben@one.example.org", "ben@two.example.org")
        ]
    for profile in profiles:
        assert profile.pop("account_created_at") is not None
        del profile["email"], profile["agency"]
    assert profiles[0] == profiles[1]


def test_new_people_are_written_in_as_many_insert_statements_for_500_as_for_50(app, client, token, inbox):
    def inserts_of_an_import(people: int, start: int) -> list[str]:
        lines = ["name,email,roles,team,supervisor_email"]
        lines += [f"Person {n},person{n}@example.org,peer,Peer Support Team," for n in range(start, start + people)]
        page = upload(client, token, ("\n".join(lines) + "\n").encode()).get_data(as_text=True)
        with recorded_statements(app) as statements:
            assert confirm(client, token, sealed_upload(page), "all").status_code == 303
        return [statement for statement in statements if statement.lstrip().upper().startswith("INSERT")]

    fifty, five_hundred = inserts_of_an_import(50, 0), inserts_of_an_import(500, 50)
    # People, their roles, their "Person added" entries, the import's own entry, the invitations.
    assert len(fifty) == len(five_hundred) == 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email.like("person%"))) == 550


def test_a_file_of_updates_only_adds_nobody(app, client, token, inbox):
    page = upload(client, token, b"name,email,roles,team,supervisor_email\nQuinn Harris,quinn.harris@example.org,peer,,\n").get_data(
        as_text=True
    )
    before = len(snapshot(app)[0])
    assert confirm(client, token, sealed_upload(page), "all").status_code == 303
    assert "Import done: 0 added, 1 updated." in client.get("/admin/people").get_data(as_text=True)
    assert len(snapshot(app)[0]) == before and user(app, "quinn.harris@example.org")[0] == "Quinn Harris"
    assert inbox.messages == []
