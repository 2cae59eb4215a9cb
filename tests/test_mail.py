"""Mail goes out through a real SMTP server, with text and HTML parts."""

from lms.mail import Mail, SmtpSession, SmtpSettings
from tests.smtp import smtp_server


def test_a_mail_arrives_with_plain_text_and_html():
    with smtp_server() as (inbox, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="training@agency.org")
        with SmtpSession(settings) as session:
            session.send(Mail("pat@agency.org", "Your course is due", "Plain words.", "<p>Plain words.</p>"))
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["to"] == ["pat@agency.org"] and inbox.messages[0]["subject"] == "Your course is due"
    text, html = inbox.bodies(0)
    assert text.strip() == "Plain words." and html.strip() == "<p>Plain words.</p>"
