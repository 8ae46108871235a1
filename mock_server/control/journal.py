"""The request journal: every call to an emulated API, per sandbox, bounded.

Recording is cheap (raw bytes, capped); masking and decoding happen when the
journal is read, so secrets never leave the server: header values of
credentials and JSON members named like secrets (password, secret, token,
apiKey ...) are replaced by ``"***"``.
"""

from __future__ import annotations

import json
import logging
import re
import time
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.clock import isoformat
from mock_server.control import coverage
from mock_server.errors import ApiError
from mock_server.runtime import Runtime
from mock_server.sandbox import Sandbox

# What one entry keeps at most: each body, and all header values together. With
# Sandbox.JOURNAL_BYTES per sandbox this bounds the journal's memory (docs/control-plane).
CAPTURE_BYTES = 16 * 1024
HEADER_BYTES = 8 * 1024
ENTRY_OVERHEAD = 512
TRUNCATED = b"...[truncated]"
MASK = "***"
MIN_SECRET = 6
# Scope key of a dict the journal shares with inner middlewares (scopes get copied on
# the way in, the dict does not): FaultMiddleware notes the operationId and drops.
JOURNAL_NOTE = "mock_server.journal_note"
SECRET_HEADER = re.compile(r"authorization|cookie|api[-_]?key|secret|signature|token|password",
                           re.I)
SECRET_MEMBER = re.compile(r"pass(word)?|secret|token|api[-_]?key|hmac", re.I)


def mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if SECRET_MEMBER.search(str(k)) and v is not None else mask_json(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    return value


def known_secrets(runtime: Runtime, sandbox: Sandbox) -> list[str]:
    """Every secret value the sandbox holds for its principals (tokens, API keys, HMAC
    and client secrets, passwords), longest first, so that masking by value catches
    them wherever they stand (a query string, a truncated body, a header with another
    name). From each API's ``secrets`` hook, or else the values of credential headers
    and of members named like secrets in its ``credentials``. Remembered until the
    sandbox changes."""
    cached = _SECRETS.get(sandbox)
    if cached is not None and cached[0] == sandbox.version:
        return cached[1]
    found: set[str] = set()

    def collect(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                collect(inner, secret or bool(SECRET_HEADER.search(str(key))
                                              or SECRET_MEMBER.search(str(key))))
        elif isinstance(value, list):
            for inner in value:
                collect(inner, secret)
        elif secret and isinstance(value, str):
            found.add(value)
            found.add(value.removeprefix("Bearer ").strip())

    for api in runtime.apis:
        if api.name not in sandbox.apis:
            continue
        if api.secrets is not None:
            found.update(api.secrets(sandbox))
        elif api.credentials is not None:
            collect(api.credentials(sandbox), False)
    result = sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True)
    _SECRETS[sandbox] = (sandbox.version, result)
    return result


_SECRETS: weakref.WeakKeyDictionary[Sandbox, tuple[int, list[str]]] = weakref.WeakKeyDictionary()


def mask_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _mask_values(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _mask_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_values(v, secrets) for v in value]
    return mask_text(value, secrets) if isinstance(value, str) else value


def _body(raw: bytes, truncated: bool, secrets: list[str]) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    if not truncated:
        try:
            return _mask_values(mask_json(json.loads(text)), secrets)
        except (ValueError, RecursionError):
            pass
    return mask_text(text, secrets) + ("...[truncated]" if truncated else "")


def render_entry(entry: dict[str, Any], secrets: Sequence[str] = ()) -> dict[str, Any]:
    """A journal entry as the control plane shows it: decoded, secrets masked by name
    (credential headers, members named like secrets) and by value (``secrets``)."""
    secrets = list(secrets)
    headers = {}
    for raw_name, raw_value in entry["headers"]:
        name = raw_name.decode("latin-1")
        headers[name] = MASK if SECRET_HEADER.search(name) \
            else mask_text(raw_value.decode("latin-1"), secrets)
    return {
        "id": entry["id"],
        "timestamp": isoformat(datetime.fromtimestamp(entry["epoch"], UTC)),
        "api": entry["api"],
        "operationId": entry["operationId"],
        "method": entry["method"],
        "path": mask_text(entry["path"], secrets),
        "query": mask_text(entry["query"], secrets),
        "headers": headers,
        "body": _body(entry["body"], entry["bodyTruncated"], secrets),
        "status": entry["status"],
        "dropped": entry["dropped"],
        "responseBody": _body(entry["responseBody"], entry["responseTruncated"], secrets),
        "durationMs": entry["durationMs"],
    }


def _is_docs(path: str, base_path: str) -> bool:
    """Swagger UI and the served spec are documentation, not calls to the API."""
    rest = path[len(base_path):]
    return rest.startswith("/ui") or rest == "/openapi.json"


class JournalMiddleware:
    """Outermost middleware: sees every request to an emulated API and its final answer."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self._seq = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = self.runtime.api_for(scope["path"])
        if not self.runtime.ready or api is self.runtime.control \
                or _is_docs(scope["path"], api.base_path):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        note: dict[str, Any] = {}
        scope[JOURNAL_NOTE] = note
        request_body = bytearray()
        response_body = bytearray()
        flags = {"req_trunc": False, "resp_trunc": False, "status": None}

        async def recv() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                room = CAPTURE_BYTES - len(request_body)
                request_body.extend(chunk[:max(room, 0)])
                flags["req_trunc"] = flags["req_trunc"] or len(chunk) > room
            return message

        def record() -> None:
            if not flags.get("recorded"):
                flags["recorded"] = True
                self._record(scope, api.name, started, bytes(request_body),
                             bytes(response_body), flags, note)

        async def snd(message: Message) -> None:
            last = False
            if message["type"] == "http.response.start":
                flags["status"] = message["status"]
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                room = CAPTURE_BYTES - len(response_body)
                response_body.extend(chunk[:max(room, 0)])
                flags["resp_trunc"] = flags["resp_trunc"] or len(chunk) > room
                last = not message.get("more_body", False)
            await send(message)
            if last:
                # Recorded as soon as the answer is handed to the server, in the same
                # turn of the event loop (nothing is awaited in between): a client that
                # has its answer finds the call in the journal on its next request,
                # which the loop reads only after this.
                record()

        try:
            await self.app(scope, recv, snd)
        finally:
            record()  # no answer (a drop, an error below): recorded all the same

    def _record(self, scope: Scope, api: str, started: float, body: bytes, response: bytes,
                flags: dict, note: dict[str, Any]) -> None:
        try:
            sandbox = self.runtime.sandbox_for(scope)
        except ApiError:
            return
        self._seq += 1
        headers, header_bytes = _capped_headers(scope["headers"])
        entry = {
            "id": self._seq,
            "epoch": sandbox.clock.timestamp(),
            "api": api,
            "operationId": note.get("operationId"),
            "method": scope["method"],
            "path": scope["path"][:CAPTURE_BYTES],
            "query": scope.get("query_string", b"")[:CAPTURE_BYTES].decode("latin-1"),
            "headers": headers,
            "body": body,
            "bodyTruncated": flags["req_trunc"],
            "status": None if note.get("dropped") else flags["status"],
            "dropped": bool(note.get("dropped")),
            "responseBody": response,
            "responseTruncated": flags["resp_trunc"],
            "durationMs": round((time.perf_counter() - started) * 1000, 3),
        }
        size = ENTRY_OVERHEAD + header_bytes + len(body) + len(response) + len(entry["path"]) \
            + len(entry["query"])
        sandbox.journal.append(entry, size)
        coverage.record(self.runtime, sandbox.name, api, note.get("operationId"),
                        entry["status"], entry["query"], body, flags["req_trunc"])


def _capped_headers(raw: list[tuple[bytes, bytes]]) -> tuple[list[tuple[bytes, bytes]], int]:
    """The request's headers, at most HEADER_BYTES of names and values in all: what does
    not fit is cut, with a marker (a 10 MiB header costs the journal 8 KiB)."""
    total = sum(len(k) + len(v) for k, v in raw)
    if total <= HEADER_BYTES:
        return raw, total
    kept: list[tuple[bytes, bytes]] = []
    room = HEADER_BYTES
    for name, value in raw:
        name = name[:256]
        if room <= len(name):
            kept.append((b"x-sandbox-journal", b"further headers truncated"))
            break
        room -= len(name)
        if len(value) > room:
            value = value[:room] + TRUNCATED
        room -= min(len(value), room)
        kept.append((name, value))
    return kept, HEADER_BYTES + 300


class SecretFilter(logging.Filter):
    """Masks every known secret (see :func:`known_secrets`, across the live sandboxes)
    in log lines: the access log prints paths with their query strings, and a client
    may put a token there. Recomputed when some sandbox has changed."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self._version = -1
        self._secrets: list[str] = []

    def secrets(self) -> list[str]:
        if not self.runtime.ready:
            return []
        if self._version != self.runtime.version:
            self._version = self.runtime.version
            found: set[str] = set()
            for sandbox in self.runtime.store.sandboxes():
                found.update(known_secrets(self.runtime, sandbox))
            self._secrets = sorted(found, key=len, reverse=True)
        return self._secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets()
        if secrets:
            message = record.getMessage()
            masked = mask_text(message, secrets)
            if masked != message:
                record.msg, record.args = masked, ()
        return True
