"""Bizzlink legal entities (under a child tenant) and their Peppol IDs: state rules.

Records are stored flat: a legal entity ``{"id", "tenantId", <its 14 attributes>}``,
a Peppol ID ``{"id", "tenantId", "legalEntityId", <its 15 attributes>}``. Every
check runs before anything is written, so a rejected request changes nothing.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import TYPE_CHECKING, Any

import pycountry

from mock_server.apis.bizzlink.common import code_base, timestamp
from mock_server.collection import Collection, Record, UniqueViolation
from mock_server.errors import Conflict, NotFound, Unprocessable
from mock_server.errors import FieldError as FE

if TYPE_CHECKING:
    from mock_server.apis.bizzlink.models import Account, BizzlinkState

LE_ATTRIBUTES = ("active", "addressCity", "addressCountry", "addressPostalCode", "addressStreet",
                 "contactEmail", "contactName", "contactPhone", "createdAt", "customerName",
                 "legalEntityCode", "tradeRegisterNumber", "updatedAt", "vatNumber")
LE_WRITABLE = tuple(a for a in LE_ATTRIBUTES if a not in ("createdAt", "updatedAt"))
PEPPOL_ATTRIBUTES = ("active", "bcAdditionalIdScheme", "bcAdditionalIdValue",
                     "bcAdditionalInformation", "bcCountryCode", "bcGeographicalInfo", "bcName",
                     "bcRegistrationDate", "createdAt", "description", "isDefault",
                     "participantId", "peppolId", "schemeId", "smpRegistered")
ATTR = "/data/attributes/"

# Peppol Electronic Address Scheme (EAS) codes: the ICD / EAS values a Peppol
# participant identifier may start with (9938 = Luxembourg VAT, 0088 = GLN ...).
EAS_CODES = frozenset("""
0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177
0183 0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205
0208 0209 0210 0211 0212 0213 0215 0216 0217 0218 0221 0225 0230 0235 0240 0244
9901 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931
9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949
9950 9951 9952 9953 9957 9959
""".split())
PEPPOL_ID = re.compile(r"(?P<scheme>[0-9]{4}):(?P<participant>[!-~]{1,50})")


def upper(value: str) -> str:
    """``value.upper()``, as ``value`` itself when it already is (an index key then
    holds no copy of a code the record holds)."""
    folded = value.upper()
    return value if folded == value else folded


def lower(value: str) -> str:
    """``value.lower()``, as ``value`` itself when it already is."""
    folded = value.lower()
    return value if folded == value else folded


def legal_entity_collection() -> Collection:
    return Collection("bizzlink.legalEntities",
                      unique={"code": lambda r: (r["tenantId"], upper(r["legalEntityCode"]))},
                      index={"tenant": lambda r: r["tenantId"]},
                      shared=("addressCountry",))


def peppol_id_collection() -> Collection:
    """Unique among *active* Peppol IDs, case-insensitively (a deactivated one frees it)."""
    return Collection("bizzlink.peppolIds",
                      unique={"peppolId": lambda r: lower(r["peppolId"]) if r["active"]
                              else None},
                      index={"legalEntity": lambda r: r["legalEntityId"]},
                      shared=("schemeId",))


# Members of a legal entity that repeat its tenant's (generated ones copy the
# tenant's address and contact), and of a Peppol ID that repeat its legal entity's.
_FROM_TENANT = (("tenantId", "id"), ("addressCity", "addressCity"),
                ("addressCountry", "addressCountry"),
                ("addressPostalCode", "addressPostalCode"), ("addressStreet", "addressStreet"),
                ("contactEmail", "contactEmail"), ("contactName", "contactName"),
                ("contactPhone", "contactPhone"), ("createdAt", "createdAt"),
                ("customerName", "companyName"), ("legalEntityCode", "tenantCode"),
                ("updatedAt", "updatedAt"))
_FROM_LEGAL_ENTITY = (("tenantId", "tenantId"), ("legalEntityId", "id"),
                      ("createdAt", "createdAt"))


def _share(record: Record, parent: Record | None, members: tuple[tuple[str, str], ...]) -> None:
    """Make ``record``'s members that equal its parent's hold the parent's string
    objects: a big world then stores each address, contact and id once."""
    if parent is None:
        return
    for mine, theirs in members:
        value = parent[theirs]
        if type(value) is str and record.get(mine) == value:
            record[mine] = value


def share_with_tenant(state: BizzlinkState, record: Record) -> None:
    """See :func:`_share`; for a legal entity about to be stored."""
    _share(record, state.tenants.peek(record["tenantId"]), _FROM_TENANT)


def share_with_legal_entity(state: BizzlinkState, record: Record) -> None:
    """See :func:`_share`; for a Peppol ID about to be stored."""
    _share(record, state.legal_entities.peek(record["legalEntityId"]), _FROM_LEGAL_ENTITY)


def split_peppol_id(value: str) -> tuple[str, str] | None:
    """``"9938:lu12345678"`` -> ``("9938", "lu12345678")``; None if malformed."""
    match = PEPPOL_ID.fullmatch(value)
    return (match["scheme"], match["participant"]) if match else None


def seats(state: BizzlinkState, tenant_id: str) -> int:
    """Active legal entities of a tenant: its seats under the SEATS billing model."""
    les = state.legal_entities
    return sum(1 for i in les.lookup("tenant", tenant_id) if les.view(i)["active"])


# --- reading --------------------------------------------------------------------

def legal_entity_for(state: BizzlinkState, caller: Account, tenant_id: str,
                     le_id: str) -> Record:
    """The legal entity of the caller's child tenant; 403/404 as for the tenant, then 404."""
    state.child_for(caller, tenant_id)
    record = state.legal_entities.get(le_id)
    if record is None or record["tenantId"] != tenant_id:
        raise NotFound(f"Legal entity {le_id} not found")
    return record


