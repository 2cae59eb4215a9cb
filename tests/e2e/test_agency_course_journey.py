"""An agency writes its own course in the browser and one of its peers earns a certificate.

The admin writes a three-lesson course with a check, sees the checker's error at its line,
fixes it, publishes, and assigns the course to a team; a peer on that team completes it
and downloads the certificate. Once with JavaScript (the live preview shows the error as
the admin types) and once without (the Preview button shows it). It runs in an agency of
its own, so the other browser tests never see the course.
"""

import re
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from tests.e2e.support import BROWSER_MISSING, PASSWORD, Person

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from lms.domain.course_files import load_files  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import Agency, Team  # noqa: E402
from lms.services.accounts import create_user  # noqa: E402
from tests.e2e.support import CERTIFICATE_CODE, log_in, url_ending  # noqa: E402

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "agency-courses" / "our-supervision-routine"
FILES = {path.name: path.read_text(encoding="utf-8") for path in FIXTURE.iterdir()}
LESSON_FILES = sorted(name for name in FILES if name[:2].isdigit())


def people_of_a_new_agency(live_server, label):
    """An admin, and a peer on the team the course will be assigned to, in an agency of their own."""
    with live_server.app.app_context():
        agency = Agency(name=f"Lakeside Peer Services {label}")
        db.session.add(agency)
        db.session.flush()
        team = Team(agency_id=agency.id, name="Outreach Team")
        db.session.add(team)
        db.session.flush()
        people = []
        for role in ("admin", "peer"):
            user = create_user(
                agency,
                f"{role}-{label}@lakeside.example.org",
                f"Lee {role.title()} {label}",
                [role],
                None,
                team if role == "peer" else None,
            )
            user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
            people.append(Person(email=user.email, name=user.name))
        db.session.commit()
    return people


def file_box(page, name):
    """The textarea of one course file (its section is named after the file too)."""
    return page.get_by_role("textbox", name=name, exact=True)


def with_a_wrong_objective(check_yaml: str) -> tuple[str, int]:
    """check.yaml with one question naming an objective the course does not have; and that line."""
    lines = check_yaml.split("\n")
    line = next(number for number, text in enumerate(lines, 1) if "objective: O2" in text)
    lines[line - 1] = lines[line - 1].replace("O2", "O7")
    return "\n".join(lines), line


def write_the_course(page, slug, title, *, javascript):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Our courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our courses")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Web address (slug)", exact=True).fill(slug)
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit the course {slug}")

    # course.md, then one lesson at a time through "Add a lesson"; the starter lesson is emptied away.
    file_box(page, "course.md").fill(FILES["course.md"].replace("title: Our supervision routine", f"title: {title}"))
    file_box(page, "01-first-lesson.md").fill("")
    for name in LESSON_FILES:
        page.get_by_label("File name").fill(name)
        page.get_by_label("Its text").fill(FILES[name])
        page.get_by_role("button", name="Save the draft").click()
        expect(page.get_by_text("The draft is saved.")).to_be_visible()
        expect(file_box(page, name)).to_have_value(FILES[name])
    expect(file_box(page, "01-first-lesson.md")).to_have_count(0)

    # The check, with a mistake: the checker names its line.
    wrong, line = with_a_wrong_objective(FILES["check.yaml"])
    page.get_by_label("File name").fill("check.yaml")
    page.get_by_label("Its text").fill(wrong)
    page.get_by_role("button", name="Save the draft").click()
    messages = page.locator("section.editor-file").filter(has=file_box(page, "check.yaml"))
    expect(messages).to_contain_text(f"Line {line}: question")
    expect(messages).to_contain_text("unknown objective 'O7'")

    # Publishing is refused while the error stands.
    page.get_by_role("button", name="Publish the saved draft").click()
    expect(page.get_by_text("Not published: the checker found")).to_be_visible()

    # Fix it: with JavaScript the message goes away as the admin types; without, the Preview button shows it.
    file_box(page, "check.yaml").fill(FILES["check.yaml"])
    if javascript:
        expect(messages).to_contain_text("No checker messages for check.yaml", timeout=8_000)
    else:
        page.get_by_role("button", name="Preview without saving").click()
        expect(page.get_by_text("changes not saved yet")).to_be_visible()
        expect(page.locator("section.editor-file").filter(has=file_box(page, "check.yaml"))).to_contain_text(
            "No checker messages for check.yaml"
        )
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", name="The checker found no problems")).to_be_visible()
    page.get_by_role("button", name="Publish the saved draft").click()
    expect(page.get_by_text("Published. Your agency's learners can take this version now.")).to_be_visible()


