"""Data rights, in a real browser: a peer downloads their data and finds their reflection in
it; an admin chooses what happens to certificates, erases the peer, and afterwards no page,
export or byte of the database file holds their name, email or writing, while a check of
the certificate's code does what the setting says.
"""

import io
import json
import re
import secrets
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from lms.extensions import db  # noqa: E402
from lms.models import Certificate, User  # noqa: E402
from tests.e2e.support import complete_course_over_http, lesson_url, log_in, sign_in  # noqa: E402

pytestmark = pytest.mark.e2e

PROMPT = "What do you hope to bring to your team?"
RETENTION_LABELS = {
    "keep": "Keep the facts needed to check them",
    "withdraw": "Withdraw them at once",
}


def _named(live_server, person, name):
    """The peer under a name no other test uses, so that finding it anywhere means a leak."""
    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == person.email))
        user.name = name
        db.session.commit()
    return replace(person, name=name)


def _database_bytes(live_server) -> bytes:
    path = Path(live_server.app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _download_my_data(page) -> dict:
    page.goto("/account/")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    with zipfile.ZipFile(download_info.value.path()) as package:
        document = json.loads(package.read("my-data.json"))
        for certificate in document["certificates"]:
            assert package.read(certificate["pdf"]).startswith(b"%PDF")
    return document


def _set_retention(page, retention):
    page.goto("/admin/settings")
    page.get_by_label(RETENTION_LABELS[retention]).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("main")).to_contain_text("Settings saved")


def _erase(page, person, axe_scan):
    page.goto("/admin/people")
    page.get_by_label("Find by name or email").fill(person.name)
    page.get_by_label("Find by name or email").press("Enter")
    page.get_by_role("link", name=person.name).click()
    page.get_by_role("link", name=f"erase {person.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erase {person.name}")
    assert axe_scan(page, "erase a person") == []
    page.get_by_role("button", name=f"Erase {person.name} for good").click()  # nothing typed: refused
    expect(page.get_by_role("alert")).to_contain_text("Type the person’s name exactly")
    assert axe_scan(page, "erase a person, refused") == []
    page.get_by_label("To confirm, type their name").fill(person.name)
    page.get_by_role("button", name=f"Erase {person.name} for good").click()
    expect(page.get_by_role("main")).to_contain_text("The person is erased")


@pytest.mark.parametrize("retention", ["keep", "withdraw"])
def test_a_peer_takes_their_data_and_is_then_erased(new_context, live_server, make_person, axe_scan, retention):
    tag = secrets.token_hex(3)
    peer = _named(live_server, make_person("peer"), f"Marisol Erasewell {tag}")
    reflection = f"Listening first, then my own story, only when it helps ({tag})."

    peer_page = new_context("desktop").new_page()
    log_in(peer_page, peer)
    peer_page.goto(lesson_url("welcome"))
    peer_page.get_by_label(PROMPT).fill(reflection)
    expect(peer_page.locator("#reflection-status")).to_have_text("Saved just now.", timeout=8_000)
    complete_course_over_http(peer_page)

    document = _download_my_data(peer_page)
    assert reflection in [item["text"] for item in document["reflections"]]
    assert document["profile"]["name"] == peer.name and len(document["certificates"]) == 1
    code = document["certificates"][0]["code"]

    admin_page = new_context("desktop").new_page()
    sign_in(admin_page, make_person("admin"))
    _set_retention(admin_page, retention)
    assert axe_scan(admin_page, "agency settings with privacy") == []
    assert peer.email.encode() in _database_bytes(live_server), "the file checks below would prove nothing"
    _erase(admin_page, peer, axe_scan)

    # The peer's open page no longer works, and logging in again fails.
    peer_page.goto("/account/")
    expect(peer_page).to_have_url(re.compile(r"/auth/login"))

    # Pages and exports an admin sees.
    request = admin_page.context.request
    for path in ("/admin/people", "/admin/audit", "/admin/certificates", "/admin/mail", "/admin/compliance.csv", "/admin/", "/supervise/"):
        response = request.get(path)
        if response.status == 403:  # the admin supervises no team
            continue
        body = response.text()
        for secret in (peer.name, peer.email, reflection):
            assert secret not in body, f"{path} still shows {secret!r}"
    export = request.get("/admin/certificates/export.zip")
    with zipfile.ZipFile(io.BytesIO(export.body())) as package:
        manifest = package.read("manifest.csv").decode("utf-8")
    assert peer.name not in manifest and code not in manifest

    # Public verification follows the setting.
    verify_page = new_context("desktop").new_page()
    verify_page.goto(f"/verify/{code}")
    main = verify_page.get_by_role("main")
    if retention == "keep":
        expect(main).to_contain_text("This certificate is valid")
        expect(main).to_contain_text(peer.name)
    else:
        expect(main).to_contain_text("at the holder’s request")
        expect(main).not_to_contain_text(peer.name)

    # The database file (with its write-ahead log): no email or writing at all; the name only
    # on the one certificate kept for verification, when the setting keeps it. (Later writes to
    # that certificate's page, such as its cached PDF, may leave more copies of the same row in
    # the log: each is still that certificate, its code right before the name.)
    stored = _database_bytes(live_server)
    assert stored.count(peer.email.encode()) == 0
    assert stored.count(reflection.encode()) == 0
    on_kept_certificate = len(re.findall(re.escape(code.encode()) + b".{0,4}" + re.escape(peer.name.encode()), stored, re.S))
    assert stored.count(peer.name.encode()) == on_kept_certificate
    assert on_kept_certificate >= 1 if retention == "keep" else on_kept_certificate == 0
    with live_server.app.app_context():
        certificate = db.session.scalar(db.select(Certificate).where(Certificate.code == code))
        assert (certificate.withdrawn_at is None) == (retention == "keep")