def peppol_id_for(state: BizzlinkState, caller: Account, tenant_id: str, le_id: str,
                  peppol_id: str) -> Record:
    legal_entity_for(state, caller, tenant_id, le_id)
    record = state.peppol_ids.get(peppol_id)
    if record is None or record["legalEntityId"] != le_id:
        raise NotFound(f"Peppol ID {peppol_id} not found")
    return record


# --- legal entities -------------------------------------------------------------

def _country_error(value: Any, pointer: str) -> FE | None:
    if value is not None and pycountry.countries.get(alpha_2=value) is None:
        return FE(f"'{value}' is not an ISO 3166-1 alpha-2 country code", pointer=pointer)
    return None


def _check_legal_entity(state: BizzlinkState, tenant_id: str, attrs: dict[str, Any],
                        le_id: str | None) -> None:
    errors = [e for e in [_country_error(attrs.get("addressCountry"),
                                         ATTR + "addressCountry")] if e]
    code = attrs.get("legalEntityCode")
    if code is not None and state.legal_entities.is_taken("code", (tenant_id, code.upper()),
                                                           ignore_id=le_id):
        errors.append(FE(f"'{code}' is already taken in this tenant",
                         pointer=ATTR + "legalEntityCode"))
    if errors:
        raise Unprocessable("The legal entity is not valid", errors=errors)


def derive_legal_entity_code(state: BizzlinkState, tenant_id: str, customer_name: str) -> str:
    """``ACME Luxembourg S.A.`` -> ``ACME-LUXEMBOURG-S-A``; ``-2``, ``-3`` ... in one tenant."""
    base = code_base(customer_name, "LEGAL-ENTITY")
    n = state.le_code_suffix.get((tenant_id, base), 1)
    code = base if n == 1 else f"{base}-{n}"
    while state.legal_entities.is_taken("code", (tenant_id, code.upper())):
        n += 1
        code = f"{base}-{n}"
    state.le_code_suffix[(tenant_id, base)] = n
    return code


def create_legal_entity(state: BizzlinkState, caller: Account, tenant_id: str,
                        attrs: dict[str, Any]) -> Record:
    state.child_for(caller, tenant_id)
    attrs = {k: v for k, v in attrs.items() if v is not None}
    _check_legal_entity(state, tenant_id, attrs, None)
    now = timestamp(state.sandbox)
    record: Record = {a: None for a in LE_ATTRIBUTES}
    record.update(attrs)
    record.update({
        "id": state.sandbox.new_uuid(), "tenantId": tenant_id,
        "active": attrs.get("active", True),
        "legalEntityCode": attrs.get("legalEntityCode")
        or derive_legal_entity_code(state, tenant_id, attrs["customerName"]),
        "createdAt": now, "updatedAt": now,
    })
    share_with_tenant(state, record)
    return state.legal_entities.insert(record)


