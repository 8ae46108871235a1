"""Wallet operations: HTTP in, ``{"statusCode", "message", "data"}`` out."""

from __future__ import annotations

from typing import Any

from mock_server.apis.wallet import models
from mock_server.apis.wallet.models import Principal, WalletState
from mock_server.context import RequestContext
from mock_server.errors import FieldError, Forbidden, Unauthorized


def envelope(status: int, message: str, data: Any) -> tuple[dict, int]:
    return {"statusCode": status, "message": message, "data": data}, status


def _state(ctx: RequestContext) -> WalletState:
    return ctx.sandbox.state(models.API)


def _caller(ctx: RequestContext, *, optional: bool = False) -> Principal | None:
    """The key's owner; X-Tenant-ID, when sent by a tenant-bound caller, must be its own."""
    key = ctx.headers.get("x-api-key")
    if key is None and optional:
        return None
    principal = _state(ctx).principal_for(key or "")
    if principal is None:
        raise Unauthorized("Unauthorized: invalid or expired API key",
                           errors=[FieldError("is invalid or expired", parameter="X-API-KEY",
                                              location="header")])
    tenant_header = ctx.headers.get("x-tenant-id")
    if tenant_header and principal.tenant_id and tenant_header != principal.tenant_id \
            and principal.role == "user":
        raise Forbidden("X-Tenant-ID does not match the API key's tenant")
    return principal


def _tenant_id(ctx: RequestContext) -> str:
    return ctx.headers["x-tenant-id"]


def register(ctx: RequestContext, body: dict) -> Any:
    caller = _caller(ctx, optional=True)
    tenant, admin, key = models.register(_state(ctx), caller, body)
    data = {**models.tenant_view(tenant), "tenantAdmin": models.admin_view(admin, key)}
    return envelope(201, "Tenant registered successfully", data)


def update(ctx: RequestContext, body: dict) -> Any:
    record = models.update(_state(ctx), _caller(ctx), _tenant_id(ctx), body)
    return envelope(200, "Tenant updated successfully", models.tenant_view(record))


def list_tenants(ctx: RequestContext, tenantId: str | None = None, name: str | None = None,
                 email: str | None = None, country: str | None = None,
                 allowNotification: bool | None = None, page: int = 0, size: int = 20,
                 sort: str | None = None) -> Any:
    caller = _caller(ctx)
    data = models.list_tenants(_state(ctx), caller, tenant_ids=tenantId, names=name,
                               emails=email, countries=country,
                               allow_notification=allowNotification, page=page, size=size,
                               sort=sort)
    return envelope(200, "Tenants retrieved successfully", data)


list_tenants_slash = list_tenants


def delete(ctx: RequestContext) -> Any:
    record = models.delete(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant deleted successfully", models.tenant_view(record))


def restore(ctx: RequestContext) -> Any:
    record = models.restore(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant restored successfully", models.tenant_view(record))


def history(ctx: RequestContext) -> Any:
    entries = models.history(_state(ctx), _caller(ctx), _tenant_id(ctx))
    return envelope(200, "Tenant history retrieved successfully", entries)
