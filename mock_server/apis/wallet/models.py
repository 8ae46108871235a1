"""Wallet state and rules: tenants, their users, API keys, audit history.

Plain functions and classes, testable without HTTP. Records:

- tenant: ``{"id", "name", "email", "phoneNumber" (E.164), "address", "country":
  {"code", "name"}, "allowNotification", "webhookUrl", "createdAt", "updatedAt",
  "deleted"}``
- user: ``{"id", "tenantId", "fullName", "email", "phoneNumber", "country",
  "type" (TENANT_ADMIN | USER), "passwordHash", "createdAt", "updatedAt"}``
- key: ``{"key", "role", "tenantId", "userId", "name", "expiresAt"}``
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
import pycountry

from mock_server.clock import isoformat
from mock_server.collection import Collection, Record, UniqueViolation, compact
from mock_server.config import Config
from mock_server.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound, Unprocessable
from mock_server.fixtures import FixtureError
from mock_server.sandbox import Sandbox

API = "wallet"
UNITS = {"HOURS": timedelta(hours=1), "DAYS": timedelta(days=1), "WEEKS": timedelta(weeks=1),
         "MONTHS": timedelta(days=30), "YEARS": timedelta(days=365)}
TENANT_FIELDS = ("name", "email", "phoneNumber", "address", "country", "allowNotification",
                 "webhookUrl")
# Properties a sort may name (Spring Data: any property of the entity).
SORTABLE: dict[str, Callable[[Record], Any]] = {
    "tenantId": lambda r: r["id"], "name": lambda r: r["name"], "email": lambda r: r["email"],
    "phoneNumber": lambda r: r["phoneNumber"], "address": lambda r: r["address"],
    "country": lambda r: r["country"]["code"], "country.code": lambda r: r["country"]["code"],
    "country.name": lambda r: r["country"]["name"],
    "allowNotification": lambda r: r["allowNotification"],
    "webhookUrl": lambda r: r["webhookUrl"], "createdAt": lambda r: r["createdAt"],
    "updatedAt": lambda r: r["updatedAt"]}
DIRECTIONS = {"asc": False, "desc": True}


@dataclass(frozen=True)
class Principal:
    """Who calls: the owner of an API key."""

    key: str
    role: str  # platform_admin | tenant_admin | user
    tenant_id: str | None
    user_id: str | None
    name: str


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else None


class WalletState:
    """One sandbox's wallet world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.tenants = Collection(
            "wallet.tenants", unique={"email": lambda r: _lower(r["email"])},
            index={"country": lambda r: None if r["deleted"] else r["country"]["code"].casefold(),
                   "name": lambda r: None if r["deleted"] else r["name"].casefold(),
                   "live": lambda r: not r["deleted"]},
            shared=("country",))
        self.users = Collection("wallet.users", unique={"email": lambda r: _lower(r["email"])},
                                shared=("country", "type"))
        self.keys: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}

    def now(self) -> str:
        return isoformat(self.sandbox.now())

    def principal_for(self, key: str) -> Principal | None:
        """The key's owner if the key exists, has not expired and its tenant is live."""
        entry = self.keys.get(key)
        if entry is None:
            return None
        if entry["expiresAt"] and self.sandbox.now() >= _parse_time(entry["expiresAt"]):
            return None
        if entry["tenantId"] is not None:
            tenant = self.tenants.get(entry["tenantId"])
            if tenant is None or tenant["deleted"]:
                return None
        return Principal(key, entry["role"], entry["tenantId"], entry["userId"], entry["name"])

    def is_live(self, tenant_id: str) -> bool:
        """A tenant with this id exists and is not soft-deleted."""
        record = self.tenants.peek(tenant_id)
        return record is not None and not record["deleted"]

    def new_key(self) -> str:
        draw = self.sandbox.random.getrandbits
        return "wk_" + bytes([draw(8) for _ in range(20)]).hex()

    def record(self, tenant_id: str, action: str, actor: Principal | None,
               changes: dict[str, Any]) -> None:
        self.history.setdefault(tenant_id, []).append({
            "id": self.sandbox.new_uuid(), "tenantId": tenant_id, "action": action,
            "at": self.now(),
            "actor": {"userId": actor.user_id if actor else None,
                      "role": actor.role if actor else "anonymous"},
            "changes": changes,
        })


