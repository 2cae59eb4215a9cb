"""Sending mail through the SMTP server named in the configuration.

Every message has a plain-text part and an HTML part. No password is ever sent by mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    sender_name: str = "Common Ground"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config) -> SmtpSettings:
        return cls(
            host=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            sender=config["MAIL_FROM"],
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            starttls=bool(config.get("MAIL_STARTTLS")),
        )


def build_message(mail: Mail, settings: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.sender_name, settings.sender))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpSession:
    """One connection to the mail server, opened at the first mail and kept for the rest."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, mail: Mail) -> None:
        if self._smtp is None:
            self._smtp = smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.settings.timeout)
            if self.settings.starttls:
                self._smtp.starttls()
            if self.settings.username:
                self._smtp.login(self.settings.username, self.settings.password or "")
        try:
            self._smtp.send_message(build_message(mail, self.settings))
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this mail; the connection is fine for the next
        except OSError:
            self.close()  # the connection is gone: the next mail opens a new one
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass  # closing a broken connection: nothing more to do
            self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
