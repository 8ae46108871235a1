"""Bizzlink Partner API operations (tenants, legal entities, Peppol IDs): HTTP in,
JSON:API documents out."""

from __future__ import annotations

from math import ceil
from typing import Any
from urllib.parse import urlencode

from mock_server.apis.bizzlink import entities, models
from mock_server.apis.bizzlink.entities import LE_ATTRIBUTES, PEPPOL_ATTRIBUTES
from mock_server.apis.bizzlink.errors import CONTENT_TYPE
from mock_server.apis.bizzlink.models import ATTRIBUTES, Account, BizzlinkState
from mock_server.collection import Record
from mock_server.context import RequestContext
from mock_server.errors import Conflict, FieldError, Forbidden, Unauthorized

JSON_API = {"Content-Type": CONTENT_TYPE}


def _caller(ctx: RequestContext) -> tuple[BizzlinkState, Account]:
    account = ctx.principal
    if account is None:
        raise Unauthorized("The request is not authenticated")
    return ctx.sandbox.state("bizzlink"), account


TENANTS, LEGAL_ENTITIES, PEPPOL_IDS = "tenants", "legal-entities", "peppol-ids"


def resource(record: Record, kind: str = TENANTS) -> dict[str, Any]:
    names = {TENANTS: ATTRIBUTES, LEGAL_ENTITIES: LE_ATTRIBUTES, PEPPOL_IDS: PEPPOL_ATTRIBUTES}
    return {"type": kind, "id": record["id"],
            "attributes": {a: record[a] for a in names[kind]}}


def _page_link(ctx: RequestContext, number: int, size: int) -> str:
    query = urlencode({"page[number]": number, "page[size]": size})
    return f"{ctx.base_url}{ctx.path}?{query}"


def _check_create(data: dict, kind: str) -> None:
    """JSON:API: a foreign ``type`` is a 409, a client-generated ``id`` a 403."""
    if "type" in data and data["type"] != kind:
        raise Conflict(f"This collection holds '{kind}', not '{data['type']}'", errors=[
            FieldError(f"must be '{kind}'", pointer="/data/type")])
    if "id" in data:
        raise Forbidden("Client-generated ids are not supported: leave out data.id",
                        errors=[FieldError("client-generated ids are not supported",
                                           pointer="/data/id")])


def _check_update(data: dict, kind: str, record_id: str) -> None:
    """JSON:API: a PATCH whose ``type`` or ``id`` does not match the URL is a 409."""
    if "type" in data and data["type"] != kind:
        raise Conflict(f"The resource at this URL is of type '{kind}'", errors=[
            FieldError(f"must be '{kind}'", pointer="/data/type")])
    if "id" in data and data["id"].lower() != record_id:
        raise Conflict("The document does not match the URL", errors=[
            FieldError("does not match the id in the URL", pointer="/data/id")])


def _list_document(ctx: RequestContext, items: list[dict], total: int, page_number: int,
                   page_size: int) -> Any:
    pages = ceil(total / page_size)
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
    return {"data": items, "links": links, "meta": meta}, 200, JSON_API


def _created(ctx: RequestContext, record: Record, kind: str) -> Any:
    headers = {**JSON_API, "Location": f"{ctx.base_url}{ctx.path.rstrip('/')}/{record['id']}"}
    return {"data": resource(record, kind)}, 201, headers


def list_child_tenants(ctx: RequestContext, page_number: int = 1, page_size: int = 20) -> Any:
    state, caller = _caller(ctx)
    models.require_partner(caller)
    total = state.count_children(caller.id)
    items = state.page_of_children(caller.id, page_number, page_size)
    return _list_document(ctx, [resource(r) for r in items], total, page_number, page_size)


def create_child_tenant(ctx: RequestContext, body: dict) -> Any:
    state, caller = _caller(ctx)
    _check_create(body["data"], TENANTS)
    record = models.create_tenant(state, caller, body["data"]["attributes"])
    return _created(ctx, record, TENANTS)


def get_child_tenant(ctx: RequestContext, id: str) -> Any:
    state, caller = _caller(ctx)
    return {"data": resource(state.child_for(caller, id.lower()))}, 200, JSON_API


def update_child_tenant(ctx: RequestContext, id: str, body: dict) -> Any:
    state, caller = _caller(ctx)
    data = body["data"]
    tenant_id = id.lower()
    state.child_for(caller, tenant_id)
    _check_update(data, TENANTS, tenant_id)
    record = models.update_tenant(state, caller, tenant_id, data["attributes"])
    return {"data": resource(record)}, 200, JSON_API


