"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives."""

import email
import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        self.messages.append({"to": envelope.rcpt_tos, "subject": message["Subject"], "message": message})
        return "250 OK"

    def bodies(self, index):
        """(plain text, html) of a received message."""
        parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in self.messages[index]["message"].walk()
                 if part.get_content_type() in ("text/plain", "text/html")}
        return parts.get("text/plain", ""), parts.get("text/html", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


class DeliveredInbox:
    """What the loopback server received after the outbox worker ran (`flask mail send`):
    mail goes through the outbox, so reading the inbox first runs the real sender."""

    def __init__(self, inbox: Inbox, app):
        self.inbox = inbox
        self.app = app

    def deliver(self):
        result = self.app.test_cli_runner().invoke(args=["mail", "send"])
        assert result.exit_code == 0, result.output
        return result.output

    @property
    def messages(self):
        self.deliver()
        return self.inbox.messages

    def bodies(self, index):
        self.deliver()
        return self.inbox.bodies(index)