def assign_to_the_team(page, title):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Required training").click()
    page.get_by_label("Course", exact=True).select_option(label=title)
    page.get_by_label("A team").check()
    page.get_by_label("Team", exact=True).select_option(label="Outreach Team")
    page.get_by_label("A number of days after the person joined").check()
    page.get_by_label("Days after joining").fill("30")
    page.get_by_role("button", name="Assign the course").click()
    expect(page.get_by_text("The course is assigned.")).to_be_visible()


def complete_and_download(page, title):
    course, _ = load_files("our-supervision-routine", FILES)
    # My learning lists an assigned course under "Due soon" too; open it from its course card.
    page.get_by_role("region", name="Required for you").get_by_role("link", name=title).click()
    page.get_by_role("link", name="Start the course").click()
    for number, lesson in enumerate(course.lessons):
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        page.get_by_role("button", name="Mark this lesson complete").click()
        expect(page.locator("#lesson-status")).to_contain_text("You finished this lesson.")
        if number + 1 < len(course.lessons):
            pager = page.get_by_role("navigation", name="Previous and next lesson")
            # Next is a button: it posts, and counts the lesson as read
            pager.get_by_role("button", name=re.compile(rf"^Next lesson\s*:\s*{re.escape(course.lessons[number + 1].title)}$")).click()
    page.get_by_role("link", name="Take the knowledge check").click()
    for question in course.questions_for({"peer"}):
        group = page.get_by_role("group", name=re.compile(re.escape(question.prompt[:60])))
        group.get_by_label(next(c.text for c in question.choices if c.correct), exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result: 100%, a pass")
    page.get_by_role("link", name="give feedback on the course").click()
    ratings = page.locator("fieldset.rating")
    for index in range(ratings.count()):
        ratings.nth(index).get_by_label("5 (completely)").check()
    page.get_by_role("group", name="Would you recommend this course to a co-worker?").get_by_label("Yes").check()
    page.get_by_role("button", name="Send my feedback").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My certificates").click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_have_count(1)
    assert CERTIFICATE_CODE.match(row.locator("code").inner_text().strip())
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"PDF certificate for {title}").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


def log_in_as_admin(page, person: Person) -> None:
    """Log in through the form; an admin who takes no courses lands on the admin home."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url_ending("/admin/"))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_an_admin_writes_publishes_and_assigns_a_course_and_a_peer_earns_its_certificate(new_context, live_server, make_person, javascript):
    label = "js" if javascript else "nojs"
    admin, peer = people_of_a_new_agency(live_server, label)
    slug, title = f"our-routine-{label}", f"Our supervision routine ({label})"

    admin_page = new_context("desktop", java_script_enabled=javascript).new_page()
    log_in_as_admin(admin_page, admin)
    write_the_course(admin_page, slug, title, javascript=javascript)
    assign_to_the_team(admin_page, title)

    peer_page = new_context("desktop", java_script_enabled=javascript).new_page()
    log_in(peer_page, peer)
    expect(peer_page.get_by_role("main")).to_contain_text(title)
    complete_and_download(peer_page, title)

    # A peer of another agency never sees it.
    stranger = new_context("desktop", java_script_enabled=javascript).new_page()
    log_in(stranger, make_person("peer"))
    expect(stranger.get_by_role("main")).not_to_contain_text(title)
    stranger.goto(f"/learn/courses/{slug}/")
    expect(stranger.get_by_role("heading", level=1)).not_to_have_text(title)
