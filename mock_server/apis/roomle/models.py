"""Roomle state and rules: tenants, their catalog connections, and the users who call.

Plain functions and classes, testable without HTTP. A tenant record is stored with
every writable field of the tenant object plus ``apiKey``, ``createdAt`` and
``updatedAt`` (internal; ``updatedAt`` feeds ``meta.lastUpdated``). Derived fields
(``links``, ``users``, ``catalogs``, ``visibleCatalogs``, ``shownCatalogs``) are
computed when a tenant is shown.
"""

from __future__ import annotations

import hmac
import itertools
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from mock_server.apis.roomle import tokens
from mock_server.clock import isoformat
from mock_server.collection import Collection, Record, UniqueViolation
from mock_server.config import Config
from mock_server.errors import Conflict, Forbidden, NotFound, Unprocessable
from mock_server.errors import FieldError as FE
from mock_server.fixtures import FixtureError
from mock_server.sandbox import Sandbox

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
STORED = ("id", *SIMPLE, "apiKey", "secret", "packages", "catalogConnections", "createdAt",
          "updatedAt")
SUPER_ADMIN_ONLY = ("packages", "modules")


DEFAULT_MAX_AGE = 300
SECRET_ALPHABET = string.ascii_letters + string.digits


@dataclass
class User:
    """A user who signs in (email + password), belonging to one tenant, with one role."""

    id: int
    name: str
    role: str
    tenant_id: int
    email: str
    password: str


@dataclass
class Session:
    """A signed-in session: what ``POST /v2/auth/signin`` hands out as ``auth.token``."""

    token: str
    user_id: int
    login_date: str


class RoomleState:
    """One sandbox's Roomle world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.tenants = Collection("roomle.tenants", unique={
            "name": lambda r: r["name"].casefold(),
            "apiKey": lambda r: r["apiKey"],
        }, shared=("configurators", "modules", "configuration"))
        self.users: dict[int, User] = {}
        self.users_by_email: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.users_by_tenant: dict[int, list[int]] = {}
        self.catalog_owner: dict[str, int] = {}
        self.next_id = 1
        self.last_updated: str | None = None
        self.max_age = DEFAULT_MAX_AGE
        self.plain_tokens = False

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
        self.users_by_email[user.email.casefold()] = user
        self.users_by_tenant.setdefault(user.tenant_id, []).append(user.id)

    def user_for_session(self, token: str) -> User | None:
        """The signed-in user of a session token (None once its tenant is deleted)."""
        session = self.sessions.get(token)
        user = self.users.get(session.user_id) if session is not None else None
        return user if user is not None and user.tenant_id in self.tenants else None

    def sign_in(self, tenant: Record, identification: str, password: str) -> Session:
        """A new session for the user with this email and password, who must belong to
        the apiKey's tenant (a super admin signs in with any tenant's apiKey); else 403."""
        user = self.users_by_email.get(identification.casefold())
        ok = user is not None and hmac.compare_digest(user.password.encode(), password.encode())
        if not ok or user is None or user.tenant_id not in self.tenants or (
                user.role != "super_admin" and user.tenant_id != tenant["id"]):
            raise Forbidden("Login failed: unknown identification or wrong password")
        token = f"rml_session_{self.sandbox.random.getrandbits(128):032x}"
        session = Session(token, user.id, isoformat(self.sandbox.now()))
        self.sessions[token] = session
        return session

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
        owner = self.tenants.peek(self.catalog_owner.get(catalog_id, -1)) or {}  # read only
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
    """An RFC 3339 date-time (the spec's ``date-time``: ``T`` and ``Z`` in either case)."""
    try:
        return datetime.fromisoformat(str(value).upper().replace("Z", "+00:00"))
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


def new_secret(sandbox: Sandbox) -> str:
    """16 letters and digits: an AES-128 key as the secret's bytes."""
    return "".join(sandbox.random.choice(SECRET_ALPHABET) for _ in range(16))


def create_tenant(state: RoomleState, user: User, body: dict[str, Any]) -> Record:
    """A new tenant (super admin only); every check happens before anything is written.
    What it returns is the stored record: for reading only."""
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
                   "secret": new_secret(state.sandbox),
                   "packages": packages, "catalogConnections": connections,
                   "createdAt": now, "updatedAt": now})
    stored = state.tenants.insert(record, copy=False)
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
    gone = set(state.users_by_tenant.pop(tenant_id, []))
    for uid in gone:
        state.users_by_email.pop(state.users.pop(uid).email.casefold(), None)
    for token in [t for t, s in state.sessions.items() if s.user_id in gone]:
        del state.sessions[token]
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
    if "secret" in item and len(item["secret"].encode()) not in tokens.KEY_SIZES:
        raise FixtureError.at(f"{where}.secret", "must have 16, 24 or 32 bytes (an AES key)")
    record: Record = {**DEFAULTS, **{k: item[k] for k in SIMPLE if k in item}}
    record.setdefault("label", item["name"])
    record.update({"id": item["id"], "apiKey": item.get("apiKey") or new_api_key(state.sandbox),
                   "secret": item.get("secret") or new_secret(state.sandbox),
                   "packages": packages, "catalogConnections": connections,
                   "createdAt": item.get("createdAt") or now,
                   "updatedAt": item.get("updatedAt") or item.get("createdAt") or now})
    return record


