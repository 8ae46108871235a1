"""Wallet operations: HTTP in, ``{"statusCode", "message", "data"}`` out."""

from __future__ import annotations

from typing import Any, Literal, overload

from mock_server.apis.wallet import models
from mock_server.apis.wallet.models import Principal, WalletState
from mock_server.context import RequestContext
from mock_server.errors import Forbidden, NotFound, Unauthorized


def envelope(status: int, message: str, data: Any) -> tuple[dict, int]:
    return {"statusCode": status, "message": message, "data": data}, status


def _state(ctx: RequestContext) -> WalletState:
    return ctx.sandbox.state(models.API)


@overload
def _caller(ctx: RequestContext, *, optional: Literal[False] = False) -> Principal: ...
@overload
def _caller(ctx: RequestContext, *, optional: bool) -> Principal | None: ...
def _caller(ctx: RequestContext, *, optional: bool = False) -> Principal | None:
    """The key's owner (None: no key, where the operation allows it). X-Tenant-ID is
    checked against the key: a tenant admin or user naming another tenant is refused
    (403)."""
    principal: Principal | None = ctx.principal
    if principal is None:
        if optional:
            return None
        raise Unauthorized("Unauthorized")
    tenant_header = ctx.headers.get("x-tenant-id")
    if tenant_header is not None and not optional:
        if principal.role != "platform_admin" and tenant_header != principal.tenant_id:
            raise Forbidden("X-Tenant-ID names another tenant than the API key's")
    return principal


def _tenant_id(ctx: RequestContext) -> str:
    return ctx.headers["x-tenant-id"]


def register_tenant(ctx: RequestContext, body: dict) -> Any:
    caller = _caller(ctx, optional=True)
    tenant, admin, key = models.register(_state(ctx), caller, body)
    data = {**models.tenant_view(tenant), "tenantAdmin": models.admin_view(admin, key)}
    return envelope(201, "Tenant registered successfully", data)


def update_tenant(ctx: RequestContext, body: dict) -> Any:
    record = models.update(_state(ctx), _caller(ctx), _tenant_id(ctx), body)
    return envelope(200, "Tenant updated successfully", models.tenant_view(record))


def list_tenants(ctx: RequestContext, tenantId: str | None = None, name: str | None = None,
                 email: str | None = None, country: str | None = None,
                 allowNotification: bool | None = None, page: int = 0, size: int = 20,
                 sort: str | None = None) -> Any:
    """A page of tenants (paging and sorting read as Spring does: see paging.py). A
    platform admin's X-Tenant-ID, when sent, must name a live tenant (the seed's 404)."""
    caller = _caller(ctx)
    header = ctx.headers.get("x-tenant-id")
    if header is not None and caller.role == "platform_admin" and \
            not _state(ctx).is_live(header):
        raise NotFound("Tenant not found")
    data = models.list_tenants(_state(ctx), caller, tenant_ids=tenantId, names=name,
                               emails=email, countries=country,
                               allow_notification=allowNotification, page=page, size=size,
                               sort=sort)
    return envelope(200, "Tenants retrieved successfully", data)


list_tenants_slash = list_tenants


def delete_tenant(ctx: RequestContext) -> Any:
    record = models.delete(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant deleted successfully", models.tenant_view(record))


def restore_tenant(ctx: RequestContext) -> Any:
    record = models.restore(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant restored successfully", models.tenant_view(record))


def get_tenant_history(ctx: RequestContext) -> Any:
    entries = models.history(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant history retrieved successfully", entries)
