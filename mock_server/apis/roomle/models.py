"""Roomle state and rules: tenants, their catalog connections, and the users who call.

Plain functions and classes, testable without HTTP. A tenant record is stored with
every writable field of the tenant object plus ``apiKey``, ``createdAt`` and
``updatedAt`` (internal; ``updatedAt`` feeds ``meta.lastUpdated``). Derived fields
(``links``, ``users``, ``catalogs``, ``visibleCatalogs``, ``shownCatalogs``) are
computed when a tenant is shown.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from mock_server.config import Config
from mock_server.errors import Conflict, Forbidden, NotFound, Unprocessable
from mock_server.errors import FieldError as FE
from mock_server.fixtures import FixtureError
from mock_server.store import Collection, Record, Sandbox, UniqueViolation, isoformat

API = "roomle"
PACKAGES = ("tenant_free", "tenant_basic", "tenant_premium", "tenant_enterprise")
ROLES = ("super_admin", "tenant_manager", "user")
VISIBILITY_MIN, VISIBILITY_MAX = 0, 10
NAME_MAX = 64
DEFAULT_VALID_TILL = "2100-01-01T00:00:00.000Z"
LINKS = {"plans": "plans", "roles": "roles/", "users": "users/", "catalogs": "catalogs/",
         "retailerInfos": "retailerInfos/", "visibleCatalogs": "visibleCatalogs/",
         "shownCatalogs": "shownCatalogs/", "paymentConnections": "paymentConnections/",
         "billingInformation": "billingInformation/", "usages": "usages/"}
DEFAULTS: dict[str, Any] = {
    "active": True, "showLanguageSwitch": False, "defaultLanguage": "en",
    "authenticationRequired": False, "visibility": VISIBILITY_MAX, "privacyUrl": None,
    "webhook": None, "configurators": [], "allowRegistration": False, "branded": False,
    "skin": None, "configuration": {}, "modules": ["basic_usage"],
}
SIMPLE = ("name", "label", *DEFAULTS)
STORED = ("id", *SIMPLE, "apiKey", "packages", "catalogConnections", "createdAt", "updatedAt")
SUPER_ADMIN_ONLY = ("packages", "modules")


@dataclass
class User:
    """A caller: a user token, belonging to one tenant, with one role."""

    id: int
    name: str
    role: str
    tenant_id: int
    token: str


class RoomleState:
    """One sandbox's Roomle world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.tenants = Collection("roomle.tenants", unique={
            "name": lambda r: r["name"].casefold(),
            "apiKey": lambda r: r["apiKey"],
        })
        self.users: dict[int, User] = {}
        self.users_by_token: dict[str, User] = {}
        self.users_by_tenant: dict[int, list[int]] = {}
        self.catalog_owner: dict[str, int] = {}
        self.next_id = 1
        self.last_updated: str | None = None

    def savepoint(self) -> int:
        """The next-id counter, for ``Sandbox.savepoint`` (a refused create takes no id)."""
        return self.next_id

    def rollback(self, next_id: int) -> None:
        self.next_id = next_id

    def new_id(self) -> int:
        value = self.next_id
        while value in self.tenants:
            value += 1
        self.next_id = value + 1
        return value

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        self.users_by_token[user.token] = user
        self.users_by_tenant.setdefault(user.tenant_id, []).append(user.id)

    def user_for_token(self, token: str) -> User | None:
        user = self.users_by_token.get(token)
        return user if user is not None and user.tenant_id in self.tenants else None

    def tenant_for_api_key(self, api_key: str) -> Record | None:
        """The tenant holding ``api_key`` (a read-only view: do not mutate)."""
        owner = self.tenants.owner("apiKey", api_key)
        return self.tenants.peek(owner) if owner is not None else None

    def get(self, tenant_id: int) -> Record:
        record = self.tenants.get(tenant_id)
        if record is None:
            raise NotFound(f"Tenant {tenant_id} not found")
        return record

    def users_of(self, tenant_id: int) -> list[int]:
        return list(self.users_by_tenant.get(tenant_id, ()))

    def public_catalog(self, catalog_id: str) -> bool:
        owner = self.tenants.get(self.catalog_owner.get(catalog_id, -1)) or {}
        return any(c["id"] == catalog_id and c["public"]
                   for c in owner.get("catalogConnections", []))

    def reindex_catalogs(self) -> None:
        self.catalog_owner = {c["id"]: r["id"] for r in self.tenants.values()
                              for c in r["catalogConnections"] if c["owner"]}
        self.last_updated = max((r["updatedAt"] for r in self.tenants.values()), default=None)

    def reindex_tenant(self, old: Record | None, new: Record) -> None:
        """Keep the catalog owners (and lastUpdated) in step after one tenant's write."""
        for c in (old or {}).get("catalogConnections", []):
            if c["owner"] and self.catalog_owner.get(c["id"]) == new["id"]:
                del self.catalog_owner[c["id"]]
        for c in new["catalogConnections"]:
            if c["owner"]:
                self.catalog_owner[c["id"]] = new["id"]
        if self.last_updated is None or new["updatedAt"] > self.last_updated:
            self.last_updated = new["updatedAt"]


