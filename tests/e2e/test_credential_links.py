"""What leaves the site, checked against the running site over HTTP (no browser needed):

- every URL inside a certificate PDF, an Open Badge credential (JSON and signed JWT) and an
  email answers 200, or 410 once the certificate is revoked;
- the signed credential verifies with jwcrypto (the site signs with joserfc), using only
  the public key fetched from the issuer profile URL it names; a tampered one fails; the
  revocation shows in the Bitstring Status List the credential points at; a rotated key
  leaves earlier credentials verifiable.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import urllib.error
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit

import jsonschema
import pytest
import sqlalchemy as sa
from jwcrypto import jwk, jws

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Agency, Assignment, Certificate, User
from lms.services import account_links, certificates, reminders, signing
from lms.services.accounts import create_user
from lms.services.demo import complete_course_for_demo
from tests.e2e.support import PASSWORD
from tests.web.helpers import pdf_text

pytestmark = pytest.mark.e2e

SCHEMA = PROJECT_ROOT / "docs" / "schemas" / "ob_v3p0_achievementcredential.schema.json"
URL = re.compile(r"https?://[^\s\"'<>)]+")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CONTEXT_URLS = {"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Http:
    """A person's HTTP session with the live server: cookies kept, redirects not followed."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects)

    def get(self, url: str, accept: str = "*/*") -> tuple[int, bytes, str]:
        request = urllib.request.Request(url, headers={"Accept": accept})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get_content_type()

    def log_in(self, base: str, email: str) -> None:
        _, page, _ = self.get(base + "/auth/login")
        token = CSRF.search(page.decode()).group(1)
        form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
        try:
            self.opener.open(urllib.request.Request(base + "/auth/login", data=form), timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == 303, f"log-in answered {error.code}"


def _urls_in_json(value) -> set[str]:
    if isinstance(value, str):
        return {value} if value.startswith(("http://", "https://")) else set()
    if isinstance(value, dict):
        return set().union(*(_urls_in_json(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_urls_in_json(v) for v in value)) if value else set()
    return set()


def _jwt_payload(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def certified(live_server, make_person):
    """(person, their session, certificate code) after completing the fixture course."""
    person = make_person("peer")
    app = live_server.app
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == person.email))
        complete_course_for_demo(user, app.extensions["catalog"].get("starting-out"))
        db.session.commit()
        code = db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == user.id))
    session = Http()
    session.log_in(live_server.url, person.email)
    return person, session, code


def _certificate_urls(live_server, session, code) -> dict[str, set[str]]:
    base = live_server.url
    status, pdf, _ = session.get(f"{base}/certificates/{code}.pdf")
    assert status == 200
    text = pdf_text(pdf).replace("/verify/ ", "/verify/")  # the address may wrap before the code
    status, body, _ = session.get(f"{base}/certificates/{code}.json")
    assert status == 200
    status, token, _ = session.get(f"{base}/certificates/{code}.jwt")
    assert status == 200
    return {
        "pdf": set(URL.findall(text)),
        "json": _urls_in_json(json.loads(body)) - CONTEXT_URLS,
        "jwt": _urls_in_json(_jwt_payload(token.decode())) - CONTEXT_URLS,
    }


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def test_every_url_in_a_certificate_and_credential_answers(live_server, certified):
    person, session, code = certified
    found = _certificate_urls(live_server, session, code)
    assert f"{live_server.url}/verify/{code}" in found["pdf"]
    assert found["json"] == found["jwt"] and len(found["json"]) >= 4  # verify, issuer, achievement, status list
    for kind, urls in found.items():
        for url in urls:
            assert url.startswith(live_server.url + "/"), f"{kind}: {url} is not on this site"
            status, _, _ = Http().get(_strip_fragment(url))  # anyone, without an account
            assert status == 200, f"{kind}: {url} answered {status}"

    with live_server.app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
        admin = db.session.scalar(sa.select(User).where(User.agency_id == certificate.agency_id))
        certificates.revoke(certificate, admin, "Test of revocation")
        db.session.commit()
    for suffix in ("pdf", "json", "jwt"):
        status, body, _ = session.get(f"{live_server.url}/certificates/{code}.{suffix}")
        assert status == 410 and b"Test of revocation" in body, suffix
    for url in found["json"]:
        status, body, _ = Http().get(_strip_fragment(url))
        assert status == 200, f"{url} answered {status} after revocation"
    _, page, _ = Http().get(f"{live_server.url}/verify/{code}")
    assert b"This certificate was revoked" in page


