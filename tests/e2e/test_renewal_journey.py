"""The renewal journey in a real browser: an admin sets up a requirement, a peer adds their
certification, earns ethics hours from a course and from outside training with a PDF, the
admin verifies it, and the peer's renewal report shows the right totals."""

import io
from datetime import date, timedelta

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from tests.e2e.support import complete_course_over_http, log_in, sign_in  # noqa: E402

pytestmark = pytest.mark.e2e

REQUIREMENT = "Demo State Board (fictional): e2e peer specialist"
OUTSIDE_PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_peer_tracks_renewal_hours_and_downloads_the_report(new_context, make_person, tmp_path):
    admin_page = new_context().new_page()
    sign_in(admin_page, make_person("admin"))
    admin_page.goto("/admin/")
    admin_page.get_by_role("link", name="Renewal requirements").click()
    admin_page.get_by_label("Board and credential").fill(REQUIREMENT)
    admin_page.get_by_label("Renewal period, in months").fill("24")
    admin_page.get_by_label("Total hours in each period").fill("20")
    admin_page.get_by_label("Category minimums (if any)").fill("ethics: 3")
    admin_page.get_by_role("button", name="Add this requirement").click()
    expect(admin_page.get_by_role("row").filter(has_text=REQUIREMENT)).to_contain_text("ethics: 3")

    page = new_context().new_page()
    log_in(page, make_person("peer"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    page.get_by_role("link", name="My certifications").click()
    page.get_by_label("Requirement (your board and credential)").select_option(label=f"{REQUIREMENT} (20 hours every 24 months)")
    page.get_by_label("Certification number").fill("CPS-E2E-7")
    page.get_by_label("The day your current period ends").fill((date.today() + timedelta(days=300)).isoformat())
    page.get_by_role("button", name="Add this certification").click()
    card = page.get_by_role("region", name=REQUIREMENT)
    expect(card).to_contain_text("0 of 20 hours")
    expect(card).to_contain_text("ethics: 0 of 3 hours")
    expect(card.get_by_role("link", name="Starting out as a peer")).to_be_visible()  # carries ethics hours

    complete_course_over_http(page)  # the course carries 0.5 ethics hours
    page.reload()
    expect(card).to_contain_text("0.5 of 20 hours")

    outside = tmp_path / "ethics-workshop.pdf"
    outside.write_bytes(OUTSIDE_PDF)
    page.get_by_label("Title of the training").fill("Ethics workshop")
    page.get_by_label("Provider (who gave it)").fill("Regional Peer Network")
    page.get_by_label("Date", exact=True).fill((date.today() - timedelta(days=7)).isoformat())
    page.get_by_label("Hours", exact=True).fill("2")
    page.get_by_label("Categories (if any)").fill("ethics: 2")
    page.get_by_label("How it was given").select_option(label="In-person training")
    page.get_by_label("The certificate you were given (PDF, PNG or JPEG, up to 2 MB)").set_input_files(str(outside))
    page.get_by_role("button", name="Log this training").click()
    expect(page.get_by_role("row").filter(has_text="Ethics workshop")).to_contain_text("Waiting for review")
    expect(card).to_contain_text("0.5 of 20 hours")

    admin_page.goto("/admin/")
    admin_page.get_by_role("link", name="Outside training to review").click()
    entry = admin_page.get_by_role("region", name="Ethics workshop")
    with admin_page.expect_download() as file_info:
        entry.get_by_role("link", name="Open the certificate file for Ethics workshop").click()
    with open(file_info.value.path(), "rb") as received:
        assert received.read() == OUTSIDE_PDF
    entry.get_by_role("button", name="Verify Ethics workshop").click()
    expect(admin_page.get_by_role("main")).to_contain_text("is marked verified")

    page.reload()
    expect(page.get_by_role("row").filter(has_text="Ethics workshop")).to_contain_text("Verified by")
    expect(card).to_contain_text("2.5 of 20 hours")
    expect(card).to_contain_text("ethics: 2.5 of 3 hours")
    with page.expect_download() as report_info:
        card.get_by_role("link", name=f"Renewal report (PDF) for {REQUIREMENT}").click()
    with open(report_info.value.path(), "rb") as report:
        data = report.read()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "CPS-E2E-7" in text
    assert "Total hours 2.5" in text and "ethics 2.5" in text
    assert "Total: 2.5 of 20 hours: NOT MET" in text and "ethics: 2.5 of 3 hours: NOT MET" in text
    assert "Ethics workshop" in text and "Starting out as a peer" in text
    assert "external (Regional Peer Network), verified by" in text


def test_renewal_pages_have_no_serious_accessibility_problems(page, axe_scan, make_person, make_supervisor):

    failing = []
    sign_in(page, make_person("admin"))
    for path in ("/renewal/admin/templates", "/renewal/review", "/renewal/"):
        page.goto(path)
        failing += axe_scan(page, path)
    page.context.clear_cookies()
    sign_in(page, make_supervisor())
    for path in ("/renewal/trainings", "/renewal/review", "/supervise/"):
        page.goto(path)
        failing += axe_scan(page, path)
    assert not failing, "\n".join(failing)
