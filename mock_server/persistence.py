"""``--state-file``: keep every sandbox across restarts.

The file is restored before the server is ready (all or nothing; a file that
cannot be restored stops start-up and is never written). A writer thread saves it
when something changed, at most once per ``interval`` seconds, and once more on a
clean shutdown. Each save is atomic: write a temporary file beside the target,
fsync it, rename it over the target, fsync the folder. A ``kill -9`` therefore
loses at most the writes acknowledged in the last ``interval`` seconds (default 1 s)
plus the length of one save, and never leaves a half-written file. While serving,
saves run in a forked child so that a big world's export does not stall requests.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import orjson

from mock_server.fixtures import FixtureError, export_document, validate_document
from mock_server.runtime import Runtime
from mock_server.sandbox import Sandbox

FILE_VERSION = 1
logger = logging.getLogger(__name__)


class StateFile:
    def __init__(self, runtime: Runtime, path: Path, interval: float = 1.0,
                 fork: bool = False) -> None:
        self.runtime = runtime
        self.path = Path(path)
        self.interval = interval
        self.fork = fork  # save in a forked child (serve only: see save())
        self._saved_version = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._chunks: dict[str, tuple[Sandbox, int, bytes]] = {}

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
        """Every sandbox as the file holds it (decoded; :meth:`save` writes the bytes)."""
        return json.loads(self._payload())

    def _chunk(self, sandbox: Sandbox) -> bytes:
        """One sandbox's entry as JSON bytes, remembered until the sandbox changes: a
        big world nobody writes to costs nothing at the next save, and one that is
        written to holds its lock only while it is exported (encoding happens after)."""
        hit = self._chunks.get(sandbox.name)
        if hit is not None and hit[0] is sandbox and hit[1] == sandbox.version:
            return hit[2]
        with sandbox.lock:
            version = sandbox.version
            state = export_document(sandbox, self.runtime.apis)
        entry = {"state": state, "fixtures": self.runtime.store.remembered(sandbox.name)}
        try:
            chunk = orjson.dumps(entry)
        except TypeError:  # what orjson refuses (integers beyond 64 bits a client stored)
            chunk = json.dumps(entry, separators=(",", ":")).encode()
        self._chunks[sandbox.name] = (sandbox, version, chunk)
        return chunk

    def _payload(self) -> bytes:
        sandboxes = self.runtime.store.sandboxes()
        live = {s.name for s in sandboxes}
        for name in [n for n in self._chunks if n not in live]:
            del self._chunks[name]
        parts = [json.dumps(s.name).encode() + b":" + self._chunk(s) for s in sandboxes]
        return b'{"version":%d,"sandboxes":{' % FILE_VERSION + b",".join(parts) + b"}}"

    def save(self, final: bool = False) -> None:
        """Write every sandbox to the file, atomically; ``final`` (on shutdown) logs it.

        While serving, the export runs in a forked child (where ``os.fork`` exists): the
        sandboxes are locked only for the fork itself (a consistent copy-on-write
        snapshot of the whole process, as Redis saves), and the child exports and
        writes on the other core while the server keeps answering. The final save, and
        any save a child could not make, is done in this process.
        """
        with self._save_lock:
            started = time.monotonic()
            version = self.runtime.version
            size = None if final or not self.fork else self._save_in_child()
            if size is None:
                payload = self._payload()
                self._write(payload)
                size = len(payload)
            self._saved_version = version
        logger.log(logging.INFO if final else logging.DEBUG,
                   "state saved to %s: %d bytes in %.2f s", self.path, size,
                   time.monotonic() - started)

    def _save_in_child(self, timeout: float = 300.0) -> int | None:
        """Fork, export and write in the child; the size written, or None."""
        if not hasattr(os, "fork"):
            return None
        sandboxes = self.runtime.store.sandboxes()
        read, write = os.pipe()
        for sandbox in sandboxes:  # no handler is half-way through a write at the fork
            sandbox.lock.acquire()
        try:
            with warnings.catch_warnings():  # 3.12+ warns about fork in threaded processes
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:  # the child: export, write, report the size, exit; nothing else
                status = 1
                try:
                    os.close(read)
                    payload = self._payload()
                    self._write(payload)
                    os.write(write, str(len(payload)).encode())
                    status = 0
                finally:
                    os._exit(status)
        finally:
            for sandbox in sandboxes:
                sandbox.lock.release()
        os.close(write)
        deadline = time.monotonic() + timeout
        try:
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    return None
                time.sleep(0.01)
            answer = os.read(read, 64)
        finally:
            os.close(read)
        if os.waitstatus_to_exitcode(status) != 0 or not answer.isdigit():
            return None
        return int(answer)

    def _write(self, payload: bytes) -> None:
        """Temporary file beside the target, fsync, rename over it, fsync the folder."""
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
