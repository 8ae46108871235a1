"""Pigello Accounts operations: the same five-plus-bulk set for each resource."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from mock_server.apis.pigello import models
from mock_server.apis.pigello.drf import SCOPE_IGNORED, warning
from mock_server.apis.pigello.listing import TRUE, list_records
from mock_server.apis.pigello.models import (
    CONNECTION,
    SUBTENANT,
    TENANT,
    Client,
    Entity,
    PigelloState,
)
from mock_server.context import RequestContext
from mock_server.errors import NotFound, Unauthorized

# The sandbox's own advisory header (no provider sends it): members a write ignored.
WARNING = "X-Sandbox-Warning"
# ``_slim=true``: the sandbox's reduced member sets.
SLIM = {"tenant": ("id", "first_name", "last_name", "corporate_name", "custom_id"),
        "subtenant": ("id", "first_name", "last_name", "corporate_name", "custom_id"),
        "subtenanttenantconnection": ("id", "tenant", "sub_tenant", "stakeholder_type",
                                      "custom_id")}


def _caller(ctx: RequestContext) -> tuple[PigelloState, Client]:
    client = ctx.principal
    if client is None:
        raise Unauthorized("Authentication credentials were not provided.")
    return ctx.sandbox.state(models.API), client


def _list(ctx: RequestContext, entity: Entity) -> Any:
    state, client = _caller(ctx)
    query = parse_qsl(ctx.query_string, keep_blank_values=True)
    records, meta = list_records(state, entity, client.customer_id, query)
    flags = dict(query)
    rows = [models.render(entity, r) for r in records]
    if flags.get("_slim", "").strip().lower() in TRUE:
        rows = [{k: row[k] for k in SLIM[entity.name]} for row in rows]
    if flags.get("_jsonl", "").strip().lower() in TRUE:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        return text, 200, {"Content-Type": "application/jsonl"}
    return {"data": rows, "meta": meta}, 200


def _advice(ctx: RequestContext) -> dict[str, str]:
    """The sandbox's advisory header when the body had members DRF would ignore."""
    ignored = ctx.scope.get(SCOPE_IGNORED)
    return {WARNING: warning(ignored)} if ignored else {}


def _create(ctx: RequestContext, entity: Entity, body: dict) -> Any:
    state, client = _caller(ctx)
    # Connexion hands an empty body ({}: DRF's reading of no body) over as None.
    [record] = models.write_many(state, entity, client.customer_id, [(None, body or {})], [""])
    return models.render(entity, record), 201, _advice(ctx)


def _get(ctx: RequestContext, entity: Entity, pk: str) -> Any:
    state, client = _caller(ctx)
    record = state.find(entity.name, client.customer_id, pk)
    if record is None:
        raise NotFound("Not found.")
    return models.render(entity, record), 200


def _update(ctx: RequestContext, entity: Entity, pk: str, body: dict) -> Any:
    state, client = _caller(ctx)
    if state.find(entity.name, client.customer_id, pk) is None:
        raise NotFound("Not found.")
    [record] = models.write_many(state, entity, client.customer_id, [(pk, body or {})], [""])
    return models.render(entity, record), 200, _advice(ctx)


def _delete(ctx: RequestContext, entity: Entity, pk: str) -> Any:
    state, client = _caller(ctx)
    if not models.delete_record(state, entity, client.customer_id, pk):
        raise NotFound("Not found.")
    return None, 204


def _bulk(ctx: RequestContext, entity: Entity, body: list) -> Any:
    state, client = _caller(ctx)
    items = [(item.get("id"), item) for item in body or []]
    records = models.write_many(state, entity, client.customer_id, items,
                                [f"/{i}" for i in range(len(items))], bulk=True)
    return [models.render(entity, r) for r in records], 200, _advice(ctx)


def list_tenants(ctx: RequestContext, **_: Any) -> Any:
    return _list(ctx, TENANT)


def create_tenant(ctx: RequestContext, body: dict) -> Any:
    return _create(ctx, TENANT, body)


def get_tenant(ctx: RequestContext, pk: str) -> Any:
    return _get(ctx, TENANT, pk)


def update_tenant(ctx: RequestContext, pk: str, body: dict) -> Any:
    return _update(ctx, TENANT, pk, body)


def delete_tenant(ctx: RequestContext, pk: str) -> Any:
    return _delete(ctx, TENANT, pk)


def bulk_write_tenants(ctx: RequestContext, body: list) -> Any:
    return _bulk(ctx, TENANT, body)


def list_subtenants(ctx: RequestContext, **_: Any) -> Any:
    return _list(ctx, SUBTENANT)


def create_subtenant(ctx: RequestContext, body: dict) -> Any:
    return _create(ctx, SUBTENANT, body)


def get_subtenant(ctx: RequestContext, pk: str) -> Any:
    return _get(ctx, SUBTENANT, pk)


def update_subtenant(ctx: RequestContext, pk: str, body: dict) -> Any:
    return _update(ctx, SUBTENANT, pk, body)


def delete_subtenant(ctx: RequestContext, pk: str) -> Any:
    return _delete(ctx, SUBTENANT, pk)


def bulk_write_subtenants(ctx: RequestContext, body: list) -> Any:
    return _bulk(ctx, SUBTENANT, body)


def list_subtenant_tenant_connections(ctx: RequestContext, **_: Any) -> Any:
    return _list(ctx, CONNECTION)


def create_subtenant_tenant_connection(ctx: RequestContext, body: dict) -> Any:
    return _create(ctx, CONNECTION, body)


def get_subtenant_tenant_connection(ctx: RequestContext, pk: str) -> Any:
    return _get(ctx, CONNECTION, pk)


def update_subtenant_tenant_connection(ctx: RequestContext, pk: str, body: dict) -> Any:
    return _update(ctx, CONNECTION, pk, body)


def delete_subtenant_tenant_connection(ctx: RequestContext, pk: str) -> Any:
    return _delete(ctx, CONNECTION, pk)


def bulk_write_subtenant_tenant_connections(ctx: RequestContext, body: list) -> Any:
    return _bulk(ctx, CONNECTION, body)