def _fixture_users(state: RoomleState, section: dict, now: str) -> None:
    """Users (email + password, optionally a seeded session) and signed-in sessions."""
    for i, raw in enumerate(section.get("users", [])):
        where = f"roomle.users[{i}]"
        user = User(id=raw["id"], name=raw["name"], role=raw["role"], tenant_id=raw["tenant"],
                    email=raw["email"], password=raw["password"])
        if user.tenant_id not in state.tenants:
            raise FixtureError.at(f"{where}.tenant", f"tenant {user.tenant_id} does not exist")
        if user.id in state.users:
            raise FixtureError.at(f"{where}.id", f"user id {user.id} is used twice")
        if user.email.casefold() in state.users_by_email:
            raise FixtureError.at(f"{where}.email", f"{user.email!r} is used twice")
        state.add_user(user)
        if raw.get("sessionToken"):
            _add_session(state, Session(raw["sessionToken"], user.id, now), f"{where}.sessionToken")
    for i, raw in enumerate(section.get("sessions", [])):
        where = f"roomle.sessions[{i}]"
        if raw["user"] not in state.users:
            raise FixtureError.at(f"{where}.user", f"user {raw['user']} does not exist")
        _add_session(state, Session(raw["token"], raw["user"], raw.get("loginDate") or now),
                     f"{where}.token")


def _add_session(state: RoomleState, session: Session, where: str) -> None:
    if session.token in state.sessions or session.token == tokens.ANONYMOUS:
        raise FixtureError.at(where, f"session token {session.token!r} is used twice"
                              if session.token != tokens.ANONYMOUS else "is reserved")
    state.sessions[session.token] = session


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
    _fixture_users(state, section, now)
    state.max_age = int(section.get("requestTokenMaxAge", DEFAULT_MAX_AGE))
    state.plain_tokens = bool(getattr(config, "roomle_plain_tokens", False))
    highest = max((r["id"] for r in state.tenants.values()), default=0)
    state.next_id = max(int(section.get("nextId", 1)), highest + 1)
    return state


def dump_state(state: RoomleState) -> dict[str, Any]:
    """Every tenant and user explicitly, with the id sequence."""
    return {
        "nextId": state.next_id,
        "tenants": [{k: r[k] for k in STORED} for r in state.tenants.values()],
        "requestTokenMaxAge": state.max_age,
        "users": [{"id": u.id, "name": u.name, "role": u.role, "tenant": u.tenant_id,
                   "email": u.email, "password": u.password} for u in state.users.values()],
        "sessions": [{"token": s.token, "user": s.user_id, "loginDate": s.login_date}
                     for s in state.sessions.values()],
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
                      "secret": new_secret(state.sandbox),
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


def _principal(state: RoomleState, tenant: Record, session: str, now: datetime,
               full: bool = True) -> dict[str, Any]:
    """What a caller of ``tenant``'s apiKey needs, with headers valid for
    ``requestTokenMaxAge`` seconds (a token made ``now`` on the sandbox clock)."""
    token = tokens.make_token(tenant["secret"], session, tenant["apiKey"], now)
    out: dict[str, Any] = {"apiKey": tenant["apiKey"], "secret": tenant["secret"]}
    if session != tokens.ANONYMOUS:
        # Not for anonymous callers: the journal masks the values of members named like
        # secrets wherever they appear, and "anonymous" is no secret (nor is the
        # moment the headers expire: hence headersValidUntil, not token...).
        out["sessionToken"] = session
    out["headers"] = {"apiKey": tenant["apiKey"], "token": token,
                      "currentTenant": str(tenant["id"]), "language": tenant["defaultLanguage"]}
    if full:
        out.update({
            "tokenPlainText": f"{tokens.format_timestamp(now)};{session};{tenant['apiKey']}",
            "headersValidUntil": isoformat(now + timedelta(seconds=state.max_age)),
            "example": f"mock-server roomle-token --secret '{tenant['secret']}' "
                       f"--session '{session}' --api-key '{tenant['apiKey']}'"})
    return out


def secrets(sandbox: Sandbox) -> list[str]:
    """The secret values Roomle holds (for masking): passwords, session tokens, apiKeys
    and their secrets. Cheap, unlike :func:`credentials`, which encrypts a token each."""
    state: RoomleState = sandbox.state(API)
    found = [u.password for u in state.users.values() if u.password]
    found += list(state.sessions)
    for tenant in state.tenants.values():
        found += [tenant["apiKey"], tenant.get("secret") or ""]
    return [s for s in found if s]


def credentials(sandbox: Sandbox) -> list[dict]:
    """Each seeded user (email, password, a seeded session) and every tenant's apiKey as
    an anonymous caller, each with its secret and headers made for this moment."""
    state: RoomleState = sandbox.state(API)
    now = sandbox.now()
    by_user: dict[int, str] = {}
    for s in state.sessions.values():
        by_user.setdefault(s.user_id, s.token)
    out = []
    for user in state.users.values():
        tenant = state.tenants.peek(user.tenant_id)
        if tenant is None:
            continue
        session = by_user.get(user.id)
        entry: dict[str, Any] = {"name": user.name, "role": user.role, "userId": user.id,
                                 "email": user.email, "password": user.password}
        if user.role != "super_admin":
            entry["tenantId"] = str(user.tenant_id)
        if session is None:
            entry["headers"] = {"apiKey": tenant["apiKey"], "currentTenant": str(tenant["id"])}
            entry.update(apiKey=tenant["apiKey"], secret=tenant["secret"])
        else:
            entry.update(_principal(state, tenant, session, now))
        out.append(entry)
    for tenant in state.tenants.values():
        out.append({"name": f"anonymous caller of {tenant['name']}", "role": "anonymous",
                    "tenantId": str(tenant["id"]),
                    **_principal(state, tenant, tokens.ANONYMOUS, now, full=False)})
    return out
