"""Control-plane operations."""

from __future__ import annotations

import time
from typing import Any

from mock_server import __version__
from mock_server.context import RequestContext


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
