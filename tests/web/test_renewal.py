"""The renewal tracker through its pages: templates, certifications, outside training and
its review, attendance at agency trainings, reports and reminders."""

import csv
import html
import io
import json
import zipfile
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from lms.extensions import db
from lms.models import Agency, AgencyTraining, Certificate, ExternalCeEntry, LearnerCertification, RenewalTemplate, SentReminder, User
from tests.conftest import Auth
from tests.smtp import DeliveredInbox, smtp_server
from tests.web.helpers import COURSE, GOOD_EVALUATION, finish_lessons, pass_check, pdf_text

PDF = b"%PDF-1.4\n% an outside certificate\n"
TODAY = date.today()


def client_for(app, make_user, *roles, **where):
    user = make_user(*roles, **where)
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user).status_code == 303
    return user, client, auth.token()


def add_template(client, token, **changes):
    form = {
        "name": "Demo State Board: peer specialist",
        "period_months": "24",
        "total_hours": "20",
        "category_minimums": "ethics: 3",
        "delivery_formats": ["self-paced-online", "in-person", "live-online"],
        "outside_hours_count": "yes",
        "outside_hours_need_verification": "yes",
        "csrf_token": token,
        **changes,
    }
    return client.post("/renewal/admin/templates", data=form)


def template_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(RenewalTemplate.id))


def add_certification(app, client, token, ends_on):
    return client.post(
        "/renewal/certifications",
        data={"template_id": str(template_id(app)), "number": "CPS-0042", "period_ends_on": ends_on.isoformat(), "csrf_token": token},
    )


def log_training(client, token, data=PDF, file_name="certificate.pdf", **changes):
    form = {
        "title": "Ethics in peer work",
        "provider": "Elsewhere Training",
        "taken_on": (TODAY - timedelta(days=3)).isoformat(),
        "hours": "2",
        "categories": "ethics: 2",
        "delivery_format": "live-online",
        "csrf_token": token,
        **changes,
    }
    form["file"] = (io.BytesIO(data), file_name)
    # Built by hand so its spooled request body is closed after (a large file goes to a temporary file).
    environ = EnvironBuilder(path="/renewal/entries", method="POST", data=form).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def entry(app):
    with app.app_context():
        return db.session.scalar(sa.select(ExternalCeEntry))


def test_admin_sets_up_a_requirement_and_bad_input_is_explained(app, make_user):
    _, admin, token = client_for(app, make_user, "admin", team=None)
    refused = add_template(admin, token, total_hours="lots", category_minimums="Ethics 3", delivery_formats=[])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "total hours as a number" in page and "Write each category as a name" in page and "Choose at least one" in page
    assert add_template(admin, token).status_code == 303
    listed = admin.get("/renewal/admin/templates").get_data(as_text=True)
    assert "Demo State Board: peer specialist" in listed and "ethics: 3" in listed
    assert add_template(admin, token).status_code == 422  # the same name twice


