"""Bizzlink state and rules: accounts (who calls), tenants, partners and their children.

Plain functions and classes, testable without HTTP. A tenant record is stored flat:
``{"id", "partnerId", <the 13 attributes>}``; ``partnerId`` is None for tenants
that are nobody's child (the accounts' own tenants). Legal entities and Peppol IDs
live in :mod:`mock_server.apis.bizzlink.entities`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import pycountry

from mock_server.apis.bizzlink import entities
from mock_server.apis.bizzlink.common import code_base, timestamp
from mock_server.apis.bizzlink.entities import LE_ATTRIBUTES, PEPPOL_ATTRIBUTES
from mock_server.collection import Collection, Record, UniqueViolation
from mock_server.config import Config
from mock_server.errors import FieldError as FE
from mock_server.errors import Forbidden, NotFound, Unprocessable
from mock_server.fixtures import FixtureError
from mock_server.sandbox import Sandbox

BILLING_MODELS = ("SEATS", "FLOW")
ATTRIBUTES = ("active", "addressCity", "addressCountry", "addressPostalCode", "addressStreet",
              "billingModel", "companyName", "contactEmail", "contactName", "contactPhone",
              "createdAt", "tenantCode", "updatedAt")
WRITABLE = tuple(a for a in ATTRIBUTES if a not in ("createdAt", "updatedAt"))
ATTR = "/data/attributes/"


__all__ = ["timestamp"]


@dataclass
class Account:
    """A caller: the holder of an API token and HMAC secret, acting for one tenant."""

    id: str
    name: str
    token: str
    hmac_secret: str
    partner: bool
    subscriptions: dict[str, bool] = field(default_factory=dict)

    def has_active_subscription(self, billing_model: str) -> bool:
        return self.subscriptions.get(billing_model, False)

    @property
    def role(self) -> str:
        return "partner" if self.partner else "tenant"


class BizzlinkState:
    """One sandbox's Bizzlink world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.accounts_by_token: dict[str, Account] = {}
        self.accounts: dict[str, Account] = {}
        self.tenants = Collection("bizzlink.tenants",
                                  unique={"tenantCode": lambda r: entities.upper(
                                      r["tenantCode"])})
        self.legal_entities = entities.legal_entity_collection()
        self.peppol_ids = entities.peppol_id_collection()
        self._children: dict[str, list[str]] = {}
        self._next_suffix: dict[str, int] = {}
        # generated child tenants get legal entities and Peppol IDs (fixture option)
        self.generate_legal_entities = True
        # (tenant id, derived legal-entity code) -> next suffix to try
        self.le_code_suffix: dict[tuple[str, str], int] = {}

    # --- accounts -------------------------------------------------------------
    def add_account(self, account: Account) -> None:
        self.accounts[account.id] = account
        self.accounts_by_token[account.token] = account

    def account_for_token(self, token: str) -> Account | None:
        return self.accounts_by_token.get(token)

    # --- reading --------------------------------------------------------------
    def children_of(self, partner_id: str) -> list[Record]:
        ids = self._children.get(partner_id, [])
        return [self.tenants.fetch(i) for i in ids]

    def count_children(self, partner_id: str) -> int:
        return len(self._children.get(partner_id, []))

    def page_of_children(self, partner_id: str, number: int, size: int) -> list[Record]:
        """One page of the partner's children: the stored records (read-only views, no
        copies; a list only renders them)."""
        ids = self._children.get(partner_id, [])
        start = (number - 1) * size
        return [self.tenants.view(i) for i in ids[start:start + size]]

    def child_for(self, caller: Account, tenant_id: str) -> Record:
        """The tenant if it is the caller's child; 404 if it does not exist, else 403."""
        require_partner(caller)
        record = self.tenants.get(tenant_id)
        if record is None:
            raise NotFound(f"Tenant {tenant_id} not found")
        if record["partnerId"] != caller.id:
            raise Forbidden("Tenant is not a child of the calling partner")
        return record

    # --- writing --------------------------------------------------------------
    def insert(self, record: Record) -> Record:
        stored = self.tenants.insert(record)
        if record.get("partnerId"):
            self._children.setdefault(record["partnerId"], []).append(record["id"])
        return stored

    def derive_tenant_code(self, company_name: str) -> str:
        """``Kunde GmbH`` -> ``KUNDE-GMBH``; ``-2``, ``-3`` ... on collision."""
        base = code_base(company_name, "TENANT")
        code, n = base, self._next_suffix.get(base, 1)
        if n > 1:
            code = f"{base}-{n}"
        while self.tenants.is_taken("tenantCode", code):
            n += 1
            code = f"{base}-{n}"
        self._next_suffix[base] = n
        return code


