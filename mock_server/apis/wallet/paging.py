"""Wallet query strings read the way the Spring service behind these names reads them.

Spring Data's ``PageableHandlerMethodArgumentResolver`` (spring-data-commons) and
Spring MVC's ``@RequestParam`` binding, as the provider's parameter names (``page``,
``size``, ``sort``) show it is built on:

- ``page``: 0-based; negative or unparsable (not a Java int) is 0; empty is the default 0.
- ``size``: above 2000 is cut to 2000; below 1, unparsable or empty is the default 20.
- ``sort``: repeatable (``sort=name,asc&sort=createdAt,desc``); the orders reach the
  handler joined by ``;``.
- a filter sent twice is one comma-separated value (Spring joins a String parameter's
  values with commas); the first ``page`` and ``size`` win.
- ``allowNotification=`` (empty) is no filter: Spring converts an empty String to a
  null Boolean; an empty String filter (``name=``) stays the empty string.
- query parameters no operation declares are ignored.

:class:`SpringQueryMiddleware` rewrites the query string before Connexion parses and
validates it, on a copy of the scope (the journal keeps what the client sent).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_PAGE, DEFAULT_SIZE, MAX_SIZE = 0, 20, 2000
INT_MAX = 2**31 - 1
JAVA_INT = re.compile(r"[+-]?\d+")
LIST_PATHS = ("/api/v1/tenants", "/api/v1/tenants/")
FILTERS = ("tenantId", "name", "email", "country", "allowNotification")
PREFIX = "/api/v1/tenants"


def _java_int(text: str) -> int | None:
    """``Integer.parseInt``: None where Java throws NumberFormatException."""
    if not JAVA_INT.fullmatch(text):
        return None
    value = int(text)
    return value if -INT_MAX - 1 <= value <= INT_MAX else None


def page_of(text: str | None) -> int:
    if not text:
        return DEFAULT_PAGE
    value = _java_int(text)
    return 0 if value is None or value < 0 else value


def size_of(text: str | None) -> int:
    if not text:
        return DEFAULT_SIZE
    value = _java_int(text)
    value = 0 if value is None else min(value, MAX_SIZE)
    return DEFAULT_SIZE if value < 1 else value


@lru_cache(maxsize=256)  # a pure function of the query string; clients repeat theirs
def spring_query(raw: str, listing: bool) -> str:
    """The query string as the handler should see it."""
    if not listing:
        return ""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    out: list[tuple[str, str]] = []
    # A Boolean parameter sent empty is no parameter (Spring's StringToBooleanConverter
    # reads "" as null); a String one is the empty string.
    values["allowNotification"] = [v for v in values.get("allowNotification", []) if v.strip()]
    for name in FILTERS:
        if values.get(name):
            out.append((name, ",".join(values[name])))
    out.append(("page", str(page_of(values.get("page", [""])[0]))))
    out.append(("size", str(size_of(values.get("size", [""])[0]))))
    orders = [v for v in values.get("sort", []) if v.strip(" ,")]
    if orders:
        out.append(("sort", ";".join(orders)))
    return urlencode(out)


class SpringQueryMiddleware:
    """Rewrites Wallet query strings as described above (Wallet paths only)."""

    def __init__(self, app: ASGIApp, runtime: object = None) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            listing = path in LIST_PATHS and scope.get("method") in ("GET", "HEAD")
            raw = scope.get("query_string", b"").decode("latin-1")
            query = spring_query(raw, listing)
            if query != raw:
                scope = {**scope, "query_string": query.encode("latin-1")}
        await self.app(scope, receive, send)
