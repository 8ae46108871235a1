"""Fault injection: rules per sandbox, and the one-off ``X-Sandbox-Fault`` header.

A rule matches on api, operationId (see ``control.state.names_operation``), a path glob
and a method; it then answers with a status in the API's own error format, or
delays the answer, or drops the connection, with a probability (drawn from the
sandbox's seeded fault RNG, so runs are reproducible) and/or a number of times.
A faulted request never reaches the handler: it changes no state.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.context import request_headers
from mock_server.control.journal import JOURNAL_NOTE
from mock_server.errors import ApiError, BadRequest, FieldError, status_phrase
from mock_server.middleware import drop_connection
from mock_server.runtime import Runtime
from mock_server.sandbox import Sandbox

FAULT_HEADER = "X-Sandbox-Fault"


class InjectedFault(ApiError):
    code = "injected_fault"


def parse_fault_header(value: str) -> dict[str, Any]:
    """``status=503``, ``delay=200``, ``drop``, joined by ``;``."""
    fault: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        key, _, raw = part.partition("=")
        key = key.strip().lower()
        try:
            if key == "status" and 400 <= int(raw) <= 599:
                fault["status"] = int(raw)
                continue
            if key == "delay" and 0 <= int(raw) <= 60_000:
                fault["delayMs"] = int(raw)
                continue
        except ValueError:
            pass
        if key == "drop" and not raw:
            fault["drop"] = True
            continue
        raise BadRequest(f"{FAULT_HEADER}: cannot use '{part}'; expected status=400..599, "
                         f"delay=0..60000 (ms) or drop, joined by ';'",
                         errors=[FieldError(f"cannot use '{part}'", parameter=FAULT_HEADER,
                                            location="header")])
    return fault


def pick_rule(sandbox: Sandbox, api: str, operation_id: str | None, path: str,
              method: str) -> dict[str, Any] | None:
    """The first matching rule that fires (and count it), under the sandbox lock."""
    with sandbox.lock:
        return sandbox.faults.pick(api, operation_id, path, method)


class FaultMiddleware:
    """Applies faults to routed requests of the emulated APIs (never to /_sandbox)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = self.runtime.api_for(scope["path"])
        if api is self.runtime.control:
            await self.app(scope, receive, send)
            return
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        note = scope.get(JOURNAL_NOTE)
        if note is not None:
            note["operationId"] = routing.get("operation_id")
        header = request_headers(scope).get(FAULT_HEADER.lower())
        fault = parse_fault_header(header) if header else None
        if fault is None:
            sandbox = self.runtime.sandbox_for(scope)
            if sandbox.faults:
                fault = pick_rule(sandbox, api.name, routing.get("operation_id"),
                                  scope["path"], scope["method"])
        if not fault:
            await self.app(scope, receive, send)
            return
        if fault.get("delayMs"):
            await asyncio.sleep(fault["delayMs"] / 1000)
        if fault.get("drop"):
            if note is not None:
                note["dropped"] = True
            await drop_connection(scope, receive)
            return
        if fault.get("status"):
            status = fault["status"]
            raise InjectedFault(f"{status_phrase(status)} (fault injected by the sandbox)",
                                status=status)
        await self.app(scope, receive, send)
