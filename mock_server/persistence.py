"""``--state-file``: keep every sandbox across restarts.

The file is loaded on start (when present). A writer thread saves it when
something changed, at most once per ``interval`` seconds, and once more on a
clean shutdown. Each save is atomic: write a temporary file beside the target,
fsync it, rename it over the target, fsync the folder. A ``kill -9`` therefore
loses at most the changes of the last ``interval`` seconds (default 1 s), and
never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from mock_server.fixtures import FixtureError, export_document, validate_document
from mock_server.runtime import Runtime

FILE_VERSION = 1


class StateFile:
    def __init__(self, runtime: Runtime, path: Path, interval: float = 1.0) -> None:
        self.runtime = runtime
        self.path = Path(path)
        self.interval = interval
        self._saved_version = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()

    def load(self) -> int:
        """Restore the sandboxes saved in the file; returns how many."""
        if not self.path.exists():
            return 0
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("version") != FILE_VERSION:
            raise FixtureError(f"{self.path}: state file version {data.get('version')!r} "
                               f"is not supported (expected {FILE_VERSION})")
        for name, entry in data.get("sandboxes", {}).items():
            if entry.get("fixtures") is not None:
                self.runtime.store.replace(name, entry["fixtures"], remember=True)
            validate_document(entry["state"], self.runtime.apis)
            self.runtime.store.replace(name, entry["state"], remember=False)
        self._saved_version = self.runtime.version
        return len(data.get("sandboxes", {}))

    def snapshot(self) -> dict[str, Any]:
        sandboxes = {}
        for sandbox in self.runtime.store.sandboxes():
            with sandbox.lock:
                state = export_document(sandbox, self.runtime.apis)
            remembered = self.runtime.store.remembered(sandbox.name)
            sandboxes[sandbox.name] = {"state": state, "fixtures": remembered}
        return {"version": FILE_VERSION, "sandboxes": sandboxes}

    def save(self) -> None:
        with self._save_lock:
            version = self.runtime.version
            payload = json.dumps(self.snapshot(), separators=(",", ":")).encode()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
            self._saved_version = version

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.runtime.version != self._saved_version:
                self.save()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="state-file")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.save()