# --- legal entities -------------------------------------------------------------

def _page(collection: Any, index: str, key: str, number: int, size: int) -> tuple[int, list]:
    start = (number - 1) * size
    total, ids = collection.page_by(index, [key], start, start + size)
    return total, [collection.get(i) for i in ids]


def list_legal_entities(ctx: RequestContext, tenantId: str, page_number: int = 1,
                        page_size: int = 20) -> Any:
    state, caller = _caller(ctx)
    tenant_id = tenantId.lower()
    state.child_for(caller, tenant_id)
    total, items = _page(state.legal_entities, "tenant", tenant_id, page_number, page_size)
    return _list_document(ctx, [resource(r, LEGAL_ENTITIES) for r in items], total,
                          page_number, page_size)


def create_legal_entity(ctx: RequestContext, tenantId: str, body: dict) -> Any:
    state, caller = _caller(ctx)
    tenant_id = tenantId.lower()
    state.child_for(caller, tenant_id)
    _check_create(body["data"], LEGAL_ENTITIES)
    record = entities.create_legal_entity(state, caller, tenant_id,
                                          body["data"]["attributes"])
    return _created(ctx, record, LEGAL_ENTITIES)


def get_legal_entity(ctx: RequestContext, tenantId: str, leId: str) -> Any:
    state, caller = _caller(ctx)
    record = entities.legal_entity_for(state, caller, tenantId.lower(), leId.lower())
    return {"data": resource(record, LEGAL_ENTITIES)}, 200, JSON_API


def update_legal_entity(ctx: RequestContext, tenantId: str, leId: str, body: dict) -> Any:
    state, caller = _caller(ctx)
    tenant_id, le_id = tenantId.lower(), leId.lower()
    entities.legal_entity_for(state, caller, tenant_id, le_id)
    _check_update(body["data"], LEGAL_ENTITIES, le_id)
    record = entities.update_legal_entity(state, caller, tenant_id, le_id,
                                          body["data"]["attributes"])
    return {"data": resource(record, LEGAL_ENTITIES)}, 200, JSON_API


# --- Peppol IDs -----------------------------------------------------------------

def list_peppol_ids(ctx: RequestContext, tenantId: str, leId: str, page_number: int = 1,
                    page_size: int = 20) -> Any:
    state, caller = _caller(ctx)
    le_id = leId.lower()
    entities.legal_entity_for(state, caller, tenantId.lower(), le_id)
    total, items = _page(state.peppol_ids, "legalEntity", le_id, page_number, page_size)
    return _list_document(ctx, [resource(r, PEPPOL_IDS) for r in items], total,
                          page_number, page_size)


def create_peppol_id(ctx: RequestContext, tenantId: str, leId: str, body: dict) -> Any:
    state, caller = _caller(ctx)
    tenant_id, le_id = tenantId.lower(), leId.lower()
    entities.legal_entity_for(state, caller, tenant_id, le_id)
    _check_create(body["data"], PEPPOL_IDS)
    record = entities.create_peppol_id(state, caller, tenant_id, le_id,
                                       body["data"]["attributes"])
    return _created(ctx, record, PEPPOL_IDS)


def get_peppol_id(ctx: RequestContext, tenantId: str, leId: str, peppolIdId: str) -> Any:
    state, caller = _caller(ctx)
    record = entities.peppol_id_for(state, caller, tenantId.lower(), leId.lower(),
                                    peppolIdId.lower())
    return {"data": resource(record, PEPPOL_IDS)}, 200, JSON_API


def delete_peppol_id(ctx: RequestContext, tenantId: str, leId: str, peppolIdId: str) -> Any:
    """Deactivates (the provider: "Cannot delete if SMP-registered": 409)."""
    state, caller = _caller(ctx)
    entities.deactivate_peppol_id(state, caller, tenantId.lower(), leId.lower(),
                                  peppolIdId.lower())
    return None, 204


def deregister_from_smp(ctx: RequestContext, tenantId: str, leId: str,
                         peppolIdId: str) -> Any:
    state, caller = _caller(ctx)
    record = entities.deregister_peppol_id(state, caller, tenantId.lower(), leId.lower(),
                                           peppolIdId.lower())
    return {"data": resource(record, PEPPOL_IDS)}, 200, JSON_API
