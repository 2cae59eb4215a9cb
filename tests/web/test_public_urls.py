"""Every absolute URL the app sends out is one of its own routes under PUBLIC_BASE_URL.

Mail (invitations, password resets, reminders, digests), Open Badges credentials and their
issuer and status lists carry absolute URLs, as do the certificate's QR code (its own test
decodes it); each is built by `lms.public_urls.public_url`. Here every one found in what the
app really emits must start with the configured base (which has a path, as behind a proxy)
and match a route.
"""

import base64
import json
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from lms.extensions import db
from lms.models import Certificate, User
from lms.services import account_links
from tests.smtp import DeliveredInbox, smtp_server
from tests.test_reminders import send, world  # noqa: F401  (the reminders' world is a fixture)
from tests.web.test_certificates import complete_course

BASE = "https://training.example.org/common-ground"
URL = re.compile(r"https?://[^\s\"'<>\\]+")
# Standards a credential names by URL: they are not this site's pages.
STANDARDS = ("https://www.w3.org/", "https://purl.imsglobal.org/")


def routes_of(app, urls):
    """Each URL as the route it matches; fails on any that is not this site's or matches none."""
    parts = urlsplit(BASE)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path, url_scheme=parts.scheme)
    matched = set()
    for url in {url.rstrip(".,;") for url in urls}:
        if url.startswith(STANDARDS):
            continue
        assert url.startswith(BASE + "/"), f"{url} is not under PUBLIC_BASE_URL"
        try:
            endpoint, _ = adapter.match(urlsplit(url).path.removeprefix(parts.path), method="GET")
        except HTTPException as error:
            pytest.fail(f"{url} matches no route: {error}")
        matched.add(endpoint)
    return matched


def jwt_payload(token: str) -> str:
    payload = token.split(".")[1]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


def test_certificates_and_credentials_link_only_to_routes(app, client, token, peer):
    app.config["PUBLIC_BASE_URL"] = BASE
    complete_course(client, token)
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == peer.id))
    credential = client.get(f"/certificates/{code}.json").get_data(as_text=True)
    document = json.loads(credential)
    issuer = client.get(urlsplit(document["issuer"]["id"]).path.removeprefix("/common-ground")).get_data(as_text=True)
    status_path = urlsplit(document["credentialStatus"]["statusListCredential"]).path.removeprefix("/common-ground")
    status_list = jwt_payload(client.get(status_path).get_data(as_text=True).strip())
    signed = jwt_payload(client.get(f"/certificates/{code}.jwt").get_data(as_text=True).strip())
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    emitted = URL.findall(credential + issuer + status_list + signed + page)
    assert routes_of(app, emitted) >= {"verify.verify_code", "public.issuer_profile", "public.achievement", "public.status_list"}


def test_mail_links_only_to_routes(app, make_user, world):  # noqa: F811
    resetting = make_user("peer", email="resetting@example.org")
    invited = make_user("peer", email="invited@example.org")
    with smtp_server() as (received, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, PUBLIC_BASE_URL=BASE)
        with app.app_context():
            account_links.queue_link_mails([db.session.get(User, resetting.id)], account_links.PASSWORD_RESET)
            newcomer = db.session.get(User, invited.id)
            newcomer.password_hash = None
            account_links.queue_link_mails([newcomer], account_links.INVITATION)
            db.session.commit()
        assert send(app, "--today", "2030-03-11").exit_code == 0  # a Monday: reminders and digests
        inbox = DeliveredInbox(received, app)
        bodies = [part for index in range(len(inbox.messages)) for part in inbox.bodies(index)]
    assert len(bodies) >= 8
    assert routes_of(app, [url for body in bodies for url in URL.findall(body)]) >= {
        "auth.reset_password_form",
        "auth.invitation_form",
        "learn.show_course",
        "supervise.matrix",
        "learn.email_settings",
    }