def test_peer_sees_hours_from_a_course_and_verified_outside_training(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    peer_user, peer, token = client_for(app, make_user, "peer")
    assert add_certification(app, peer, token, TODAY + timedelta(days=200)).status_code == 303
    page = peer.get("/renewal/").get_data(as_text=True)
    assert "0 of 20 hours" in page and "ethics: 0 of 3 hours" in page
    assert "Starting out as a peer" in page  # the catalog course that carries ethics hours
    profile = peer.get("/account/").get_data(as_text=True)
    assert "0 of 20 hours" in profile and "ethics: 0 of 3 hours" in profile and "days left" in profile

    finish_lessons(peer, token)
    pass_check(peer, token)
    peer.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    assert "0.5 of 20 hours" in peer.get("/renewal/").get_data(as_text=True)

    assert log_training(peer, token).status_code == 303
    page = peer.get("/renewal/").get_data(as_text=True)
    assert "Waiting for review" in page and "0.5 of 20 hours" in page  # not counted until verified

    queue = admin.get("/renewal/review").get_data(as_text=True)
    assert "Ethics in peer work" in queue
    entry_id = entry(app).id
    assert admin.post(f"/renewal/review/{entry_id}", data={"decision": "rejected", "csrf_token": admin_token}).status_code == 422
    assert admin.post(f"/renewal/review/{entry_id}", data={"decision": "verified", "csrf_token": admin_token}).status_code == 303
    page = peer.get("/renewal/").get_data(as_text=True)
    assert "2.5 of 20 hours" in page and "ethics: 2.5 of 3 hours" in page and "Verified by" in page

    file = peer.get(f"/renewal/entries/{entry_id}/file")
    assert file.status_code == 200 and file.data == PDF
    assert file.headers["Content-Type"] == "application/pdf"
    assert "no-store" in file.headers["Cache-Control"]
    assert file.headers["Content-Disposition"].startswith("attachment")
    assert admin.get(f"/renewal/entries/{entry_id}/file").data == PDF

    certification_id = peer.get("/renewal/").get_data(as_text=True).split("/renewal/certifications/")[1].split("/")[0]
    report = peer.get(f"/renewal/certifications/{certification_id}/report.pdf")
    assert report.status_code == 200 and "no-store" in report.headers["Cache-Control"]
    text = pdf_text(report.data)
    assert "Total hours 2.5" in text and "ethics 2.5" in text
    assert "Total: 2.5 of 20 hours: NOT MET" in text and "ethics: 2.5 of 3 hours: NOT MET" in text
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == peer_user.id))
    assert f"verification code {code}" in text
    assert "external (Elsewhere Training), verified by" in text

    bundle = zipfile.ZipFile(io.BytesIO(peer.get(f"/renewal/certifications/{certification_id}/report.zip").data))
    names = bundle.namelist()
    assert any(name.endswith(".pdf") and name.startswith("renewal_") for name in names)
    assert [bundle.read(name) for name in names if name.startswith("external/")] == [PDF]


