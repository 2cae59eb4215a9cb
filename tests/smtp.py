"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives.

One server runs for the whole test run (started when first asked for); each `smtp_server()`
block gets an empty inbox of its own, and mail arriving outside any block is dropped.
"""

import email
import socket
import threading
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
        parts = {
            part.get_content_type(): part.get_payload(decode=True).decode()
            for part in self.messages[index]["message"].walk()
            if part.get_content_type() in ("text/plain", "text/html")
        }
        return parts.get("text/plain", ""), parts.get("text/html", "")


def free_port() -> int:
    """A port free when asked (another process may take it before it is used: callers retry)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_refusing_socket = None


def refused_port() -> int:
    """A loopback port that refuses connections: bound for the whole run, never listening,
    so no other process can start listening there."""
    global _refusing_socket
    if _refusing_socket is None:
        _refusing_socket = socket.socket()
        _refusing_socket.bind(("127.0.0.1", 0))
    return _refusing_socket.getsockname()[1]


class LoopbackController(Controller):
    """Listens on a socket it binds itself before starting: the port cannot be taken in between."""

    def __init__(self, handler):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._socket, ssl=self.ssl_context)


class _CurrentInbox:
    """The shared server's handler: each message goes to the inbox of the open `smtp_server()` block."""

    def __init__(self):
        self.inbox = Inbox()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if hasattr(self.inbox, "handle_RCPT"):
            return await self.inbox.handle_RCPT(server, session, envelope, address, rcpt_options)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.inbox.handle_DATA(server, session, envelope)


_current = _CurrentInbox()
_server: LoopbackController | None = None
_server_lock = threading.Lock()


def _shared_server() -> LoopbackController:
    global _server
    with _server_lock:
        if _server is None:
            _server = LoopbackController(_current)
            _server.start()
        return _server


def stop_shared_server() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None


@contextmanager
def smtp_server(inbox: Inbox | None = None):
    """(inbox, port): the shared loopback server, delivering into `inbox` (a fresh Inbox by
    default; a subclass may answer RCPT itself) until the block ends."""
    server, previous = _shared_server(), _current.inbox
    _current.inbox = inbox if inbox is not None else Inbox()
    try:
        yield _current.inbox, server.port
    finally:
        _current.inbox = previous


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