def require_partner(caller: Account) -> None:
    if not caller.partner:
        raise Forbidden("Caller is not a partner")


def _check_rules(state: BizzlinkState, caller: Account, attrs: dict[str, Any],
                 tenant_id: str | None) -> None:
    """Business rules the spec cannot express; all problems reported at once."""
    errors: list[FE] = []
    model = attrs.get("billingModel")
    if model is not None and not caller.has_active_subscription(model):
        errors.append(FE(f"requires an active {model} subscription, which the calling "
                         f"partner does not hold", pointer=ATTR + "billingModel"))
    country = attrs.get("addressCountry")
    if country is not None and pycountry.countries.get(alpha_2=country) is None:
        errors.append(FE(f"'{country}' is not an ISO 3166-1 alpha-2 country code",
                         pointer=ATTR + "addressCountry"))
    code = attrs.get("tenantCode")
    if code is not None and state.tenants.is_taken("tenantCode", code.upper(),
                                                    ignore_id=tenant_id):
        errors.append(FE(f"'{code}' is already taken", pointer=ATTR + "tenantCode"))
    if errors:
        raise Unprocessable("The tenant is not valid", errors=errors)


def create_tenant(state: BizzlinkState, caller: Account, attrs: dict[str, Any]) -> Record:
    require_partner(caller)
    attrs = {k: v for k, v in attrs.items() if v is not None}
    _check_rules(state, caller, attrs, None)
    now = timestamp(state.sandbox)
    record: Record = {a: None for a in ATTRIBUTES}
    record.update(attrs)
    record.update({
        "id": state.sandbox.new_uuid(),
        "partnerId": caller.id,
        "active": attrs.get("active", True),
        "tenantCode": attrs.get("tenantCode") or state.derive_tenant_code(attrs["companyName"]),
        "createdAt": now,
        "updatedAt": now,
    })
    try:
        return state.insert(record)
    except UniqueViolation:
        raise Unprocessable("The tenant is not valid", errors=[
            FE(f"'{record['tenantCode']}' is already taken", pointer=ATTR + "tenantCode")
        ]) from None


def update_tenant(state: BizzlinkState, caller: Account, tenant_id: str,
                  attrs: dict[str, Any]) -> Record:
    record = state.child_for(caller, tenant_id)
    not_null = [a for a in ("billingModel", "companyName", "tenantCode", "active")
                if a in attrs and attrs[a] is None]
    if not_null:
        raise Unprocessable("The tenant is not valid", errors=[
            FE("must not be null", pointer=ATTR + a) for a in not_null])
    changes = {k: v for k, v in attrs.items() if k in WRITABLE}
    if changes.get("billingModel") == record["billingModel"]:
        changes.pop("billingModel")
    _check_rules(state, caller, changes, tenant_id)
    record.update(changes)
    record["updatedAt"] = timestamp(state.sandbox)
    return state.tenants.replace(record)


# --- fixtures -------------------------------------------------------------------

_LOCALES = (("de_DE", "DE"), ("fr_FR", "FR"), ("nl_NL", "NL"), ("en_GB", "GB"))


def _phone(raw: str, region: str) -> str:
    try:
        number = phonenumbers.parse(raw, region)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return "+352 123 456"