def can_manage(user: User, tenant_id: int) -> bool:
    """Tenant-management rights: a super admin, or the tenant's own manager."""
    return user.role == "super_admin" or (user.role == "tenant_manager"
                                          and user.tenant_id == tenant_id)


def view(state: RoomleState, record: Record, user: User | None) -> dict[str, Any]:
    """The tenant object as the caller may see it (apiKey/webhook only with rights)."""
    tid = record["id"]
    connections = [{**c, "public": c["public"] if c["owner"] else state.public_catalog(c["id"])}
                   for c in record["catalogConnections"]]
    out: dict[str, Any] = {k: record[k] for k in ("id", *SIMPLE, "apiKey", "packages")}
    out.update({
        "links": {k: f"/tenants/{tid}/{v}" for k, v in LINKS.items()},
        "users": state.users_of(tid),
        "catalogs": [c["id"] for c in connections if c["owner"]],
        "visibleCatalogs": [c["id"] for c in connections],
        "shownCatalogs": [c["id"] for c in connections if c["active"]],
        "catalogConnections": connections,
    })
    if user is None or not can_manage(user, tid):
        del out["apiKey"], out["webhook"]
    return out


def _is_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc
                and " " not in value)


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _packages(state: RoomleState, raw: list[dict], errors: list[FE],
              now: str | None = None) -> list[dict]:
    """Validated, normalised packages (ids and defaults filled in; validFrom from ``now``)."""
    out = []
    for i, pkg in enumerate(raw):
        where = f"/packages/{i}"
        if pkg.get("package") not in PACKAGES:
            errors.append(FE(f"must be one of {', '.join(PACKAGES)}", pointer=where + "/package"))
        start = pkg.get("validFrom") or now or isoformat(state.sandbox.now())
        end = pkg.get("validTill") or DEFAULT_VALID_TILL
        start_t, end_t = _parse_time(start), _parse_time(end)
        for key, value in (("validFrom", start_t), ("validTill", end_t)):
            if value is None or value.tzinfo is None:
                errors.append(FE("must be an ISO-8601 date-time with a time zone",
                                 pointer=f"{where}/{key}"))
        if start_t and end_t and start_t.tzinfo and end_t.tzinfo and start_t > end_t:
            errors.append(FE("must not be later than validTill", pointer=where + "/validFrom"))
        out.append({"id": pkg.get("id") or f"pkg-{state.sandbox.random.getrandbits(48):012x}",
                    "package": pkg.get("package"),
                    "fromPromocode": bool(pkg.get("fromPromocode", False)),
                    "validFrom": start, "validTill": end})
    return out


def default_packages(state: RoomleState, now: str | None = None) -> list[dict]:
    return _packages(state, [{"package": "tenant_free"}], [], now)


