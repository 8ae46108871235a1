"""The front door: ``GET /`` (and ``/_sandbox/``) tells a newcomer what is here.

A small page that works without JavaScript: the four APIs with their base paths,
Swagger UI and spec links, the credentials, the control plane, the version and the
live sandboxes. ``Accept: application/json`` gets the same as JSON. It is the
sandbox's own page (no provider has it). With ``--admin-token``, ``/`` does not list
the sandboxes to a caller without the token (``/_sandbox/`` needs it anyway).
"""

from __future__ import annotations

import hmac
import html
import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server import __version__
from mock_server.context import request_headers
from mock_server.runtime import Runtime

PATHS = ("/", "/_sandbox/")


def summary(runtime: Runtime, show_sandboxes: bool) -> dict[str, Any]:
    """What the front door shows, as data."""
    apis = [{"name": api.name, "title": api.title or api.name, "basePath": api.base_path,
             "swaggerUi": f"{api.base_path}/ui/", "spec": f"{api.base_path}/openapi.json"}
            for api in runtime.apis]
    out: dict[str, Any] = {
        "name": "tenant-sandbox",
        "version": __version__,
        "ready": runtime.ready,
        "apis": [a for a in apis if a["name"] != runtime.control.name],
        "controlPlane": next(a for a in apis if a["name"] == runtime.control.name),
        "credentials": f"{runtime.control.base_path}/credentials",
        "adminToken": bool(runtime.config.admin_token),
    }
    if show_sandboxes:
        out["sandboxes"] = sorted(runtime.store.names()) if runtime.ready else []
    return out


def render_html(data: dict[str, Any]) -> str:
    def link(href: str, text: str | None = None) -> str:
        return f'<a href="{html.escape(href)}">{html.escape(text or href)}</a>'

    rows = "".join(
        f"<tr><td>{html.escape(a['title'])}</td><td><code>{html.escape(a['basePath'])}</code>"
        f"</td><td>{link(a['swaggerUi'], 'Swagger UI')}</td><td>{link(a['spec'], 'spec')}</td>"
        f"</tr>" for a in data["apis"])
    control = data["controlPlane"]
    sandboxes = ""
    if "sandboxes" in data:
        names = "".join(f"<li><code>{html.escape(n)}</code></li>" for n in data["sandboxes"])
        sandboxes = f"<h2>Sandboxes ({len(data['sandboxes'])})</h2><ul>{names}</ul>"
    token = ("<p>This server has an admin token: send <code>Authorization: Bearer "
             "&lt;token&gt;</code> to <code>/_sandbox</code>.</p>" if data["adminToken"] else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>tenant-sandbox {html.escape(data["version"])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}}
td,th{{padding:.3rem .8rem;text-align:left}}code{{background:#f3f3f3;padding:0 .2rem}}</style>
</head><body>
<h1>tenant-sandbox <small>{html.escape(data['version'])}</small></h1>
<p>A local, stateful sandbox of four tenant-management APIs. Status:
<strong id="status">{'ready' if data['ready'] else 'loading'}</strong>.</p>
<h2>APIs</h2>
<table><tr><th>API</th><th>Base path</th><th>Docs</th><th>Spec</th></tr>{rows}</table>
<h2>Control plane</h2>
<p>{link(control['basePath'] + '/health', 'health')} &middot;
{link(data['credentials'], 'credentials (ready-to-send headers)')} &middot;
{link(control['swaggerUi'], 'Swagger UI')} &middot; {link(control['spec'], 'spec')}.
Pick a world with <code>X-Sandbox-Id: &lt;name&gt;</code>.</p>
{token}{sandboxes}
</body></html>
"""


class FrontDoorMiddleware:
    """Answers GET/HEAD on :data:`PATHS`; everything else passes on."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS \
                or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        token = self.runtime.config.admin_token
        show = not token or hmac.compare_digest(
            headers.get("authorization", "").encode(), f"Bearer {token}".encode())
        data = summary(self.runtime, show)
        accept = headers.get("accept", "")
        if "application/json" in accept and "text/html" not in accept:
            body, kind = json.dumps(data).encode(), b"application/json"
        else:
            body, kind = render_html(data).encode(), b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", kind),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
