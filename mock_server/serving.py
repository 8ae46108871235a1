"""Run the sandbox for tests: uvicorn in a background thread, or a child process."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class BackgroundServer:
    """A uvicorn server for an ASGI app on 127.0.0.1, started and stopped by the caller."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning",
                                lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True,
                                        name=f"sandbox-{self.port}")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen | None) -> None:
    """Stop a child server: terminate, and kill it if it has not exited within 15 s."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ServerProcess:
    """``mock-server serve`` in a child process on a free port, as a user runs it.

    ``start()`` returns once ``/_sandbox/ready`` answers 200 (fixtures loaded).
    """

    def __init__(self, *args: str, capture: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.capture = capture
        self.proc: subprocess.Popen | None = None

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it."""
        self._spawn()
        return self

    def _spawn(self) -> subprocess.Popen:
        out = subprocess.PIPE if self.capture else subprocess.DEVNULL
        self.proc = proc = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "serve", "--port", str(self.port), *self.args],
            stdout=out, stderr=subprocess.STDOUT)
        return proc

    def start(self, timeout: float = 60) -> ServerProcess:
        proc = self._spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_sandbox/ready", timeout=1).status_code == 200 \
                        and proc.poll() is None:  # ours answered, not another on the port
                    return self
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not become ready: {self.output()}")

    def stop(self) -> None:
        stop_process(self.proc)

    def output(self) -> str:
        """Everything the server printed (with ``capture=True``), once it has stopped."""
        if self.proc is None or self.proc.stdout is None:
            return ""
        return self.proc.stdout.read().decode(errors="replace")

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
