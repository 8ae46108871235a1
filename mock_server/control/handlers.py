"""Control-plane operations."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from mock_server import __version__
from mock_server.context import RequestContext
from mock_server.errors import BadRequest, FieldError
from mock_server.store import isoformat


def health(ctx: RequestContext) -> Any:
    runtime = ctx.runtime
    return {
        "status": "ok" if runtime.ready else "starting",
        "fixturesLoaded": runtime.ready,
        "version": __version__,
        "uptimeSeconds": round(time.time() - runtime.started_at, 3),
        "apis": [api.name for api in runtime.apis if api.build_state is not None],
        "sandboxes": len(runtime.store.names()),
    }, 200


def reset(ctx: RequestContext) -> Any:
    ctx.runtime.store.reset(ctx.sandbox.name)
    return None, 204


def credentials(ctx: RequestContext) -> Any:
    return {api.name: api.credentials(ctx.sandbox)
            for api in ctx.runtime.apis if api.credentials is not None}, 200


def outbox(ctx: RequestContext, api: str | None = None, kind: str | None = None) -> Any:
    """Messages the APIs would have sent (emails, webhook deliveries), oldest first."""
    items = [m for m in ctx.sandbox.outbox
             if (api is None or m["api"] == api) and (kind is None or m["kind"] == kind)]
    return {"messages": items, "total": len(items)}, 200


def clear_outbox(ctx: RequestContext) -> Any:
    ctx.sandbox.outbox.clear()
    return None, 204


def _clock_body(ctx: RequestContext) -> dict:
    clock = ctx.sandbox.clock
    return {"now": isoformat(clock.now()), "frozen": clock.frozen}


def get_clock(ctx: RequestContext) -> Any:
    return _clock_body(ctx), 200


def set_clock(ctx: RequestContext, body: dict) -> Any:
    """``{"now": ISO-8601}`` freezes the clock there; ``{"advance": seconds}`` moves it."""
    if ("now" in body) == ("advance" in body):
        raise BadRequest("Give exactly one of 'now' and 'advance'",
                         errors=[FieldError("give exactly one of now / advance", pointer="/now")])
    if "now" in body:
        try:
            when = datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("'now' is not an ISO-8601 date-time",
                             errors=[FieldError("is not an ISO-8601 date-time",
                                                pointer="/now")]) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        ctx.sandbox.clock.set(when)
    else:
        ctx.sandbox.clock.advance(float(body["advance"]))
    return _clock_body(ctx), 200


def reset_clock(ctx: RequestContext) -> Any:
    ctx.sandbox.clock.reset()
    return _clock_body(ctx), 200