def _connections(state: RoomleState, user: User, tenant_id: int | None, current: list[dict],
                 raw: list[dict], errors: list[FE]) -> list[dict]:
    """Existing connections merged with the requested ones (added or changed, never dropped).

    A tenant may claim a catalog id nobody owns (``owner: true``), never one another
    tenant owns; it may connect to another tenant's catalog when that catalog is public,
    or when the caller is a super admin.
    """
    merged = {c["id"]: dict(c) for c in current}
    seen: set[str] = set()
    for i, conn in enumerate(raw):
        where = f"/catalogConnections/{i}"
        cid = conn["id"]
        if cid in seen:
            errors.append(FE("appears twice", pointer=where + "/id"))
            continue
        seen.add(cid)
        owner_id = state.catalog_owner.get(cid)
        mine = owner_id is not None and owner_id == tenant_id
        wants_owner = conn.get("owner", mine if owner_id is not None else False)
        if wants_owner and owner_id is not None and not mine:
            errors.append(FE(f"catalog {cid} is owned by another tenant", pointer=where + "/owner"))
            continue
        if mine and not wants_owner:
            errors.append(FE(f"catalog {cid} is owned by this tenant; ownership cannot be "
                             f"given up", pointer=where + "/owner"))
            continue
        if not wants_owner and owner_id is None:
            errors.append(FE(f"catalog {cid} does not exist", pointer=where + "/id"))
            continue
        if not wants_owner and user.role != "super_admin" and not state.public_catalog(cid):
            errors.append(FE(f"catalog {cid} is not public; only a super admin can connect it",
                             pointer=where + "/id"))
            continue
        old = merged.get(cid, {"active": True, "public": False, "visibilityLevel": VISIBILITY_MAX})
        merged[cid] = {"id": cid, "active": conn.get("active", old["active"]),
                       "owner": bool(wants_owner),
                       "public": conn.get("public", old["public"]) if wants_owner else False,
                       "visibilityLevel": conn.get("visibilityLevel", old["visibilityLevel"])}
    return list(merged.values())


def _check_fields(body: dict[str, Any], errors: list[FE]) -> None:
    """Rules beyond the schema: URLs, name and visibility."""
    for key in ("privacyUrl", "webhook"):
        if body.get(key) is not None and not _is_url(body[key]):
            errors.append(FE("must be an absolute http(s) URL", pointer=f"/{key}"))
    if "name" in body and not str(body["name"]).strip():
        errors.append(FE("must not be blank", pointer="/name"))
    visibility = body.get("visibility")
    if visibility is not None and not VISIBILITY_MIN <= visibility <= VISIBILITY_MAX:
        errors.append(FE(f"must be between {VISIBILITY_MIN} and {VISIBILITY_MAX}",
                         pointer="/visibility"))


def _unique_name(state: RoomleState, name: str, tenant_id: int | None) -> None:
    if state.tenants.is_taken("name", name.casefold(), ignore_id=tenant_id):
        raise Conflict(f"A tenant named '{name}' already exists",
                       errors=[FE(f"'{name}' is already taken", pointer="/name")])


def _raise(errors: list[FE]) -> None:
    if errors:
        raise Unprocessable("The tenant is not valid", errors=errors)


def new_api_key(sandbox: Sandbox) -> str:
    return f"rml_{sandbox.random.getrandbits(128):032x}"


def create_tenant(state: RoomleState, user: User, body: dict[str, Any]) -> Record:
    """A new tenant (super admin only); every check happens before anything is written."""
    if user.role != "super_admin":
        raise Forbidden("Only a super admin can create tenants")
    errors: list[FE] = []
    _check_fields(body, errors)
    packages = _packages(state, body["packages"], errors) if body.get("packages") \
        else default_packages(state)
    connections = _connections(state, user, None, [], body.get("catalogConnections") or [],
                               errors)
    _raise(errors)
    _unique_name(state, body["name"], None)
    now = isoformat(state.sandbox.now())
    record: Record = {**DEFAULTS, **{k: body[k] for k in SIMPLE if k in body}}
    record.setdefault("label", body["name"])
    record.update({"id": state.new_id(), "apiKey": new_api_key(state.sandbox),
                   "packages": packages, "catalogConnections": connections,
                   "createdAt": now, "updatedAt": now})
    stored = state.tenants.insert(record)
    state.reindex_tenant(None, stored)
    return stored


def update_tenant(state: RoomleState, user: User, tenant_id: int,
                  body: dict[str, Any]) -> Record:
    """Change the given fields; a tenant manager only its own tenant, a user nothing."""
    record = state.get(tenant_id)
    if user.role == "user":
        raise Forbidden("Plain users cannot update tenants")
    if not can_manage(user, tenant_id):
        raise Forbidden("A tenant manager can only update its own tenant")
    if body.get("id") is not None and body["id"] != tenant_id:
        raise Unprocessable("The tenant is not valid", errors=[
            FE("does not match the id in the URL", pointer="/id")])
    errors: list[FE] = []
    _check_fields(body, errors)
    changes = {k: body[k] for k in SIMPLE if k in body}
    if "packages" in body:
        changes["packages"] = _packages(state, body["packages"], errors)
    if "catalogConnections" in body:
        changes["catalogConnections"] = _connections(
            state, user, tenant_id, record["catalogConnections"], body["catalogConnections"],
            errors)
    _raise(errors)
    if user.role != "super_admin":
        denied = [k for k in SUPER_ADMIN_ONLY if k in changes and changes[k] != record[k]]
        if denied:
            raise Forbidden("Only a super admin can change packages and modules",
                            errors=[FE("can only be changed by a super admin", pointer=f"/{k}")
                                    for k in denied])
    if "name" in changes:
        _unique_name(state, changes["name"], tenant_id)
    old = state.tenants.peek(tenant_id)
    record.update(changes)
    record["updatedAt"] = isoformat(state.sandbox.now())
    stored = state.tenants.replace(record)
    state.reindex_tenant(old, stored)
    return stored


