"""``mock-server serve`` as a user starts it, with the environment and flags a test
chooses: any interface, port 0, output read while it runs (so a test can wait for a
line instead of sleeping)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx

from mock_server.serving import stop_process

LISTENING = re.compile(r"tenant-sandbox listening on http://([^:/]+):(\d+)")


class Serve:
    """One ``python -m mock_server serve`` child; every line it prints is kept in
    ``lines`` as it arrives (stdout and stderr together)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None,
                 admin_token: str | None = None) -> None:
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_SERVER_")}
        self.env["PYTHONUNBUFFERED"] = "1"  # each line as it is printed
        self.env.update(env or {})
        self.admin_token = admin_token
        self.lines: list[str] = []
        self.host = ""
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        """The admin token's header, when the server has one."""
        return {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def wait_for(self, found: Callable[[], object], what: str, timeout: float = 60) -> object:
        """Poll ``found()`` until it is truthy; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = found()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; output: {self.lines}")

    def line(self, pattern: str, timeout: float = 10) -> str:
        """The first printed line that contains ``pattern``, waiting for it."""
        return str(self.wait_for(lambda: next((x for x in self.lines if pattern in x), None),
                                 f"a line with {pattern!r}", timeout))

    def start(self) -> Serve:
        self.proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", *self.args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=self.env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            def listening() -> re.Match[str] | None:
                match = next((m for m in map(LISTENING.search, self.lines) if m), None)
                if match is None and self.proc is not None and self.proc.poll() is not None:
                    raise AssertionError(f"serve exited: {self.lines}")
                return match

            match = self.wait_for(listening, "the listening line")
            assert isinstance(match, re.Match)
            self.host, self.port = match.group(1), int(match.group(2))

            def ready() -> bool:
                try:
                    return httpx.get(f"{self.url}/_sandbox/ready", timeout=2).status_code == 200
                except httpx.TransportError:
                    return False

            self.wait_for(ready, "ready")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        if self._reader is not None:
            self._reader.join(timeout=5)

    def __enter__(self) -> Serve:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