def update_legal_entity(state: BizzlinkState, caller: Account, tenant_id: str, le_id: str,
                        attrs: dict[str, Any]) -> Record:
    record = legal_entity_for(state, caller, tenant_id, le_id)
    not_null = [a for a in ("customerName", "legalEntityCode", "active")
                if a in attrs and attrs[a] is None]
    if not_null:
        raise Unprocessable("The legal entity is not valid", errors=[
            FE("must not be null", pointer=ATTR + a) for a in not_null])
    changes = {k: v for k, v in attrs.items() if k in LE_WRITABLE}
    _check_legal_entity(state, tenant_id, changes, le_id)
    record.update(changes)
    record["updatedAt"] = timestamp(state.sandbox)
    return state.legal_entities.replace(record)


# --- Peppol IDs -----------------------------------------------------------------

def _check_peppol_id(state: BizzlinkState, attrs: dict[str, Any]) -> tuple[str, str]:
    errors: list[FE] = []
    value = attrs["peppolId"]
    parts = split_peppol_id(value)
    if parts is None:
        errors.append(FE("must be <schemeId>:<participantId>, e.g. 9938:lu12345678",
                         pointer=ATTR + "peppolId"))
    elif parts[0] not in EAS_CODES:
        errors.append(FE(f"scheme '{parts[0]}' is not a Peppol EAS code",
                         pointer=ATTR + "peppolId"))
    elif state.peppol_ids.is_taken("peppolId", value.lower()):
        errors.append(FE(f"'{value}' is already in use by an active Peppol ID",
                         pointer=ATTR + "peppolId"))
    country = _country_error(attrs.get("bcCountryCode"), ATTR + "bcCountryCode")
    if country:
        errors.append(country)
    if errors:
        raise Unprocessable("The Peppol ID is not valid", errors=errors)
    return parts  # type: ignore[return-value]


def defaults_of(state: BizzlinkState, le_id: str) -> list[str]:
    ids = state.peppol_ids
    return [i for i in ids.lookup("legalEntity", le_id)
            if ids.view(i)["isDefault"] and ids.view(i)["active"]]


def create_peppol_id(state: BizzlinkState, caller: Account, tenant_id: str, le_id: str,
                     attrs: dict[str, Any]) -> Record:
    """A new Peppol ID; the first active one of a legal entity is its default."""
    legal_entity = legal_entity_for(state, caller, tenant_id, le_id)
    if not legal_entity["active"]:
        raise Unprocessable("The legal entity is not active: activate it before adding "
                            "Peppol IDs", errors=[FE("legal entity is not active",
                                                     pointer="/data")])
    attrs = {k: v for k, v in attrs.items() if v is not None}
    scheme, participant = _check_peppol_id(state, attrs)
    defaults = defaults_of(state, le_id)
    is_default = attrs.get("isDefault", not defaults)
    record: Record = {a: None for a in PEPPOL_ATTRIBUTES}
    record.update(attrs)
    record.update({
        "id": state.sandbox.new_uuid(), "tenantId": tenant_id, "legalEntityId": le_id,
        "schemeId": scheme, "participantId": participant, "isDefault": is_default,
        "active": True, "smpRegistered": attrs.get("smpRegistered", False),
        "bcRegistrationDate": attrs.get("bcRegistrationDate")
        or state.sandbox.now().date().isoformat(),
        "createdAt": timestamp(state.sandbox),
    })
    share_with_legal_entity(state, record)
    try:
        stored = state.peppol_ids.insert(record)
    except UniqueViolation:
        raise Unprocessable("The Peppol ID is not valid", errors=[FE(
            f"'{record['peppolId']}' is already in use by an active Peppol ID",
            pointer=ATTR + "peppolId")]) from None
    if is_default:
        _clear_defaults(state, defaults)
    return stored


def _clear_defaults(state: BizzlinkState, ids: list[str]) -> None:
    for other in ids:
        record = state.peppol_ids.fetch(other)
        record["isDefault"] = False
        state.peppol_ids.replace(record)


