"""A real Learning Record Store for tests: Ralph with its file-system backend, on loopback.

It runs as a child process (uvicorn serving Ralph's app, see LAUNCHER) with its own folder for its
credentials file and its statements (fs_lrs.jsonl), and can be stopped and started again
on the same port and folder, as an LRS that goes down and comes back. Every wait is bounded.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from lms.domain.xapi import XAPI_VERSION
from tests.smtp import free_port

START_SECONDS = 40
STOP_SECONDS = 10
# Ralph 5.1's file-system LRS writes every POST with its data backend's default operation,
# CREATE, which refuses to write to a file that exists: only the first POST would be kept.
# The launcher makes it append, as a store of statements must, and serves Ralph's own app.
LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class RalphServer:
    def __init__(self, folder: Path, username: str = "common-ground", password: str = "lrs-test-secret"):
        import bcrypt  # Ralph's own dependency (the `lrs` extra): it checks passwords with it

        self.folder = folder
        self.username, self.password = username, password
        self.port = free_port()
        self.data = folder / "statements"
        self.data.mkdir(parents=True, exist_ok=True)
        self.auth_file = folder / "auth.json"
        self.auth_file.write_text(
            json.dumps(
                [
                    {
                        "username": username,
                        "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
                        "scopes": ["all"],
                        "agent": {"mbox": "mailto:lrs-owner@example.org"},
                    }
                ]
            )
        )
        self.log = folder / "ralph.log"
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    @property
    def statements_file(self) -> Path:
        return self.data / "fs_lrs.jsonl"

    def start(self) -> None:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("RALPH_")}
        environment.update(
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_AUTH_FILE=str(self.auth_file),
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.data),
        )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(self.port)],
                cwd=self.folder,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped at start (exit {self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2):
                    return
            except OSError as error:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Ralph did not answer within {START_SECONDS} s:\n{self.log.read_text()[-3000:]}") from error
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)
        self.process = None

    def get(self, **params) -> dict:
        """GET /xAPI/statements through the LRS's own API, as any xAPI client would."""
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        url = f"{self.endpoint}/statements"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers={"Authorization": f"Basic {credentials}", "X-Experience-API-Version": XAPI_VERSION})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def statements_about(self, account: dict) -> list[dict]:
        """Every statement whose actor is this account, fetched page by page."""
        found, params = [], {"agent": json.dumps({"objectType": "Agent", "account": account}), "limit": 50}
        for _ in range(100):  # bounded: a hundred pages is far more than any test makes
            page = self.get(**params)
            found.extend(page["statements"])
            more = page.get("more")
            if not more:
                return found
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(more).query))
        raise AssertionError("the LRS kept answering with more pages")
