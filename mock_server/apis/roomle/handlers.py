"""Roomle tenant operations: HTTP in, ``{"tenant"|"tenants": ..., "meta": ...}`` out.

Every path answers with and without a trailing slash; the ``*_slash`` functions
are the operations of the slash variants and delegate.
"""

from __future__ import annotations

from typing import Any

from mock_server.apis.roomle import models
from mock_server.apis.roomle.models import API, RoomleState, User
from mock_server.context import RequestContext
from mock_server.errors import FieldError, Forbidden, Unauthorized
from mock_server.store import Record, isoformat


def _caller(ctx: RequestContext) -> tuple[RoomleState, User]:
    """The calling user; its apiKey must be its own tenant's unless it is a super admin."""
    state: RoomleState = ctx.sandbox.state(API)
    tenant = state.tenant_for_api_key(ctx.headers.get("apikey", ""))
    user = state.user_for_token(ctx.headers.get("token", ""))
    if tenant is None or user is None:
        header = "apiKey" if tenant is None else "token"
        raise Unauthorized(f"{header} header is not valid", errors=[
            FieldError("is not valid", parameter=header, location="header")])
    if user.role != "super_admin" and user.tenant_id != tenant["id"]:
        raise Forbidden("The user does not belong to the tenant of the apiKey", errors=[
            FieldError("belongs to another tenant than the user", parameter="apiKey",
                       location="header")])
    return state, user


def _meta(ctx: RequestContext, total: int, last_updated: str | None) -> dict[str, Any]:
    now = isoformat(ctx.sandbox.now())
    return {"lastUpdated": last_updated or now, "cached": False, "total": total,
            "serverTime": now}


def _one(ctx: RequestContext, state: RoomleState, user: User, record: Record,
         status: int = 200) -> tuple[dict, int]:
    return {"tenant": models.view(state, record, user),
            "meta": _meta(ctx, 1, record["updatedAt"])}, status


def list_tenants(ctx: RequestContext, name: str | None = None, active: bool | None = None,
                 page: int = 1, pageSize: int = 20) -> Any:
    """Tenants filtered by name (substring, case-insensitive) and active, one page."""
    state, user = _caller(ctx)
    records, total, latest = models.list_tenants(state, name, active, page, pageSize)
    return {"tenants": [models.view(state, r, user) for r in records],
            "meta": _meta(ctx, total, latest)}, 200


def list_tenants_slash(ctx: RequestContext, name: str | None = None,
                       active: bool | None = None, page: int = 1, pageSize: int = 20) -> Any:
    """``GET /tenants/``."""
    return list_tenants(ctx, name, active, page, pageSize)


def create_tenant(ctx: RequestContext, body: dict) -> Any:
    """Create a tenant (super admin only)."""
    state, user = _caller(ctx)
    return _one(ctx, state, user, models.create_tenant(state, user, body), 201)


def create_tenant_slash(ctx: RequestContext, body: dict) -> Any:
    """``POST /tenants/``."""
    return create_tenant(ctx, body)


def get_tenant(ctx: RequestContext, id: int) -> Any:
    """One tenant."""
    state, user = _caller(ctx)
    return _one(ctx, state, user, state.get(id))


def get_tenant_slash(ctx: RequestContext, id: int) -> Any:
    """``GET /tenants/{id}/``."""
    return get_tenant(ctx, id)


def update_tenant(ctx: RequestContext, id: int, body: dict) -> Any:
    """Change the fields given in the body."""
    state, user = _caller(ctx)
    return _one(ctx, state, user, models.update_tenant(state, user, id, body))


def update_tenant_slash(ctx: RequestContext, id: int, body: dict) -> Any:
    """``PUT /tenants/{id}/``."""
    return update_tenant(ctx, id, body)


def delete_tenant(ctx: RequestContext, id: int) -> Any:
    """Delete a tenant (super admin only): 204."""
    state, user = _caller(ctx)
    models.delete_tenant(state, user, id)
    return None, 204


def delete_tenant_slash(ctx: RequestContext, id: int) -> Any:
    """``DELETE /tenants/{id}/``."""
    return delete_tenant(ctx, id)
