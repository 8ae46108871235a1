"""Control-plane operations."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from mock_server import __version__
from mock_server.clock import isoformat
from mock_server.context import RequestContext
from mock_server.control.journal import known_secrets, render_entry
from mock_server.control.state import names_operation
from mock_server.errors import BadRequest, FieldError, NotFound
from mock_server.fixtures import (
    FixtureError,
    export_document,
    parse_fixture_document,
    validate_document,
)


def _health(runtime: Any) -> dict:
    return {
        "status": "ok" if runtime.ready else "failed" if runtime.load_error else "starting",
        "fixturesLoaded": runtime.ready,
        "version": __version__,
        "uptimeSeconds": round(time.time() - runtime.started_at, 3),
        "apis": [api.name for api in runtime.apis if api.build_state is not None],
        "sandboxes": len(runtime.store.names()) if runtime.ready else 0,
        **({"error": runtime.load_error} if runtime.load_error else {}),
    }


def get_health(ctx: RequestContext) -> Any:
    """Liveness: 200 as soon as the server answers; the body says whether it is ready."""
    return _health(ctx.runtime), 200


def get_readiness(ctx: RequestContext) -> Any:
    """Readiness: 200 once the fixtures are loaded, 503 before."""
    return _health(ctx.runtime), 200 if ctx.runtime.ready else 503


def reset_sandbox(ctx: RequestContext) -> Any:
    ctx.runtime.store.reset(ctx.sandbox.name)
    return None, 204


def list_credentials(ctx: RequestContext) -> Any:
    return {api.name: api.credentials(ctx.sandbox)
            for api in ctx.runtime.apis if api.credentials is not None}, 200


def list_outbox(ctx: RequestContext, api: str | None = None, kind: str | None = None) -> Any:
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
        try:
            ctx.sandbox.clock.set(when)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00: before year 1 in UTC
            raise BadRequest("'now' is out of the clock's range",
                             errors=[FieldError("is out of range (years 1 to 9999 in UTC)",
                                                pointer="/now")]) from None
    else:
        try:
            ctx.sandbox.clock.advance(float(body["advance"]))
        except OverflowError:
            raise BadRequest("'advance' moves the clock out of range",
                             errors=[FieldError("moves the clock out of range",
                                                pointer="/advance")]) from None
    return _clock_body(ctx), 200


def reset_clock(ctx: RequestContext) -> Any:
    ctx.sandbox.clock.reset()
    return _clock_body(ctx), 200


def _parse_time(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"'{name}' is not an ISO-8601 date-time",
                         errors=[FieldError("is not an ISO-8601 date-time",
                                            parameter=name, location="query")]) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def list_requests(ctx: RequestContext, api: str | None = None, operationId: str | None = None,
                  method: str | None = None, status: int | None = None,
                  since: str | None = None, until: str | None = None,
                  limit: int = 100) -> Any:
    """Recorded calls to the emulated APIs, newest last; the most recent ``limit``."""
    start, end = _parse_time(since, "since"), _parse_time(until, "until")
    matched = [e for e in list(ctx.sandbox.journal)
               if (api is None or e["api"] == api)
               and (operationId is None or names_operation(operationId, e["operationId"]))
               and (method is None or e["method"] == method.upper())
               and (status is None or e["status"] == status)
               and (start is None or e["epoch"] >= start)
               and (end is None or e["epoch"] <= end)]
    shown = matched[-limit:] if limit else []
    secrets = known_secrets(ctx.runtime, ctx.sandbox) if shown else []
    return {"requests": [render_entry(e, secrets) for e in shown], "total": len(matched)}, 200


def clear_requests(ctx: RequestContext) -> Any:
    ctx.sandbox.journal.clear()
    return None, 204


def list_faults(ctx: RequestContext) -> Any:
    return {"faults": [dict(r) for r in ctx.sandbox.faults]}, 200


def add_fault(ctx: RequestContext, body: dict) -> Any:
    """Add a fault rule; it needs at least one of status, delayMs, drop."""
    if not any(body.get(k) for k in ("status", "delayMs", "drop")):
        raise BadRequest("A fault needs at least one of status, delayMs or drop",
                         errors=[FieldError("give status, delayMs or drop", pointer="/status")])
    known = {a.name for a in ctx.runtime.apis if a is not ctx.runtime.control}
    if body.get("api") and body["api"] not in known:
        raise BadRequest(f"Unknown api '{body['api']}'",
                         errors=[FieldError(f"must be one of {', '.join(sorted(known))}",
                                            pointer="/api")])
    rule = {"id": ctx.sandbox.new_uuid(), **body, "fired": 0,
            "remaining": body.get("times")}
    ctx.sandbox.faults.add(rule)
    return dict(rule), 201


def clear_faults(ctx: RequestContext) -> Any:
    ctx.sandbox.faults.clear()
    return None, 204


def delete_fault(ctx: RequestContext, fault_id: str) -> Any:
    if not ctx.sandbox.faults.remove(fault_id):
        raise NotFound(f"No fault rule {fault_id}")
    return None, 204


def _load_document(ctx: RequestContext, body: Any, *, remember: bool, kind: str) -> Any:
    """Parse, validate and build a document into the caller's sandbox; all or nothing."""
    try:
        if isinstance(body, bytes | str):
            doc = parse_fixture_document(body, kind)
        elif isinstance(body, dict):
            doc = parse_fixture_document(json.dumps(body), kind)
        else:
            raise FixtureError(f"the {kind} document must be a mapping")
        validate_document(doc, ctx.runtime.apis)
        sandbox = ctx.runtime.store.replace(ctx.sandbox.name, doc, remember=remember)
    except FixtureError as exc:
        raise BadRequest(f"The {kind} document was not loaded: {exc}", errors=[
            FieldError(message, pointer="/" + where.replace(".", "/").replace("[", "/")
                       .replace("]", "")) for where, message in exc.errors]) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRequest(f"The {kind} document was not loaded: {exc}") from None
    return sandbox, doc