def delete_tenant(state: RoomleState, user: User, tenant_id: int) -> None:
    """Remove a tenant, its users and every connection to its catalogs (super admin only)."""
    if user.role != "super_admin":
        raise Forbidden("Only a super admin can delete tenants")
    state.get(tenant_id)
    if user.tenant_id == tenant_id:
        raise Conflict("The caller's own tenant cannot be deleted",
                       errors=[FE("is the caller's own tenant", parameter="id",
                                  location="path")])
    state.tenants.delete(tenant_id)
    owned = {c for c, t in state.catalog_owner.items() if t == tenant_id}
    for other in list(state.tenants.values()):
        kept = [c for c in other["catalogConnections"] if c["id"] not in owned]
        if len(kept) != len(other["catalogConnections"]):
            state.tenants.replace({**other, "catalogConnections": kept})
    for uid in state.users_by_tenant.pop(tenant_id, []):
        state.users_by_token.pop(state.users.pop(uid).token, None)
    state.reindex_catalogs()


def list_tenants(state: RoomleState, name: str | None, active: bool | None, page: int,
                 page_size: int) -> tuple[list[Record], int, str | None]:
    """One page of the tenants matching the filters (read-only views of the stored
    records: render them, do not mutate them), the match count, the latest update."""
    needle = name.casefold() if name else None
    start = (page - 1) * page_size
    if needle is None and active is None:
        total = len(state.tenants)
        chunk = itertools.islice(state.tenants.values(), start, start + page_size) \
            if start < total else ()
        return list(chunk), total, state.last_updated
    matched = [r for r in state.tenants.values()
               if (needle is None or needle in r["name"].casefold())
               and (active is None or r["active"] == active)]
    latest = max((r["updatedAt"] for r in matched), default=None)
    return matched[start:start + page_size], len(matched), latest


# --- fixtures -------------------------------------------------------------------


def _fixture_tenant(state: RoomleState, item: dict[str, Any], where: str, now: str) -> Record:
    errors: list[FE] = []
    _check_fields(item, errors)
    created = item.get("createdAt") or now
    packages = _packages(state, item["packages"], errors, created) if "packages" in item \
        else default_packages(state, created)
    connections = [{"id": c["id"], "active": c.get("active", True), "owner": c.get("owner", False),
                    "public": c.get("public", False),
                    "visibilityLevel": c.get("visibilityLevel", VISIBILITY_MAX)}
                   for c in item.get("catalogConnections", [])]
    if errors:
        first = errors[0]
        raise FixtureError.at(f"{where}.{first.field}", first.detail)
    record: Record = {**DEFAULTS, **{k: item[k] for k in SIMPLE if k in item}}
    record.setdefault("label", item["name"])
    record.update({"id": item["id"], "apiKey": item.get("apiKey") or new_api_key(state.sandbox),
                   "packages": packages, "catalogConnections": connections,
                   "createdAt": item.get("createdAt") or now,
                   "updatedAt": item.get("updatedAt") or item.get("createdAt") or now})
    return record