def test_every_url_in_an_email_answers(live_server, make_person, make_supervisor):
    app = live_server.app
    learner, supervisor, holder = make_person("peer"), make_supervisor(), make_person("peer")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == learner.email))
        db.session.add(
            Assignment(agency_id=user.agency_id, course_slug="starting-out", user_id=user.id, due_on=date.today() - timedelta(days=1))
        )
        # the holder's certificate expires in ten days: they are told, with links
        holding = db.session.scalar(sa.select(User).where(User.email == holder.email))
        complete_course_for_demo(holding, app.extensions["catalog"].get("starting-out"))
        db.session.flush()
        db.session.scalar(sa.select(Certificate).where(Certificate.user_id == holding.id)).expires_on = date.today() + timedelta(days=10)
        invitee = create_user(
            db.session.get(Agency, user.agency_id), f"invitee-{user.id}@e2e.example.org", "Invited Person", ["peer"], None
        )
        db.session.commit()
        outgoing = [
            item
            for item in reminders.outgoing_mails(app.extensions["catalog"], date.today())
            if item.mail.to in (learner.email, supervisor.email, holder.email)
        ]
        links = [account_links.link_url(user, account_links.PASSWORD_RESET), account_links.link_url(invitee, account_links.INVITATION)]
        db.session.rollback()
    mails = {}  # other tests' rules may add mails: every one is crawled
    for item in outgoing:
        mails.setdefault(item.mail.to, []).append(item.mail)
    assert set(mails) == {learner.email, supervisor.email, holder.email}
    assert any("expires on" in mail.subject for mail in mails[holder.email])
    for person in (learner, supervisor, holder):
        session = Http()
        session.log_in(live_server.url, person.email)
        urls = {url for mail in mails[person.email] for url in URL.findall(mail.text) + URL.findall(mail.html)}
        assert urls
        for url in urls:
            url = url.replace("&amp;", "&")
            assert url.startswith(live_server.url + "/"), url
            status, _, _ = session.get(url)
            assert status == 200, f"{url} in the mail to {person.email} answered {status}"
    for url in links:
        assert Http().get(url)[0] == 200, url


def _public_key(issuer_url: str, kid_url: str) -> jwk.JWK:
    status, body, content_type = Http().get(issuer_url, accept="application/json")
    assert status == 200 and content_type in ("application/json", "application/ld+json")
    profile = json.loads(body)
    assert profile["id"] == issuer_url and "Profile" in profile["type"]
    [method] = [m for m in profile["verificationMethod"] if m["id"] == kid_url]
    return jwk.JWK(**method["publicKeyJwk"])


def _verified(token: str, key: jwk.JWK) -> dict:
    signed = jws.JWS()
    signed.deserialize(token)
    signed.allowed_algs = ["EdDSA"]
    signed.verify(key)
    return json.loads(signed.payload)


def _header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _bit(encoded: str, index: int) -> int:
    assert encoded.startswith("u")
    data = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return (data[index // 8] >> (7 - index % 8)) & 1


def test_signed_credential_verifies_with_another_library_and_the_published_key(live_server, certified):
    person, session, code = certified
    token = session.get(f"{live_server.url}/certificates/{code}.jwt")[1].decode()
    header = _header(token)
    assert header["alg"] == "EdDSA"
    payload = _jwt_payload(token)
    issuer_url = payload["issuer"]["id"]
    assert header["kid"].startswith(issuer_url + "#")
    key = _public_key(issuer_url, header["kid"])  # fetched over HTTP: nothing else is trusted
    credential = _verified(token, key)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker()).validate(credential)
    assert credential["iss"] == issuer_url and credential["jti"] == credential["id"]
    assert credential["credentialSubject"]["identifier"][0]["hashed"] is True

    # tampered: more hours claimed with the same signature
    tampered_payload = dict(credential, credentialSubject={**credential["credentialSubject"], "creditsEarned": 40.0})
    encoded = base64.urlsafe_b64encode(json.dumps(tampered_payload).encode()).decode().rstrip("=")
    head, _, signature = token.split(".")
    with pytest.raises(jws.InvalidJWSSignature):
        _verified(f"{head}.{encoded}.{signature}", key)

    # the status list the credential points at is signed by the same issuer and says "not revoked"
    entry = credential["credentialStatus"]
    list_token = Http().get(entry["statusListCredential"])[1].decode()
    status_list = _verified(list_token, _public_key(issuer_url, _header(list_token)["kid"]))
    assert _bit(status_list["credentialSubject"]["encodedList"], int(entry["statusListIndex"])) == 0

    # a new key signs from now on; the earlier credential still verifies from the profile
    with live_server.app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
        signing.add_key(db.session.get(Agency, certificate.agency_id), live_server.app.extensions["vault"])
        db.session.commit()
    newer = session.get(f"{live_server.url}/certificates/{code}.jwt")[1].decode()
    assert _header(newer)["kid"] != header["kid"]
    _verified(newer, _public_key(issuer_url, _header(newer)["kid"]))
    _verified(token, _public_key(issuer_url, header["kid"]))

    with live_server.app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
        admin = db.session.scalar(sa.select(User).where(User.agency_id == certificate.agency_id))
        certificates.revoke(certificate, admin, "Revoked for the status list test")
        db.session.commit()
    list_token = Http().get(entry["statusListCredential"])[1].decode()
    status_list = _verified(list_token, _public_key(issuer_url, _header(list_token)["kid"]))
    assert _bit(status_list["credentialSubject"]["encodedList"], int(entry["statusListIndex"])) == 1


def test_issuer_profile_is_html_for_a_browser(live_server, certified):
    _, session, code = certified
    payload = _jwt_payload(session.get(f"{live_server.url}/certificates/{code}.jwt")[1].decode())
    status, body, content_type = Http().get(payload["issuer"]["id"], accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and content_type == "text/html" and b"Signing keys" in body
    assert urlsplit(payload["issuer"]["id"]).path.startswith("/agencies/")
