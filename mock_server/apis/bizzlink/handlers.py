"""Bizzlink Partner Tenants operations: HTTP in, JSON:API documents out."""

from __future__ import annotations

from math import ceil
from typing import Any
from urllib.parse import urlencode

from mock_server.apis.bizzlink import models
from mock_server.apis.bizzlink.auth import SCOPE_ACCOUNT
from mock_server.apis.bizzlink.errors import CONTENT_TYPE
from mock_server.apis.bizzlink.models import ATTRIBUTES, Account, BizzlinkState
from mock_server.context import RequestContext
from mock_server.errors import FieldError, Unauthorized, Unprocessable
from mock_server.store import Record

JSON_API = {"Content-Type": CONTENT_TYPE}


def _caller(ctx: RequestContext) -> tuple[BizzlinkState, Account]:
    account = ctx.scope.get(SCOPE_ACCOUNT)
    if account is None:
        raise Unauthorized("The request is not authenticated")
    return ctx.sandbox.state("bizzlink"), account


def resource(record: Record) -> dict[str, Any]:
    return {"type": "tenants", "id": record["id"],
            "attributes": {a: record[a] for a in ATTRIBUTES}}


def _page_link(ctx: RequestContext, number: int, size: int) -> str:
    query = urlencode({"page[number]": number, "page[size]": size})
    return f"{ctx.base_url}{ctx.path}?{query}"


def list_tenants(ctx: RequestContext, page_number: int = 1, page_size: int = 20) -> Any:
    state, caller = _caller(ctx)
    models.require_partner(caller)
    total = state.count_children(caller.id)
    pages = ceil(total / page_size)
    items = state.page_of_children(caller.id, page_number, page_size)
    last = max(pages, 1)
    links = {
        "first": _page_link(ctx, 1, page_size),
        "last": _page_link(ctx, last, page_size),
        "self": _page_link(ctx, page_number, page_size),
        "prev": _page_link(ctx, min(page_number - 1, last), page_size)
        if page_number > 1 else None,
        "next": _page_link(ctx, page_number + 1, page_size) if page_number < pages else None,
    }
    meta = {"page": page_number, "size": page_size, "totalElements": total,
            "totalPages": pages}
    return {"data": [resource(r) for r in items], "links": links, "meta": meta}, 200, JSON_API


def create_tenant(ctx: RequestContext, body: dict) -> Any:
    state, caller = _caller(ctx)
    record = models.create_tenant(state, caller, body["data"]["attributes"])
    headers = {**JSON_API, "Location": f"{ctx.base_url}{ctx.path.rstrip('/')}/{record['id']}"}
    return {"data": resource(record)}, 201, headers


def get_tenant(ctx: RequestContext, id: str) -> Any:
    state, caller = _caller(ctx)
    return {"data": resource(state.child_for(caller, id.lower()))}, 200, JSON_API


def update_tenant(ctx: RequestContext, id: str, body: dict) -> Any:
    state, caller = _caller(ctx)
    data = body["data"]
    tenant_id = id.lower()
    state.child_for(caller, tenant_id)
    if "id" in data and data["id"].lower() != tenant_id:
        raise Unprocessable("The document does not match the URL", errors=[
            FieldError("does not match the id in the URL", pointer="/data/id")])
    record = models.update_tenant(state, caller, tenant_id, data["attributes"])
    return {"data": resource(record)}, 200, JSON_API