def load_fixtures(ctx: RequestContext, body: Any) -> Any:
    """Rebuild the sandbox from a posted fixture document; reset returns to it."""
    sandbox, doc = _load_document(ctx, body, remember=True, kind="fixture")
    sections = [a.name for a in ctx.runtime.apis if a.name in doc]
    return {"sandbox": sandbox.name, "loaded": sections}, 200


def get_state(ctx: RequestContext) -> Any:
    return export_document(ctx.sandbox, ctx.runtime.apis), 200


def replace_state(ctx: RequestContext, body: Any) -> Any:
    """Replace the sandbox by a state document (as GET /state returns)."""
    sandbox, _ = _load_document(ctx, body, remember=False, kind="state")
    return export_document(sandbox, ctx.runtime.apis), 200


def _coverage_names(ctx: RequestContext, every: bool, prefix: str | None) -> list[str]:
    from mock_server.control.coverage import coverage_for

    return coverage_for(ctx.runtime).names(every=every, prefix=prefix, sandbox=ctx.sandbox.name)


def get_coverage(ctx: RequestContext, all: bool = False, prefix: str | None = None,
                 api: list[str] | None = None) -> Any:
    """Contract coverage of this sandbox (or of every sandbox, or of a name prefix)."""
    from mock_server.control.coverage import report

    known = {a.name for a in ctx.runtime.apis if a is not ctx.runtime.control}
    unknown = sorted(set(api or ()) - known)
    if unknown:
        raise BadRequest(f"Unknown api '{unknown[0]}'",
                         errors=[FieldError(f"must be one of {', '.join(sorted(known))}",
                                            parameter="api", location="query")])
    return report(ctx.runtime, _coverage_names(ctx, all, prefix), api or None), 200


def clear_coverage(ctx: RequestContext, all: bool = False, prefix: str | None = None) -> Any:
    """Start the coverage counts afresh (of this sandbox, every sandbox or a prefix)."""
    from mock_server.control.coverage import coverage_for

    coverage_for(ctx.runtime).clear(_coverage_names(ctx, all, prefix))
    return None, 204