def fake_tenant_attributes(sandbox: Sandbox, billing_model: str) -> dict[str, Any]:
    """Realistic attributes for a generated tenant, from the sandbox's seeded Faker."""
    locale, country = _LOCALES[sandbox.random.randrange(len(_LOCALES))]
    fake = sandbox.faker[locale]
    company = fake.company()
    first, last = fake.first_name(), fake.last_name()
    domain = re.sub(r"[^a-z0-9]+", "", company.lower())[:20] or "example"
    local = re.sub(r"[^a-z0-9.]+", "", f"{first}.{last}".lower()
                   .encode("ascii", "ignore").decode()) or "contact"
    return {
        "active": sandbox.random.random() > 0.1,
        "addressCity": fake.city(),
        "addressCountry": country,
        "addressPostalCode": fake.postcode(),
        "addressStreet": fake.street_address().replace("\n", ", "),
        "billingModel": billing_model,
        "companyName": company,
        "contactEmail": f"{local}@{domain}.example",
        "contactName": f"{first} {last}",
        "contactPhone": _phone(fake.phone_number(), country),
    }


def _subscriptions(raw: Any) -> dict[str, bool]:
    subs: dict[str, bool] = {}
    for item in raw or []:
        if isinstance(item, str):
            subs[item] = True
        else:
            subs[item["billingModel"]] = bool(item.get("active", True))
    return subs


def _record(sandbox: Sandbox, state: BizzlinkState, attrs: dict[str, Any], record_id: str,
            partner_id: str | None, now: str) -> Record:
    record: Record = {a: None for a in ATTRIBUTES}
    record.update(attrs)
    record.update({"id": record_id, "partnerId": partner_id,
                   "createdAt": record["createdAt"] or now,
                   "updatedAt": record["updatedAt"] or now})
    if record["active"] is None:
        record["active"] = True
    if not record["tenantCode"]:
        record["tenantCode"] = state.derive_tenant_code(record["companyName"])
    return record


def _insert(state: BizzlinkState, record: Record, where: str) -> None:
    try:
        state.insert(record)
    except UniqueViolation as exc:
        field = "id" if exc.index == "id" else "tenantCode"
        raise FixtureError(f"{where}: {field} {exc.value!r} is used twice",
                           [(f"{where}.{field}", "is used twice")]) from None


def build_state(sandbox: Sandbox, section: dict, config: Config) -> BizzlinkState:
    """Accounts (with their own tenants), explicit child tenants, then generated ones."""
    state = BizzlinkState(sandbox)
    state.generate_legal_entities = section.get("generatedLegalEntities", True)
    now = section.get("createdAt") or timestamp(sandbox)
    for i, acc in enumerate(section.get("accounts", [])):
        where = f"bizzlink.accounts[{i}]"
        account = Account(id=acc["id"], name=acc["name"], token=acc["token"],
                          hmac_secret=acc["hmacSecret"], partner=acc.get("role") == "partner",
                          subscriptions=_subscriptions(acc.get("subscriptions")))
        if account.token in state.accounts_by_token:
            raise FixtureError(f"{where}: token is used twice", [(f"{where}.token",
                                                                   "is used twice")])
        state.add_account(account)
        own = dict(acc.get("tenant") or {})
        own.setdefault("companyName", acc["name"])
        if not own.get("billingModel"):
            own["billingModel"] = next(iter(account.subscriptions), "FLOW")
        _insert(state, _record(sandbox, state, own, account.id, None, now), where)
    for i, item in enumerate(section.get("tenants", [])):
        where = f"bizzlink.tenants[{i}]"
        partner = state.accounts.get(item["partner"])
        if partner is None or not partner.partner:
            raise FixtureError(f"{where}.partner: {item['partner']} is not a partner account",
                               [(f"{where}.partner", "is not a partner account")])
        attrs = item.get("attributes", {})
        missing = [a for a in ("companyName", "billingModel") if not attrs.get(a)]
        if missing:
            raise FixtureError(f"{where}.attributes: {', '.join(missing)} required",
                               [(f"{where}.attributes.{a}", "is required") for a in missing])
        _insert(state, _record(sandbox, state, attrs, item["id"], partner.id, now), where)
    for i, item in enumerate(section.get("legalEntities") or []):
        _load_legal_entity(state, item, f"bizzlink.legalEntities[{i}]", now)
    for i, item in enumerate(section.get("peppolIds") or []):
        _load_peppol_id(state, item, f"bizzlink.peppolIds[{i}]", now)
    for i, acc in enumerate(section.get("accounts", [])):
        count = int(acc.get("generatedChildren", 0))
        account = state.accounts[acc["id"]]
        if count and not account.partner:
            raise FixtureError(f"bizzlink.accounts[{i}].generatedChildren: only partners have "
                               f"children", [(f"bizzlink.accounts[{i}].generatedChildren",
                                              "only partners have children")])
        for _ in range(count):
            add_generated_child(state, account, now)
    return state


