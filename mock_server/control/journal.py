"""The request journal: every call to an emulated API, per sandbox, bounded.

Recording is cheap (raw bytes, capped); masking and decoding happen when the
journal is read, so secrets never leave the server: header values of
credentials and JSON members named like secrets (password, secret, token,
apiKey ...) are replaced by ``"***"``.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import ApiError
from mock_server.runtime import Runtime
from mock_server.store import isoformat

CAPTURE_BYTES = 64 * 1024
MASK = "***"
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


def _body(raw: bytes, truncated: bool) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    if not truncated:
        try:
            return mask_json(json.loads(text))
        except (ValueError, RecursionError):
            pass
    return text + ("..." if truncated else "")


def render_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A journal entry as the control plane shows it (masked, decoded)."""
    headers = {}
    for raw_name, raw_value in entry["headers"]:
        name = raw_name.decode("latin-1")
        headers[name] = MASK if SECRET_HEADER.search(name) else raw_value.decode("latin-1")
    return {
        "id": entry["id"],
        "timestamp": isoformat(datetime.fromtimestamp(entry["epoch"], UTC)),
        "api": entry["api"],
        "operationId": entry["operationId"],
        "method": entry["method"],
        "path": entry["path"],
        "query": entry["query"],
        "headers": headers,
        "body": _body(entry["body"], entry["bodyTruncated"]),
        "status": entry["status"],
        "dropped": entry["dropped"],
        "responseBody": _body(entry["responseBody"], entry["responseTruncated"]),
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

        async def snd(message: Message) -> None:
            if message["type"] == "http.response.start":
                flags["status"] = message["status"]
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                room = CAPTURE_BYTES - len(response_body)
                response_body.extend(chunk[:max(room, 0)])
                flags["resp_trunc"] = flags["resp_trunc"] or len(chunk) > room
            await send(message)

        try:
            await self.app(scope, recv, snd)
        finally:
            self._record(scope, api.name, started, bytes(request_body), bytes(response_body),
                         flags, note)

    def _record(self, scope: Scope, api: str, started: float, body: bytes, response: bytes,
                flags: dict, note: dict[str, Any]) -> None:
        try:
            sandbox = self.runtime.sandbox_for(scope)
        except ApiError:
            return
        self._seq += 1
        sandbox.journal.append({
            "id": self._seq,
            "epoch": sandbox.clock.timestamp(),
            "api": api,
            "operationId": note.get("operationId"),
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "headers": scope["headers"],
            "body": body,
            "bodyTruncated": flags["req_trunc"],
            "status": None if note.get("dropped") else flags["status"],
            "dropped": bool(note.get("dropped")),
            "responseBody": response,
            "responseTruncated": flags["resp_trunc"],
            "durationMs": round((time.perf_counter() - started) * 1000, 3),
        })
