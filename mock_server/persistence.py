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
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from mock_server.fixtures import FixtureError, export_document, validate_document
from mock_server.runtime import Runtime

FILE_VERSION = 1
logger = logging.getLogger(__name__)


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
        """Restore the sandboxes saved in the file; returns how many.

        All or nothing: every entry is read and checked before any sandbox is
        replaced. Anything wrong (unreadable, truncated, edited, another version)
        raises one :class:`FixtureError` naming the file and the problem; the file
        itself is never touched here.
        """
        if not self.path.exists():
            logger.info("state file %s does not exist yet: starting from the fixtures",
                        self.path)
            return 0
        started = time.monotonic()
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
            if not isinstance(data, dict):
                raise FixtureError("the file is not a JSON object")
            if data.get("version") != FILE_VERSION:
                raise FixtureError(f"state file version {data.get('version')!r} "
                                   f"is not supported (expected {FILE_VERSION})")
            entries = data.get("sandboxes", {})
            if not isinstance(entries, dict):
                raise FixtureError("'sandboxes' is not an object")
            for name, entry in entries.items():
                if not isinstance(entry, dict) or not isinstance(entry.get("state"), dict):
                    raise FixtureError(f"sandbox {name!r} has no state document")
                try:
                    if entry.get("fixtures") is not None:
                        validate_document(entry["fixtures"], self.runtime.apis)
                    validate_document(entry["state"], self.runtime.apis)
                except FixtureError as exc:
                    raise FixtureError(f"sandbox {name!r}: {exc}") from None
            built = [(name, entry, self.runtime.store.build(name, entry["state"]))
                     for name, entry in entries.items()]
        except FixtureError as exc:
            raise FixtureError(f"{self.path}: cannot restore the state file: {exc}") from None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                AttributeError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                f"{type(exc).__name__}: {exc}"
            raise FixtureError(f"{self.path}: cannot restore the state file: {reason}") \
                from None
        for name, entry, sandbox in built:
            if entry.get("fixtures") is not None:
                self.runtime.store.remember(name, entry["fixtures"])
            self.runtime.store.put(sandbox)
        self._saved_version = self.runtime.version
        logger.info("state restored from %s: %d sandboxes in %.2f s", self.path, len(built),
                    time.monotonic() - started)
        return len(built)

    def snapshot(self) -> dict[str, Any]:
        sandboxes = {}
        for sandbox in self.runtime.store.sandboxes():
            with sandbox.lock:
                state = export_document(sandbox, self.runtime.apis)
            remembered = self.runtime.store.remembered(sandbox.name)
            sandboxes[sandbox.name] = {"state": state, "fixtures": remembered}
        return {"version": FILE_VERSION, "sandboxes": sandboxes}

    def save(self, final: bool = False) -> None:
        """Write every sandbox to the file, atomically; ``final`` (on shutdown) logs it."""
        with self._save_lock:
            started = time.monotonic()
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
        logger.log(logging.INFO if final else logging.DEBUG,
                   "state saved to %s: %d bytes in %.2f s", self.path, len(payload),
                   time.monotonic() - started)

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
        self.save(final=True)