def add_generated_child(state: BizzlinkState, partner: Account, now: str) -> Record:
    """One Faker-made child tenant under one of the partner's active billing models."""
    models = [m for m, active in partner.subscriptions.items() if active] or ["FLOW"]
    model = models[state.count_children(partner.id) % len(models)]
    attrs = fake_tenant_attributes(state.sandbox, model)
    tenant = state.insert(_record(state.sandbox, state, attrs, state.sandbox.new_uuid(),
                                  partner.id, now))
    if state.generate_legal_entities:
        entities.add_generated_legal_entities(state, tenant, now)
    return tenant


def _fail(where: str, field: str, problem: str) -> FixtureError:
    return FixtureError(f"{where}.{field}: {problem}", [(f"{where}.{field}", problem)])


def _load_legal_entity(state: BizzlinkState, item: dict, where: str, now: str) -> None:
    tenant_id = item["tenant"]
    if tenant_id not in state.tenants:
        raise _fail(where, "tenant", f"{tenant_id} is not a tenant")
    record: Record = {a: None for a in LE_ATTRIBUTES}
    record.update(item["attributes"])
    record.update({"id": item["id"], "tenantId": tenant_id,
                   "createdAt": record["createdAt"] or now,
                   "updatedAt": record["updatedAt"] or now})
    if record["active"] is None:
        record["active"] = True
    if not record["legalEntityCode"]:
        record["legalEntityCode"] = entities.derive_legal_entity_code(
            state, tenant_id, record["customerName"])
    entities.share_with_tenant(state, record)
    try:
        state.legal_entities.insert(record)
    except UniqueViolation as exc:
        field = "id" if exc.index == "id" else "attributes.legalEntityCode"
        raise _fail(where, field, "is used twice") from None


def _load_peppol_id(state: BizzlinkState, item: dict, where: str, now: str) -> None:
    legal_entity = state.legal_entities.peek(item["legalEntity"])
    if legal_entity is None:
        raise _fail(where, "legalEntity", f"{item['legalEntity']} is not a legal entity")
    attrs = item["attributes"]
    parts = entities.split_peppol_id(attrs["peppolId"])
    if parts is None or parts[0] not in entities.EAS_CODES:
        raise _fail(where, "attributes.peppolId", "is not <EAS scheme>:<participantId>")
    record: Record = {a: None for a in PEPPOL_ATTRIBUTES}
    record.update(attrs)
    created = record["createdAt"] or now
    record.update({
        "id": item["id"], "tenantId": legal_entity["tenantId"],
        "legalEntityId": item["legalEntity"], "schemeId": parts[0], "participantId": parts[1],
        "active": attrs.get("active", True), "smpRegistered": attrs.get("smpRegistered", False),
        "createdAt": created, "bcRegistrationDate": record["bcRegistrationDate"] or created[:10],
    })
    if record["isDefault"] is None:
        record["isDefault"] = record["active"] and not entities.defaults_of(
            state, item["legalEntity"])
    if record["smpRegistered"] and not record["active"]:
        raise _fail(where, "attributes.smpRegistered", "an inactive Peppol ID is not registered")
    entities.share_with_legal_entity(state, record)
    try:
        state.peppol_ids.insert(record)
    except UniqueViolation as exc:
        field = "id" if exc.index == "id" else "attributes.peppolId"
        raise _fail(where, field, "is used twice (among active Peppol IDs)") from None


