"""README pictures, taken from the real site with the demo data: `make screenshots`.

Builds a throw-away database with the demo agency and the real courses, serves it on a free
local port, and photographs it with Debian's Chromium (never a downloaded browser):

- docs/screenshots/learner-home.png    the demo peer's home page (1280 px)
- docs/screenshots/lesson-phone.png     a lesson on a 375 px phone
- docs/screenshots/supervisor-team.png  the supervisor's team view (1280 px)
- docs/screenshots/certificate.png      the demo peer's certificate, its PDF's first page
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from lms import create_app
from lms.config import PROJECT_ROOT, Config
from lms.extensions import db
from lms.services import demo
from lms.vault import new_key
from tests.e2e.support import BROWSER_MISSING, CHROMIUM, CHROMIUM_ARGS, VIEWPORTS

OUT = PROJECT_ROOT / "docs" / "screenshots"
PHONE_LESSON = "/learn/courses/boundaries/lessons/friend-or-peer"


def demo_site(folder: Path):
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
        "SECRET_KEY": "screenshots-only",
        "ENCRYPTION_KEYS": new_key(),
        "ENVIRONMENT": "development",
        "PUBLIC_BASE_URL": "https://training.riverside.example",  # what a real agency's certificate shows
    }
    app = create_app(type("ScreenshotConfig", (Config,), settings))
    with app.app_context():
        upgrade()
        demo.load_demo("development", app.extensions["catalog"])
        db.session.commit()
    return app


def log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def certificate_picture(page, target: Path) -> bool:
    """The certificate PDF's first page as a PNG, through poppler's pdftoppm (CI installs it)."""
    if not shutil.which("pdftoppm"):
        print("pdftoppm not found (Debian: apt-get install poppler-utils); no certificate picture")
        return False
    page.goto("/certificates/")
    href = page.locator("a[href$='.pdf']").filter(has_text="certificate").first.get_attribute("href")
    pdf = page.context.request.get(href).body()
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-", str(stem)], input=pdf, check=True)
    return True


def main() -> int:
    if BROWSER_MISSING:
        print(BROWSER_MISSING)
        return 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = demo_site(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                desktop = browser.new_context(base_url=url, **VIEWPORTS["desktop"]).new_page()
                log_in(desktop, "peer@example.org")
                desktop.goto("/learn/")
                desktop.screenshot(path=OUT / "learner-home.png", full_page=True)
                certificate_picture(desktop, OUT / "certificate.png")

                phone = browser.new_context(base_url=url, **VIEWPORTS["phone"]).new_page()
                log_in(phone, "peer@example.org")
                phone.goto(PHONE_LESSON)
                phone.screenshot(path=OUT / "lesson-phone.png")

                supervisor = browser.new_context(base_url=url, **VIEWPORTS["desktop"]).new_page()
                log_in(supervisor, "supervisor@example.org")
                supervisor.goto("/supervise/")
                supervisor.screenshot(path=OUT / "supervisor-team.png", full_page=True)
                browser.close()
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    for picture in sorted(OUT.glob("*.png")):
        print(f"wrote {picture.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
