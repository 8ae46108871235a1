"""Roomle tenant operations: HTTP in, ``{"tenant"|"tenants": ..., "meta": ...}`` out.

Every path answers with and without a trailing slash; the ``*_slash`` functions
are the operations of the slash variants and delegate.
"""

from __future__ import annotations

from typing import Any

from mock_server.apis.roomle import models
from mock_server.apis.roomle.auth import Caller
from mock_server.apis.roomle.models import API, RoomleState, User
from mock_server.clock import isoformat
from mock_server.collection import Record
from mock_server.context import RequestContext
from mock_server.errors import FieldError, Unauthorized


def _reader(ctx: RequestContext) -> tuple[RoomleState, User | None]:
    """A caller who may read: a signed-in user, or an anonymous caller of a tenant that
    does not require authentication."""
    state: RoomleState = ctx.sandbox.state(API)
    caller: Caller = ctx.principal
    if caller.user is None and caller.tenant["authenticationRequired"]:
        raise Unauthorized("The apiKey's tenant requires authentication: sign in first",
                           errors=[FieldError("carries the anonymous session", parameter="token",
                                              location="header")])
    return state, caller.user


def _caller(ctx: RequestContext) -> tuple[RoomleState, User]:
    """A signed-in caller (writes need one)."""
    state: RoomleState = ctx.sandbox.state(API)
    caller: Caller = ctx.principal
    if caller.user is None:
        raise Unauthorized("Sign in first: anonymous callers cannot change tenants",
                           errors=[FieldError("carries the anonymous session", parameter="token",
                                              location="header")])
    return state, caller.user


def sign_in(ctx: RequestContext, body: dict) -> Any:
    """``POST /v2/auth/signin``: a new session for email + password, else 403."""
    state: RoomleState = ctx.sandbox.state(API)
    caller: Caller = ctx.principal
    session = state.sign_in(caller.tenant, body["identification"], body["password"])
    return {"auth": {"token": session.token, "userId": str(session.user_id),
                     "loginDate": session.login_date,
                     "lastActionDate": session.login_date}}, 200


def _meta(ctx: RequestContext, total: int, last_updated: str | None) -> dict[str, Any]:
    now = isoformat(ctx.sandbox.now())
    return {"lastUpdated": last_updated or now, "cached": False, "total": total,
            "serverTime": now}


def _one(ctx: RequestContext, state: RoomleState, user: User | None, record: Record,
         status: int = 200) -> tuple[dict, int]:
    return {"tenant": models.view(state, record, user),
            "meta": _meta(ctx, 1, record["updatedAt"])}, status


def list_tenants(ctx: RequestContext, name: str | None = None, active: bool | None = None,
                 page: int = 1, pageSize: int = 20) -> Any:
    """Tenants filtered by name (substring, case-insensitive) and active, one page."""
    state, user = _reader(ctx)
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
    state, user = _reader(ctx)
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