def generate(sandbox: Sandbox, section: dict, config: Config, count: int,
             progress: Callable[[int], None]) -> dict[str, Any]:
    """The section plus ``count`` generated child tenants spread over its partners."""
    state = build_state(sandbox, section, config)
    partners = [a for a in state.accounts.values() if a.partner]
    if count and not partners:
        raise FixtureError("bizzlink: generating tenants needs at least one partner account")
    now = section.get("createdAt") or timestamp(sandbox)
    for i in range(count):
        add_generated_child(state, partners[i % len(partners)], now)
        progress(i + 1)
    return dump_state(state)


def dump_state(state: BizzlinkState) -> dict[str, Any]:
    """A fixture section listing every account and tenant explicitly (no generation)."""
    accounts = []
    for account in state.accounts.values():
        own = state.tenants.get(account.id)
        accounts.append({
            "id": account.id, "name": account.name, "role": account.role,
            "subscriptions": [{"billingModel": m, "active": on}
                              for m, on in account.subscriptions.items()],
            "token": account.token, "hmacSecret": account.hmac_secret,
            "tenant": {a: own[a] for a in ATTRIBUTES} if own else {},
        })
    tenants = []
    for r in state.tenants.values():
        if r["partnerId"]:
            entry = {"id": r["id"], "partner": r["partnerId"],
                     "attributes": {a: r[a] for a in ATTRIBUTES}}
            if r["billingModel"] == "SEATS":
                entry["seats"] = entities.seats(state, r["id"])
            tenants.append(entry)
    legal_entities = [{"id": r["id"], "tenant": r["tenantId"],
                       "attributes": {a: r[a] for a in LE_ATTRIBUTES}}
                      for r in state.legal_entities.values()]
    peppol_ids = [{"id": r["id"], "legalEntity": r["legalEntityId"],
                   "attributes": {a: r[a] for a in PEPPOL_ATTRIBUTES}}
                  for r in state.peppol_ids.values()]
    return {"accounts": accounts, "tenants": tenants, "legalEntities": legal_entities,
            "peppolIds": peppol_ids}


def credentials(sandbox: Sandbox) -> list[dict]:
    state: BizzlinkState = sandbox.state("bizzlink")
    out = []
    for account in state.accounts.values():
        entry: dict[str, Any] = {
            "name": account.name,
            "role": account.role,
            "tenantId": account.id,
            "headers": {"Authorization": f"Bearer {account.token}"},
            "hmacSecret": account.hmac_secret,
        }
        if account.partner:
            entry["subscriptions"] = [m for m, on in account.subscriptions.items() if on]
            examples = _examples(state, account.id)
            if examples:
                entry["examples"] = examples
        out.append(entry)
    return out


def _examples(state: BizzlinkState, partner_id: str, scan: int = 100) -> dict[str, str]:
    """Ids to try the partner's legal-entity flow with: a child tenant that has legal
    entities, one of them, an active Peppol ID (SMP-registered if any). Looks at the
    first ``scan`` children only, so that a big world answers as fast as a small one."""
    peppol = state.peppol_ids
    found: dict[str, str] = {}
    for tenant_id in state._children.get(partner_id, [])[:scan]:
        for le_id in state.legal_entities.lookup("tenant", tenant_id):
            for pid in peppol.lookup("legalEntity", le_id):
                record = peppol.view(pid)
                if not record["active"]:
                    continue
                if not found:
                    found = {"tenantId": tenant_id, "legalEntityId": le_id, "peppolIdId": pid}
                if record["smpRegistered"]:
                    return {"tenantId": tenant_id, "legalEntityId": le_id,
                            "smpRegisteredPeppolIdId": pid}
    return found