def test_outside_certificates_are_checked_by_their_bytes_and_size(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    _, peer, token = client_for(app, make_user, "peer")
    disguised = log_training(peer, token, data=b"MZ\x90\x00 not really a pdf", file_name="certificate.pdf")
    assert disguised.status_code == 422 and "not a PDF, PNG or JPEG" in disguised.get_data(as_text=True)
    too_big = log_training(peer, token, data=b"%PDF-" + b"0" * (2 * 1024 * 1024), file_name="big.pdf")
    assert too_big.status_code == 422 and "too large" in too_big.get_data(as_text=True)
    future = log_training(peer, token, taken_on=(TODAY + timedelta(days=2)).isoformat())
    assert future.status_code == 422 and "in the future" in future.get_data(as_text=True)
    assert entry(app) is None
    png = log_training(peer, token, data=b"\x89PNG\r\n\x1a\n rest of a picture", file_name="photo.pdf")
    assert png.status_code == 303
    assert entry(app).file_mimetype == "image/png"


def test_report_csv_cells_cannot_run_as_formulas(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token, outside_hours_need_verification="")
    _, peer, token = client_for(app, make_user, "peer")
    add_certification(app, peer, token, TODAY + timedelta(days=30))
    log_training(peer, token, title='=HYPERLINK("http://evil.example","x")')
    certification_id = peer.get("/renewal/").get_data(as_text=True).split("/renewal/certifications/")[1].split("/")[0]
    rows = list(csv.reader(io.StringIO(peer.get(f"/renewal/certifications/{certification_id}/report.csv").get_data(as_text=True))))
    titles = [row[1] for row in rows if len(row) == 6 and row[0] != "date"]
    assert titles == ['\'=HYPERLINK("http://evil.example","x")']
    assert ["Total: 2 of 20 hours", "not met"] in rows


def test_supervisor_reviews_only_their_teams_and_records_attendance(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    north_user, north_peer, north_token = client_for(app, make_user, "peer", team="North")
    _, south_peer, south_token = client_for(app, make_user, "peer", team="South")
    log_training(north_peer, north_token, title="North training")
    log_training(south_peer, south_token, title="South training")
    supervisor_user, supervisor, supervisor_token = client_for(app, make_user, "supervisor", team=None)
    with app.app_context():
        from lms.models import Team

        user = db.session.get(User, supervisor_user.id)
        user.supervised_teams.append(db.session.scalar(sa.select(Team).where(Team.name == "North")))
        db.session.commit()
        south_entry = db.session.scalar(sa.select(ExternalCeEntry.id).where(ExternalCeEntry.title == "South training"))
    queue = supervisor.get("/renewal/review").get_data(as_text=True)
    assert "North training" in queue and "South training" not in queue
    assert (
        supervisor.post(f"/renewal/review/{south_entry}", data={"decision": "verified", "csrf_token": supervisor_token}).status_code == 404
    )
    assert supervisor.get(f"/renewal/entries/{south_entry}/file").status_code == 404  # files: learner and admins only

    recorded = supervisor.post(
        "/renewal/trainings",
        data={
            "title": "Agency ethics refresher",
            "held_on": (TODAY - timedelta(days=1)).isoformat(),
            "hours": "1.5",
            "categories": "ethics: 1.5",
            "attendees": [str(north_user.id), "999999"],
            "csrf_token": supervisor_token,
        },
    )
    assert recorded.status_code == 303
    with app.app_context():
        [certificate] = db.session.scalars(sa.select(Certificate).where(Certificate.course_title == "Agency ethics refresher"))
        assert certificate.user_id == north_user.id and certificate.delivery_format == "in-person"
        assert certificate.ce_categories == {"ethics": 1.5}
    attendance = pdf_text(north_peer.get(f"/certificates/{certificate.code}.pdf").data)
    assert "attended the training" in attendance and "ethics 1.5 hours" in attendance and "In-person training" in attendance
    badge = json.loads(north_peer.get(f"/certificates/{certificate.code}.json").data)
    about = app.test_client().get(badge["credentialSubject"]["achievement"]["id"].removeprefix("http://localhost"))
    assert about.status_code == 200 and "Agency ethics refresher" in about.get_data(as_text=True)
    assert "1.5 hours" in about.get_data(as_text=True) and "In-person training" in about.get_data(as_text=True)
    with app.app_context():
        assert f"<dd>{db.session.get(Agency, certificate.agency_id).name}</dd>" in about.get_data(as_text=True)  # held by
    other_agency = app.test_client().get(f"/agencies/{certificate.agency_id + 1}/courses/{certificate.course_slug}")
    assert other_agency.status_code == 404  # a training is found only under the agency that held it


def test_team_view_flags_renewal_at_risk_without_showing_hours(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    _, soon_peer, soon_token = client_for(app, make_user, "peer", team="North")
    add_certification(app, soon_peer, soon_token, TODAY + timedelta(days=60))
    supervisor_user, supervisor, _ = client_for(app, make_user, "supervisor", team=None)
    with app.app_context():
        from lms.models import Team

        user = db.session.get(User, supervisor_user.id)
        user.supervised_teams.append(db.session.scalar(sa.select(Team).where(Team.name == "North")))
        db.session.commit()
    page = supervisor.get("/supervise/").get_data(as_text=True)
    assert page.count("Renewal at risk") == 1
    assert "CPS-0042" not in page and "0 of 20" not in page


def test_renewal_reminders_go_once_at_90_and_30_days(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    peer_user, peer, token = client_for(app, make_user, "peer", team="North")
    ends_on = TODAY + timedelta(days=200)
    add_certification(app, peer, token, ends_on)
    supervisor_user, supervisor, supervisor_token = client_for(app, make_user, "supervisor", team=None)
    with app.app_context():
        from lms.models import Team

        user = db.session.get(User, supervisor_user.id)
        user.supervised_teams.append(db.session.scalar(sa.select(Team).where(Team.name == "North")))
        db.session.commit()
    supervisor.post("/renewal/alerts", data={"renewal_alerts": "yes", "csrf_token": supervisor_token})

    def send(day):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output

    with smtp_server() as (received, port):
        inbox = DeliveredInbox(received, app)  # reading it first runs the outbox worker
        send(ends_on - timedelta(days=100))
        assert inbox.messages == []
        send(ends_on - timedelta(days=90))
        assert sorted(m["to"][0] for m in inbox.messages) == sorted([peer_user.email, supervisor_user.email])
        text, _ = inbox.bodies([m["to"][0] for m in inbox.messages].index(peer_user.email))
        assert "0 of 20 hours" in text and "ethics" in text
        send(ends_on - timedelta(days=80))
        assert len(inbox.messages) == 2
        send(ends_on - timedelta(days=30))
        assert len(inbox.messages) == 4
        send(ends_on - timedelta(days=29))
        assert len(inbox.messages) == 4
    with app.app_context():
        kinds = db.session.scalars(sa.select(SentReminder.kind)).all()
        assert kinds == ["renewal"] * 4


# Each form's refusals: the message a person reads, and nothing saved.


def refusal(response) -> str:
    assert response.status_code == 422
    return html.unescape(response.get_data(as_text=True))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_requirement_form_explains_each_refusal_and_saves_nothing(app, make_user):
    _, admin, token = client_for(app, make_user, "admin", team=None)
    refused = [
        ({"name": "   "}, "Enter the name of the board and credential."),
        ({"name": "B" * 201}, "Keep the name of the board and credential under 200 characters."),
        ({"period_months": "two years"}, "Enter the period as a whole number of months."),
        ({"period_months": "1.5"}, "Enter the period as a whole number of months."),
        ({"period_months": "nan"}, "Enter the period as a whole number of months."),
        ({"period_months": "0"}, "Enter the period in months from 1 to 120."),
        ({"total_hours": "lots"}, "Enter the total hours as a number, such as 2 or 1.5."),
        ({"total_hours": "501"}, "Enter total hours from 0.25 to 500."),
        ({"category_minimums": "Ethics 3"}, "Write each category as a name, a colon and hours, such as 'ethics: 1' (not 'Ethics 3')."),
        ({"category_minimums": "ethics: 15, law: 6"}, "The category minimums add up to more than the total hours."),
        ({"delivery_formats": []}, "Choose at least one kind of training whose hours count."),
        ({"delivery_formats": ["by-carrier-pigeon"]}, "Choose at least one kind of training whose hours count."),
    ]
    for changes, message in refused:
        assert message in refusal(add_template(admin, token, **changes)), changes
    assert count(app, RenewalTemplate) == 0

    saved = add_template(
        admin, token, name="  Demo   Board ", period_months="24.0", delivery_formats=["in-person", "self-paced-online", "fax"]
    )
    assert saved.status_code == 303
    with app.app_context():
        template = db.session.scalar(sa.select(RenewalTemplate))
        assert (template.name, template.period_months) == ("Demo Board", 24)
        assert template.delivery_formats == ["self-paced-online", "in-person"]
    assert "Your agency already has a requirement with this name." in refusal(add_template(admin, token, name="demo board"))
    assert count(app, RenewalTemplate) == 1


def test_the_certification_form_explains_each_refusal_and_saves_nothing(app, make_user):
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    add_template(admin, admin_token)
    _, peer, token = client_for(app, make_user, "peer")
    with app.app_context():
        elsewhere = Agency(name="Another Agency")
        db.session.add(elsewhere)
        db.session.flush()
        theirs = RenewalTemplate(
            agency_id=elsewhere.id, name="Their board", period_months=12, total_hours=10, delivery_formats=["in-person"]
        )
        db.session.add(theirs)
        db.session.commit()
        their_template_id = theirs.id
    good = {"template_id": str(template_id(app)), "number": "CPS-0042", "period_ends_on": "2027-06-30", "csrf_token": token}
    refused = [
        ({"template_id": ""}, "Choose the requirement your board sets."),
        ({"template_id": "999999"}, "Choose the requirement your board sets."),
        ({"template_id": "99999999999999999999"}, "Choose the requirement your board sets."),
        ({"template_id": str(their_template_id)}, "Choose the requirement your board sets."),
        ({"number": " "}, "Enter the certification number."),
        ({"number": "9" * 101}, "Keep the certification number under 100 characters."),
        ({"period_ends_on": "30/06/2027"}, "Enter the date your current period ends like 2027-06-30."),
    ]
    for changes, message in refused:
        assert message in refusal(peer.post("/renewal/certifications", data={**good, **changes})), changes
    assert count(app, LearnerCertification) == 0


def test_the_outside_training_form_explains_each_refusal_and_saves_nothing(app, make_user):
    _, peer, token = client_for(app, make_user, "peer")
    refused = [
        ({"title": ""}, "Enter the title of the training."),
        ({"provider": "P" * 201}, "Keep the provider (who gave the training) under 200 characters."),
        ({"taken_on": "last week"}, "Enter the date of the training like 2027-06-30."),
        ({"hours": "two"}, "Enter the hours as a number, such as 2 or 1.5."),
        ({"hours": "0.1"}, "Enter hours from 0.25 to 100."),
        ({"categories": "ethics: 3"}, "The category hours add up to more than the hours of the training."),
        ({"delivery_format": "by-fax"}, "Choose how the training was given."),
    ]
    for changes, message in refused:
        page = refusal(log_training(peer, token, **changes))
        assert message in page and "The training is not logged" in page, changes
    assert 'value="Ethics in peer work"' in refusal(log_training(peer, token, hours="two"))  # what was typed is kept
    no_file = refusal(log_training(peer, token, data=b""))
    assert "Attach the certificate you were given (a PDF, PNG or JPEG file)." in no_file
    assert entry(app) is None


def supervisor_of_north(app, make_user):
    supervisor_user, supervisor, token = client_for(app, make_user, "supervisor", team=None)
    with app.app_context():
        from lms.models import Team

        user = db.session.get(User, supervisor_user.id)
        user.supervised_teams.append(db.session.scalar(sa.select(Team).where(Team.name == "North")))
        db.session.commit()
    return supervisor, token


def test_the_attendance_form_explains_each_refusal_and_saves_nothing(app, make_user):
    north_user = make_user("peer", team="North")
    south_user = make_user("peer", team="South")
    supervisor, token = supervisor_of_north(app, make_user)
    good = {
        "title": "Agency ethics refresher",
        "held_on": (TODAY - timedelta(days=1)).isoformat(),
        "hours": "1.5",
        "categories": "ethics: 1.5",
        "attendees": [str(north_user.id)],
        "csrf_token": token,
    }
    refused = [
        ({"title": " "}, "Enter the title of the training."),
        ({"held_on": "yesterday"}, "Enter the date of the training like 2027-06-30."),
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "The date is in the future. Record attendance after the training."),
        ({"hours": "25"}, "Enter hours from 0.25 to 24."),
        ({"categories": "ethics: 2"}, "The category hours add up to more than the hours of the training."),
        ({"attendees": []}, "Choose at least one person from your teams who attended."),
        ({"attendees": [str(south_user.id), "²"]}, "Choose at least one person from your teams who attended."),
    ]
    for changes, message in refused:
        assert message in refusal(supervisor.post("/renewal/trainings", data={**good, **changes})), changes
    assert count(app, AgencyTraining) == 0 and count(app, Certificate) == 0

    kept = refusal(supervisor.post("/renewal/trainings", data={**good, "title": ""}))
    assert f'value="{north_user.id}" checked' in kept  # the people ticked stay ticked


def test_a_review_needs_a_decision_and_a_rejection_needs_a_reason(app, make_user):
    _, peer, token = client_for(app, make_user, "peer", team="North")
    assert log_training(peer, token).status_code == 303
    _, admin, admin_token = client_for(app, make_user, "admin", team=None)
    entry_id = entry(app).id
    refused = [
        ({}, "Choose whether to verify or reject the entry."),
        ({"decision": "approved"}, "Choose whether to verify or reject the entry."),
        ({"decision": "rejected", "reason": "   "}, "Give a reason for rejecting the entry. The learner sees it."),
    ]
    for changes, message in refused:
        assert message in refusal(admin.post(f"/renewal/review/{entry_id}", data={**changes, "csrf_token": admin_token})), changes
    assert entry(app).status == "pending"

    rejected = admin.post(
        f"/renewal/review/{entry_id}", data={"decision": "rejected", "reason": " No  hours\non it ", "csrf_token": admin_token}
    )
    assert rejected.status_code == 303
    assert "Not accepted: No hours on it" in peer.get("/renewal/").get_data(as_text=True)