# --- field rules ---------------------------------------------------------------------

@functools.lru_cache(maxsize=512)
def _country(code: str) -> tuple[str, str, frozenset[str]] | None:
    """The display name, the ISO name and every accepted name (casefolded) of an ISO 3166-1
    alpha-2 code, or None (a pure lookup, so it is remembered)."""
    entry = pycountry.countries.get(alpha_2=code)
    if entry is None:
        return None
    names = frozenset(n.casefold() for n in (entry.name, getattr(entry, "official_name", None),
                                             getattr(entry, "common_name", None)) if n)
    return getattr(entry, "common_name", None) or entry.name, entry.name, names


def country_of(raw: dict[str, Any], where: str, errors: list[FieldError]) -> dict[str, str]:
    """``{"code", "name"}`` with the ISO name; the given name must agree with the code."""
    code = str(raw.get("code", "")).upper()
    known = _country(code)
    if known is None:
        errors.append(FieldError(f"'{raw.get('code')}' is not an ISO 3166-1 alpha-2 code",
                                 pointer=f"{where}/code"))
        return {"code": code, "name": raw.get("name") or code}
    name, iso_name, names = known
    if raw.get("name") and raw["name"].casefold() not in names:
        errors.append(FieldError(f"'{raw['name']}' is not the name of {code} ({iso_name})",
                                 pointer=f"{where}/name"))
    return {"code": code, "name": name}


@functools.lru_cache(maxsize=4096)
def _e164(number: str, country: str | None) -> str | None:
    """The number in E.164 if it is valid (for the country, when given), else None
    (pure, so remembered: clients tend to send the same few numbers)."""
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed) or \
            (country and phonenumbers.region_code_for_number(parsed) != country):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_of(number: str, country: str | None, where: str, errors: list[FieldError]) -> str:
    """The number in E.164 if it is valid for the country (without one: valid at all,
    in international format)."""
    e164 = _e164(number, country)
    if e164 is None:
        errors.append(FieldError(f"'{number}' is not a valid phone number"
                                 + (f" for {country}" if country else ""), pointer=where))
        return number
    return e164


def check_webhook(url: str | None, where: str, errors: list[FieldError]) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        errors.append(FieldError("must be a valid HTTPS URL", pointer=where))


# --- views -----------------------------------------------------------------------------

def tenant_view(record: Record) -> dict[str, Any]:
    return {"tenantId": record["id"], **{f: record[f] for f in TENANT_FIELDS},
            "createdAt": record["createdAt"], "updatedAt": record["updatedAt"]}


def admin_view(user: Record, key: dict[str, Any]) -> dict[str, Any]:
    return {"userId": user["id"], "fullName": user["fullName"],
            "phoneNumber": user["phoneNumber"], "email": user["email"],
            "country": user["country"], "createdAt": user["createdAt"],
            "updatedAt": user["updatedAt"], "type": user["type"], "tenantId": user["tenantId"],
            "apiKey": key["key"], "apiKeyExpiresAt": key["expiresAt"]}


# --- operations ------------------------------------------------------------------------

def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise Unprocessable("Validation failed", errors=errors)