def build_state(sandbox: Sandbox, section: dict, config: Config) -> RoomleState:
    """Tenants with fixed ids, then the users who call, then the id sequence."""
    state = RoomleState(sandbox)
    now = section.get("createdAt") or isoformat(sandbox.now())
    for i, item in enumerate(section.get("tenants", [])):
        where = f"roomle.tenants[{i}]"
        record = _fixture_tenant(state, item, where, now)
        try:
            state.tenants.insert(record)
        except UniqueViolation as exc:
            raise FixtureError.at(f"{where}.{exc.index}", f"{exc.value!r} is used twice") from None
    owners: dict[str, str] = {}
    for i, record in enumerate(state.tenants.values()):
        for j, conn in enumerate(record["catalogConnections"]):
            if conn["owner"]:
                if conn["id"] in owners:
                    where = f"roomle.tenants[{i}].catalogConnections[{j}].owner"
                    raise FixtureError.at(where, f"catalog {conn['id']} is already owned by "
                                                f"{owners[conn['id']]}")
                owners[conn["id"]] = record["name"]
    state.reindex_catalogs()
    for i, record in enumerate(state.tenants.values()):
        for j, conn in enumerate(record["catalogConnections"]):
            if conn["id"] not in state.catalog_owner:
                raise FixtureError.at(f"roomle.tenants[{i}].catalogConnections[{j}].id",
                                     f"catalog {conn['id']} has no owner")
    for i, raw in enumerate(section.get("users", [])):
        where = f"roomle.users[{i}]"
        user = User(id=raw["id"], name=raw["name"], role=raw["role"], tenant_id=raw["tenant"],
                    token=raw["token"])
        if user.tenant_id not in state.tenants:
            raise FixtureError.at(f"{where}.tenant", f"tenant {user.tenant_id} does not exist")
        if user.id in state.users or user.token in state.users_by_token:
            raise FixtureError.at(f"{where}.token", "id or token is used twice")
        state.add_user(user)
    highest = max((r["id"] for r in state.tenants.values()), default=0)
    state.next_id = max(int(section.get("nextId", 1)), highest + 1)
    return state


def dump_state(state: RoomleState) -> dict[str, Any]:
    """Every tenant and user explicitly, with the id sequence."""
    return {
        "nextId": state.next_id,
        "tenants": [{k: r[k] for k in STORED} for r in state.tenants.values()],
        "users": [{"id": u.id, "name": u.name, "role": u.role, "tenant": u.tenant_id,
                   "token": u.token} for u in state.users.values()],
    }


def _fake_name(state: RoomleState) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", state.sandbox.faker.company().casefold()).strip("_")
    base = (base or "tenant")[:NAME_MAX - 8]
    name, n = base, 1
    while state.tenants.is_taken("name", name):
        n += 1
        name = f"{base}_{n}"
    return name


def add_generated_tenant(state: RoomleState, now: str) -> Record:
    """One Faker-made tenant with a unique name that passes the API's own rules."""
    rnd, fake = state.sandbox.random, state.sandbox.faker
    name = _fake_name(state)
    record: Record = {**DEFAULTS, "name": name, "label": fake.company()[:NAME_MAX],
                      "active": rnd.random() > 0.1, "visibility": rnd.randint(0, 10),
                      "defaultLanguage": rnd.choice(["en", "de", "fr", "it", "nl"]),
                      "privacyUrl": f"https://{name.replace('_', '-')}.example/privacy",
                      "id": state.new_id(), "apiKey": new_api_key(state.sandbox),
                      "packages": _packages(state, [{"package": rnd.choice(PACKAGES)}], [], now),
                      "catalogConnections": [{"id": f"{name}_catalog", "active": True,
                                              "owner": True, "public": rnd.random() > 0.5,
                                              "visibilityLevel": VISIBILITY_MAX}],
                      "createdAt": now, "updatedAt": now}
    stored = state.tenants.insert(record)
    state.catalog_owner[f"{name}_catalog"] = record["id"]
    return stored


def generate(sandbox: Sandbox, section: dict, config: Config, count: int,
             progress: Callable[[int], None]) -> dict[str, Any]:
    """The section plus ``count`` generated tenants."""
    state = build_state(sandbox, section, config)
    now = section.get("createdAt") or isoformat(sandbox.now())
    for i in range(count):
        add_generated_tenant(state, now)
        progress(i + 1)
    return dump_state(state)


def credentials(sandbox: Sandbox) -> list[dict]:
    """Each seeded user with the headers to send: its tenant's apiKey and its token."""
    state: RoomleState = sandbox.state(API)
    out = []
    for user in state.users.values():
        tenant = state.tenants.get(user.tenant_id)
        if tenant is None:
            continue
        entry: dict[str, Any] = {"name": user.name, "role": user.role, "userId": user.id,
                                 "headers": {"apiKey": tenant["apiKey"], "token": user.token}}
        if user.role != "super_admin":
            entry["tenantId"] = str(user.tenant_id)
        out.append(entry)
    return out