def deactivate_peppol_id(state: BizzlinkState, caller: Account, tenant_id: str, le_id: str,
                         peppol_id: str) -> None:
    """DELETE: the ID stays, inactive and no longer default; 409 while SMP-registered."""
    record = peppol_id_for(state, caller, tenant_id, le_id, peppol_id)
    if record["smpRegistered"]:
        raise Conflict("Cannot delete SMP-registered Peppol ID: deregister it first "
                       f"(POST .../peppol-ids/{peppol_id}/deregister)")
    if record["active"] or record["isDefault"]:
        record.update(active=False, isDefault=False)
        state.peppol_ids.replace(record)


def deregister_peppol_id(state: BizzlinkState, caller: Account, tenant_id: str, le_id: str,
                         peppol_id: str) -> Record:
    """Removes the ID from the SMP (``smpRegistered`` false); idempotent."""
    record = peppol_id_for(state, caller, tenant_id, le_id, peppol_id)
    if not record["smpRegistered"]:
        return record
    record["smpRegistered"] = False
    return state.peppol_ids.replace(record)


# --- generated data -------------------------------------------------------------

_VAT = {  # country: (EAS scheme of its VAT number, VAT digits, VAT suffix, trade register)
    "LU": ("9938", 8, "", "B{6}"), "DE": ("9930", 9, "", "HRB {5}"),
    "FR": ("9957", 11, "", "{9}"), "NL": ("9944", 9, "B01", "{8}"),
    "GB": ("9932", 9, "", "{8}"), "BE": ("9925", 10, "", "{10}"),
}
_SUBSIDIARIES = ("Services", "Logistics", "Trading", "Holding", "Solutions")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _register(rng: random.Random, pattern: str) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: _digits(rng, int(m[1])), pattern)


def add_generated_legal_entities(state: BizzlinkState, tenant: Record, now: str) -> None:
    """One or two legal entities (SEATS) or one (FLOW), each with a default Peppol ID.

    Drawn from a random generator of their own, seeded by the sandbox seed and the
    tenant id: the sandbox's shared randomness (and so every other generated id and
    record) is the same as without them.
    """
    rng = random.Random(f"bizzlink-legal-entities:{state.sandbox.seed}:{tenant['id']}")
    count = rng.choice((1, 1, 2)) if tenant["billingModel"] == "SEATS" else 1
    country = tenant["addressCountry"] if tenant["addressCountry"] in _VAT else "LU"
    scheme, vat_digits, suffix, register = _VAT[country]
    for n in range(count):
        name = tenant["companyName"] if n == 0 else \
            f"{tenant['companyName']} {rng.choice(_SUBSIDIARIES)}"
        code = tenant["tenantCode"][:60] + ("" if n == 0 else f"-{n + 1}")
        while True:
            vat = f"{country}{_digits(rng, vat_digits)}{suffix}"
            peppol = f"{scheme}:{vat.lower()}"
            if not state.peppol_ids.is_taken("peppolId", peppol):
                break
        le_id = str(_uuid(rng))
        legal_entity: Record = {
            "id": le_id, "tenantId": tenant["id"], "active": True,
            "addressCity": tenant["addressCity"], "addressCountry": country,
            "addressPostalCode": tenant["addressPostalCode"],
            "addressStreet": tenant["addressStreet"], "contactEmail": tenant["contactEmail"],
            "contactName": tenant["contactName"], "contactPhone": tenant["contactPhone"],
            "createdAt": now, "customerName": name, "legalEntityCode": code,
            "tradeRegisterNumber": _register(rng, register), "updatedAt": now,
            "vatNumber": vat,
        }
        state.legal_entities.insert(legal_entity)
        state.peppol_ids.insert({
            "id": str(_uuid(rng)), "tenantId": tenant["id"], "legalEntityId": le_id,
            "active": True, "bcAdditionalIdScheme": None, "bcAdditionalIdValue": None,
            "bcAdditionalInformation": None, "bcCountryCode": None,
            "bcGeographicalInfo": None, "bcName": None, "bcRegistrationDate": now[:10],
            "createdAt": now, "description": None, "isDefault": True,
            "participantId": vat.lower(), "peppolId": peppol, "schemeId": scheme,
            "smpRegistered": rng.random() < 0.5,
        })


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