def register(state: WalletState, caller: Principal | None,
             body: dict[str, Any]) -> tuple[Record, Record, dict[str, Any]]:
    """Create tenant, admin user and admin key; all checks before any write. The tenant
    and admin returned are the stored records: for reading only."""
    t, a = body["tenant"], body["tenantAdmin"]
    errors: list[FieldError] = []
    country = country_of(t["country"], "/tenant/country", errors)
    phone = phone_of(t["phoneNumber"], country["code"], "/tenant/phoneNumber", errors)
    check_webhook(t.get("webhookUrl"), "/tenant/webhookUrl", errors)
    admin_country = country_of(a["country"], "/tenantAdmin/country", errors) \
        if a.get("country") else None
    admin_phone = phone_of(a["phoneNumber"], admin_country["code"] if admin_country else None,
                           "/tenantAdmin/phoneNumber", errors) if a.get("phoneNumber") else None
    _raise(errors)
    if state.tenants.is_taken("email", t["email"].lower()):
        raise Conflict("Duplicate tenant email")
    if state.users.is_taken("email", a["email"].lower()):
        raise Conflict("Duplicate user email")
    moment = state.sandbox.now()  # one instant: the key expires exactly its duration after
    try:
        expires = moment + UNITS[a["duration"]] * a["keyDuration"]
    except OverflowError:
        raise Unprocessable("Validation failed", errors=[FieldError(
            "makes the key outlive the calendar", pointer="/tenantAdmin/keyDuration")]) from None
    now = isoformat(moment)
    tenant = state.tenants.insert({
        "id": state.sandbox.new_uuid(), "name": t["name"], "email": t["email"],
        "phoneNumber": phone, "address": t.get("address"), "country": country,
        "allowNotification": bool(t.get("allowNotification", False)),
        "webhookUrl": t.get("webhookUrl"), "createdAt": now, "updatedAt": now,
        "deleted": False}, copy=False)
    admin = state.users.insert({
        "id": state.sandbox.new_uuid(), "tenantId": tenant["id"], "fullName": a["fullName"],
        "email": a["email"], "phoneNumber": admin_phone,
        "country": (admin_country or country)["code"],
        "type": "TENANT_ADMIN", "passwordHash": hashlib.sha256(a["password"].encode()).hexdigest(),
        "createdAt": now, "updatedAt": now}, copy=False)
    key = {"key": state.new_key(), "role": "tenant_admin", "tenantId": tenant["id"],
           "userId": admin["id"], "name": a["fullName"], "expiresAt": isoformat(expires)}
    state.keys[key["key"]] = compact(key)
    state.record(tenant["id"], "REGISTERED", caller,
                 {f: {"from": None, "to": tenant[f]} for f in TENANT_FIELDS})
    _notify(state, tenant, "tenant.registered")
    state.sandbox.to_outbox(API, "email", tenant["email"], {
        "template": "tenant-onboarding", "tenantId": tenant["id"], "name": tenant["name"]})
    state.sandbox.to_outbox(API, "email", admin["email"], {
        "template": "admin-welcome", "tenantId": tenant["id"], "userId": admin["id"],
        "apiKeyExpiresAt": key["expiresAt"]})
    return tenant, admin, key


def _notify(state: WalletState, tenant: Record, event: str) -> None:
    """A webhook delivery, when the tenant has a URL and allows notifications."""
    if tenant["allowNotification"] and tenant["webhookUrl"]:
        state.sandbox.to_outbox(API, "webhook", tenant["webhookUrl"], {
            "event": event, "tenant": tenant_view(tenant), "sentAt": state.now()})


def target(state: WalletState, caller: Principal, tenant_id: str, action: str,
           *, allow_deleted: bool = False) -> Record:
    """The tenant a call is about, if the caller may ``action`` it."""
    if caller.role == "user":
        raise Forbidden(f"Regular users cannot {action} tenant information")
    if caller.role == "tenant_admin" and tenant_id != caller.tenant_id:
        raise Forbidden(f"Tenant admins can only {action} their own tenant")
    record = state.tenants.get(tenant_id)
    if record is None or (record["deleted"] and not allow_deleted):
        raise NotFound("Tenant not found")
    return record


def update(state: WalletState, caller: Principal, tenant_id: str,
           body: dict[str, Any]) -> Record:
    record = target(state, caller, tenant_id, "update")
    errors: list[FieldError] = []
    changes = dict(body)
    if "phoneNumber" in changes:
        changes["phoneNumber"] = phone_of(changes["phoneNumber"], record["country"]["code"],
                                          "/phoneNumber", errors)
    check_webhook(changes.get("webhookUrl"), "/webhookUrl", errors)
    _raise(errors)
    diff = {f: {"from": record[f], "to": v} for f, v in changes.items() if record[f] != v}
    record.update(changes)
    record["updatedAt"] = state.now()
    stored = state.tenants.replace(record)
    state.record(tenant_id, "UPDATED", caller, diff)
    _notify(state, stored, "tenant.updated")
    return stored


def delete(state: WalletState, caller: Principal, tenant_id: str) -> Record:
    record = target(state, caller, tenant_id, "delete")
    record["deleted"] = True
    record["updatedAt"] = state.now()
    stored = state.tenants.replace(record)
    state.record(tenant_id, "DELETED", caller, {"deleted": {"from": False, "to": True}})
    _notify(state, stored, "tenant.deleted")
    return stored


def restore(state: WalletState, caller: Principal, tenant_id: str) -> Record:
    if caller.role != "platform_admin":
        raise Forbidden("Only platform admins can restore tenants")
    record = target(state, caller, tenant_id, "restore", allow_deleted=True)
    if not record["deleted"]:
        raise Conflict("Tenant is not deleted")
    record["deleted"] = False
    record["updatedAt"] = state.now()
    stored = state.tenants.replace(record)
    state.record(tenant_id, "RESTORED", caller, {"deleted": {"from": True, "to": False}})
    _notify(state, stored, "tenant.restored")
    return stored


def history(state: WalletState, caller: Principal, tenant_id: str) -> list[dict[str, Any]]:
    target(state, caller, tenant_id, "view the history of",
           allow_deleted=caller.role == "platform_admin")
    return [dict(e) for e in state.history.get(tenant_id, [])]


def _split(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {v.strip().casefold() for v in value.split(",") if v.strip()}


def parse_sort(sort: str | None) -> list[tuple[Callable[[Record], Any], bool]]:
    """Spring's ``sort`` values (joined by ``;`` by paging.py): each is
    ``property[,property...][,asc|desc]``; an unknown property is 400 naming ``sort``
    (Spring Data JPA itself would fail with a 500)."""
    orders: list[tuple[Callable[[Record], Any], bool]] = []
    for value in (sort or "").split(";"):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        descending = False
        if parts and parts[-1].lower() in DIRECTIONS:
            descending = DIRECTIONS[parts.pop().lower()]
        for prop in parts:
            if prop not in SORTABLE:
                raise BadRequest(f"No property '{prop}' found for type 'Tenant'", errors=[
                    FieldError(f"names no sortable property '{prop}' (sortable: "
                               f"{', '.join(SORTABLE)})", parameter="sort", location="query")])
            orders.append((SORTABLE[prop], descending))
    return orders


def list_tenants(state: WalletState, caller: Principal, *, tenant_ids: str | None,
                 names: str | None, emails: str | None, countries: str | None,
                 allow_notification: bool | None, page: int, size: int,
                 sort: str | None) -> dict[str, Any]:
    """A page object: ``content``, ``totalElements``, ``totalPages``, ``size``, ``number``."""
    if caller.role == "user":
        raise Forbidden("Regular users cannot view tenant information")
    ids, nm, em, co = _split(tenant_ids), _split(names), _split(emails), _split(countries)
    tenants = state.tenants
    single = [(n, v) for n, v in (("country", co), ("name", nm)) if v is not None]
    if caller.role == "platform_admin" and ids is None and em is None and len(single) == 1 \
            and allow_notification is None and not sort:
        total, chunk_ids = tenants.page_by(single[0][0], single[0][1], page * size,
                                           (page + 1) * size)
        return {"content": [tenant_view(tenants.view(i)) for i in chunk_ids],
                "totalElements": total, "totalPages": -(-total // size), "size": size,
                "number": page}
    if caller.role != "platform_admin":
        tenant_id = caller.tenant_id
        candidates: set[str] | None = {tenant_id} if tenant_id is not None else set()
    elif ids is not None:
        candidates = ids
    elif em is not None:
        candidates = {r["id"] for e in em if (r := tenants.find_unique("email", e))}
    elif co is not None:
        candidates = {i for c in co for i in tenants.lookup("country", c)}
    elif nm is not None:
        candidates = {i for n in nm for i in tenants.lookup("name", n)}
    else:
        candidates = None
    if candidates is None and allow_notification is None and not sort:
        total = tenants.count("live", True)
        live = (r for r in tenants.values() if not r["deleted"])
        chunk = list(itertools.islice(live, page * size, (page + 1) * size)) \
            if page * size < total else []
        return {"content": [tenant_view(r) for r in chunk],
                "totalElements": total, "totalPages": -(-total // size), "size": size,
                "number": page}
    pool = (tenants.view(i) for i in tenants.in_order(
        i for i in candidates if tenants.peek(i) is not None)) \
        if candidates is not None else tenants.values()
    rows = [r for r in pool if not r["deleted"]
            and (ids is None or r["id"].casefold() in ids)
            and (nm is None or r["name"].casefold() in nm)
            and (em is None or r["email"].casefold() in em)
            and (co is None or r["country"]["code"].casefold() in co)
            and (allow_notification is None or r["allowNotification"] == allow_notification)]
    for key, descending in reversed(parse_sort(sort)):
        # Stable sorts, last order first; text case-insensitive, nulls last (first when
        # descending), ties in registration order.
        def sort_key(r: Record, key: Callable[[Record], Any] = key) -> Any:
            value = key(r)
            return (value is None, value.casefold() if isinstance(value, str) else value)

        rows.sort(key=sort_key, reverse=descending)
    total = len(rows)
    chunk = rows[page * size:(page + 1) * size]
    return {"content": [tenant_view(r) for r in chunk], "totalElements": total,
            "totalPages": -(-total // size), "size": size, "number": page}


# --- fixtures ----------------------------------------------------------------------------


def build_state(sandbox: Sandbox, section: dict, config: Config) -> WalletState:
    state = WalletState(sandbox)
    default_time = section.get("createdAt") or isoformat(sandbox.now())
    for admin in section.get("platformAdmins", []):
        state.keys[admin["apiKey"]] = {"key": admin["apiKey"], "role": "platform_admin",
                                       "tenantId": None, "userId": admin.get("userId"),
                                       "name": admin["name"],
                                       "expiresAt": admin.get("expiresAt")}
    for i, t in enumerate(section.get("tenants", [])):
        where = f"wallet.tenants[{i}]"
        errors: list[FieldError] = []
        country = country_of(t["country"], f"{where}.country", errors)
        phone = phone_of(t["phoneNumber"], country["code"], f"{where}.phoneNumber", errors)
        if errors:
            raise FixtureError("; ".join(f"{e.pointer}: {e.detail}" for e in errors),
                               [(e.pointer or where, e.detail) for e in errors])
        created = t.get("createdAt") or default_time
        try:
            state.tenants.insert({
                "id": t["tenantId"], "name": t["name"], "email": t["email"],
                "phoneNumber": phone, "address": t.get("address"), "country": country,
                "allowNotification": t.get("allowNotification", False),
                "webhookUrl": t.get("webhookUrl"), "createdAt": created,
                "updatedAt": t.get("updatedAt") or created, "deleted": t.get("deleted", False)})
        except UniqueViolation as exc:
            raise FixtureError.at(f"{where}.{'tenantId' if exc.index == 'id' else 'email'}",
                                 "is used twice") from None
        for j, u in enumerate(t.get("users", [])):
            uw = f"{where}.users[{j}]"
            try:
                state.users.insert({
                    "id": u["userId"], "tenantId": t["tenantId"], "fullName": u["fullName"],
                    "email": u["email"], "phoneNumber": u.get("phoneNumber"),
                    "country": u.get("country", country["code"]), "type": u["type"],
                    "passwordHash": u.get("passwordHash"),
                    "createdAt": u.get("createdAt") or created,
                    "updatedAt": u.get("updatedAt") or created})
            except UniqueViolation as exc:
                raise FixtureError.at(f"{uw}.{'userId' if exc.index == 'id' else 'email'}",
                                     "is used twice") from None
            if u.get("apiKey"):
                if u["apiKey"] in state.keys:
                    raise FixtureError.at(f"{uw}.apiKey", "is used twice")
                state.keys[u["apiKey"]] = compact({
                    "key": u["apiKey"], "tenantId": t["tenantId"], "userId": u["userId"],
                    "role": "tenant_admin" if u["type"] == "TENANT_ADMIN" else "user",
                    "name": u["fullName"], "expiresAt": u.get("apiKeyExpiresAt")})
        if t.get("history"):
            state.history[t["tenantId"]] = [dict(e) for e in t["history"]]
    return state


def dump_state(state: WalletState) -> dict[str, Any]:
    """Every tenant, user, key and history entry, explicitly."""
    # Grouped once (a tenant's users, a user's first key): linear, where asking every
    # user and key per tenant took 20 minutes for a state file of 100,000 tenants.
    users_of: dict[Any, list[dict]] = {}
    for u in state.users.values():
        users_of.setdefault(u["tenantId"], []).append(u)
    key_of: dict[Any, dict] = {}
    for k in state.keys.values():
        key_of.setdefault(k["userId"], k)
    tenants = []
    for t in state.tenants.values():
        users = []
        for u in users_of.get(t["id"], []):
            key = key_of.get(u["id"])
            users.append({"userId": u["id"], "fullName": u["fullName"], "email": u["email"],
                          "phoneNumber": u["phoneNumber"], "country": u["country"],
                          "type": u["type"], "passwordHash": u["passwordHash"],
                          "createdAt": u["createdAt"], "updatedAt": u["updatedAt"],
                          "apiKey": key["key"] if key else None,
                          "apiKeyExpiresAt": key["expiresAt"] if key else None})
        tenants.append({"tenantId": t["id"], "name": t["name"], "email": t["email"],
                        "phoneNumber": t["phoneNumber"], "address": t["address"],
                        "country": dict(t["country"]), "allowNotification": t["allowNotification"],
                        "webhookUrl": t["webhookUrl"], "createdAt": t["createdAt"],
                        "updatedAt": t["updatedAt"], "deleted": t["deleted"], "users": users,
                        "history": [dict(e) for e in state.history.get(t["id"], [])]})
    admins = [{"name": k["name"], "apiKey": k["key"], "userId": k["userId"],
               "expiresAt": k["expiresAt"]}
              for k in state.keys.values() if k["role"] == "platform_admin"]
    return {"platformAdmins": admins, "tenants": tenants}


_GEN_LOCALES = (("de_DE", "DE"), ("fr_FR", "FR"), ("nl_NL", "NL"), ("en_GB", "GB"),
                ("it_IT", "IT"), ("es_ES", "ES"))


def generate(sandbox: Sandbox, section: dict, config: Config, count: int,
             progress: Callable[[int], None]) -> dict[str, Any]:
    """The section plus ``count`` tenants, each with an admin, all passing the API's rules."""
    state = build_state(sandbox, section, config)
    out = dump_state(state)
    created = section.get("createdAt") or "2026-01-01T00:00:00.000Z"
    for i in range(count):
        locale, country = _GEN_LOCALES[sandbox.random.randrange(len(_GEN_LOCALES))]
        fake = sandbox.faker[locale]
        company = fake.company()
        slug = re.sub(r"[^a-z0-9]+", "", company.lower())[:20] or "tenant"
        example = phonenumbers.example_number_for_type(country,
                                                       phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None, f"phonenumbers has no mobile example for {country}"
        phone = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        tenant_id, user_id = sandbox.new_uuid(), sandbox.new_uuid()
        allow = sandbox.random.random() < 0.5
        out["tenants"].append({
            "tenantId": tenant_id, "name": company, "email": f"ops+{i}@{slug}.example",
            "phoneNumber": phone, "address": fake.address().replace("\n", ", "),
            "country": {"code": country}, "allowNotification": allow,
            "webhookUrl": f"https://hooks.{slug}.example/wallet" if allow else None,
            "createdAt": created, "updatedAt": created, "deleted": False,
            "users": [{"userId": user_id, "fullName": fake.name(),
                       "email": f"admin+{i}@{slug}.example", "phoneNumber": phone,
                       "country": country, "type": "TENANT_ADMIN", "passwordHash": None,
                       "createdAt": created, "updatedAt": created,
                       "apiKey": state.new_key(), "apiKeyExpiresAt": None}],
            "history": []})
        progress(i + 1)
    return out


def credentials(sandbox: Sandbox) -> list[dict]:
    state: WalletState = sandbox.state(API)
    first = next(iter(state.tenants.values()), None)
    out = []
    for key in state.keys.values():
        tenant_id = key["tenantId"] or (first["id"] if first else None)
        headers = {"X-API-KEY": key["key"]}
        if tenant_id:
            headers["X-Tenant-ID"] = tenant_id
        out.append({"name": key["name"], "role": key["role"], "tenantId": key["tenantId"],
                    "headers": headers, "expiresAt": key["expiresAt"]})
    return out

