"""Pigello Accounts state and rules: customers, clients, tenants, sub-tenants, connections.

Plain functions and classes, testable without HTTP. Every record carries the
``customer_id`` it belongs to (never shown to clients); references between
records are stored as plain ids and shown as ``{"id": ...}``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker

from mock_server.apis.pigello.drf import (
    DRFValidationError,
    Reading,
    luhn_ok,
    nest,
    read_object,
)
from mock_server.clock import isoformat
from mock_server.collection import Collection, Record
from mock_server.config import Config
from mock_server.errors import Conflict, FieldError
from mock_server.fixtures import FixtureError
from mock_server.sandbox import Sandbox, new_faker
from mock_server.yaml_io import spec_document

API = "pigello"
# The provider's "Additional Validation Information" phrase, used as the error message.
SNI_NEEDS_CORPORATE_NAME = ("This value requires that the following fields are also set: "
                            "corporate_name")

# Operators per field kind as the provider's list pages print them (string fields:
# custom_id's set; numbers and dates: category's and created_at's), "" is exact.
STRING_OPS = ("", "contains", "endswith", "icontains", "iendswith", "iexact", "in", "isnull",
              "istartswith", "startswith")
NUMBER_OPS = ("", "gt", "gte", "in", "isnull", "lt", "lte")
DATE_OPS = ("", "gt", "gte", "in", "isnull", "lt", "lte")
REF_OPS = ("", "in")
BOOL_OPS = ("",)
OPS = {"string": STRING_OPS, "integer": NUMBER_OPS, "datetime": DATE_OPS, "ref": REF_OPS,
       "uuid": REF_OPS, "boolean": BOOL_OPS, "date": DATE_OPS}


@dataclass(frozen=True)
class Field:
    """A filterable, orderable field: its kind (string, integer, datetime, date, ref,
    uuid, boolean) and whether it may be null."""

    kind: str
    nullable: bool = False

    @property
    def operators(self) -> tuple[str, ...]:
        ops = OPS[self.kind]
        if self.nullable and "isnull" not in ops:
            ops += ("isnull",)
        return ops


ALLOW = ("allow_errands_access_through_connections", "allow_personal_information_access",
         "add_connection_description_on_invoice", "allow_notifications",
         "allow_revenue_row_access", "allow_brf_access", "allow_cancel_contract_access",
         "allow_errands_access", "allow_contracts_access", "allow_invoice_access",
         "allow_objects_access", "allow_my_pages_access")
# Members of Tenant and Subtenant (union of what the provider prints for each; see
# docs/pigello.md for which are published where) and their defaults on create.
PERSON_COMMON: dict[str, Any] = {
    "first_name": None, "last_name": None, "corporate_name": None, "popular_name": None,
    "anonymization_name": None, "custom_dimension_category_value": None,
    "custom_id": None, "ssn": None, "ssn_is_coordination_number": False, "org_no": None,
    "birth_date": None, "email": None, "invoice_email": None, "phone_number": None,
    "gln13_number": None, "peppol_id": None, "fmi": None, "sni_number": None,
    "current_registered_address": None, "future_address": None, "previous_address": None,
    "organization": None, "profile_picture": None, "active_to": None,
    "autogiro_disables_invoice_distribution": False,
    "allows_external_personal_information_sharing": None, "anonymized": False,
    "is_active": True, "block_notifications_for": [], "block_email_notifications_for": [],
    "block_sms_notifications_for": [], "realestates": [],
    "invoice_distribution_instruction": None, "reminder_distribution_instruction": None,
    "debt_distribution_instruction": None, "send_out_distribution_instruction": None,
}
TENANT_DEFAULTS = dict(PERSON_COMMON)
SUBTENANT_DEFAULTS = {**PERSON_COMMON, **dict.fromkeys(ALLOW, False)}
PERSON_READ_ONLY = ("id", "status", "username", "mfa_has_hotp", "is_company", "created_at",
                    "tags", "customer_columns")
PERSON_STRINGS = ("custom_id", "first_name", "last_name", "corporate_name", "popular_name",
                  "email", "invoice_email", "phone_number", "ssn", "org_no", "gln13_number",
                  "peppol_id", "sni_number")
PERSON_FIELDS = {
    "id": Field("uuid"), "created_at": Field("datetime"),
    **{name: Field("string", True) for name in PERSON_STRINGS},
    "birth_date": Field("date", True), "is_active": Field("boolean"),
    "anonymized": Field("boolean"), "organization": Field("ref", True),
}
SUBTENANT_FIELDS = {**PERSON_FIELDS, **{name: Field("boolean") for name in ALLOW}}
CONNECTION_FIELDS = {
    "id": Field("uuid"), "created_at": Field("datetime"), "custom_id": Field("string", True),
    "category": Field("integer", True), "stakeholder_type": Field("integer"),
    "is_active": Field("boolean"), "prefer_invoice_view_only": Field("boolean"),
    "tenant": Field("ref"), "sub_tenant": Field("ref"), "parent_sub_tenant": Field("ref", True),
    "organization": Field("ref", True),
}
CONNECTION_WRITABLE = ("sub_tenant", "tenant", "stakeholder_type",
                       "reminder_distribution_instruction", "organization", "is_active",
                       "category", "custom_id",
                       "invoice_distribution_instruction", "prefer_invoice_view_only",
                       "parent_sub_tenant", "debt_distribution_instruction")
READ_ONLY = ("id", "created_at", "tags", "customer_columns", "pending_monitor_approval_amount")
REFS = ("sub_tenant", "tenant", "organization", "parent_sub_tenant",
        "current_registered_address", "future_address", "previous_address")
# References the sandbox checks (it keeps no addresses: those are stored as sent).
CHECKED_REFS = ("sub_tenant", "tenant", "organization", "parent_sub_tenant")
# Connection fields indexed per customer (key: (customer_id, value)), for list filters.
CUSTOMER_INDEXES = {"stakeholder_type": "customer_stakeholder_type",
                    "category": "customer_category", "is_active": "customer_is_active"}
# Connection references indexed by the referenced id, and the entity they point at.
# Members with few distinct values, stored once per value (see Collection).
SHARED = ("customer_id", "organization", "created_at", "first_name", "last_name", "birth_date")
REF_TARGETS = {"tenant": "tenant", "sub_tenant": "subtenant", "parent_sub_tenant": "subtenant"}
CONNECTION_DEFAULTS: dict[str, Any] = {
    "reminder_distribution_instruction": None, "organization": None, "is_active": True,
    "category": None, "custom_id": None, "invoice_distribution_instruction": None,
    "prefer_invoice_view_only": False, "parent_sub_tenant": None,
    "debt_distribution_instruction": None, "tags": None, "customer_columns": None,
    "pending_monitor_approval_amount": None,
}
PERSON_STORED: dict[str, Any] = {"status": 0, "username": None, "mfa_has_hotp": None,
                                 "tags": None, "customer_columns": None}


@dataclass(frozen=True)
class Entity:
    """One resource of the API: its path segment, title, fields and search fields."""

    name: str
    title: str
    fields: dict[str, Field]
    writable: tuple[str, ...]
    read_only: tuple[str, ...]
    defaults: dict[str, Any]
    required: tuple[str, ...]
    search: tuple[str, ...]

    @property
    def output_fields(self) -> tuple[str, ...]:
        return self.read_only + self.writable


PERSON_SEARCH = ("first_name", "last_name", "corporate_name", "popular_name", "email",
                 "invoice_email", "phone_number", "custom_id", "ssn", "org_no")
TENANT = Entity("tenant", "Tenant", PERSON_FIELDS, tuple(TENANT_DEFAULTS), PERSON_READ_ONLY,
                {**TENANT_DEFAULTS, **PERSON_STORED}, (), PERSON_SEARCH)
SUBTENANT = Entity("subtenant", "Subtenant", SUBTENANT_FIELDS, tuple(SUBTENANT_DEFAULTS),
                   PERSON_READ_ONLY, {**SUBTENANT_DEFAULTS, **PERSON_STORED}, ALLOW,
                   PERSON_SEARCH)
CONNECTION = Entity("subtenanttenantconnection", "Subtenanttenantconnection", CONNECTION_FIELDS,
                    CONNECTION_WRITABLE, READ_ONLY, CONNECTION_DEFAULTS,
                    ("sub_tenant", "tenant", "stakeholder_type"), ("custom_id",))
ENTITIES = {e.name: e for e in (TENANT, SUBTENANT, CONNECTION)}
NAMES = ("first_name", "last_name", "corporate_name")


@dataclass
class Client:
    """A caller: an integration client of one customer, with its seven header values."""

    id: str
    name: str
    customer_id: str
    client_ct: str
    secret: str
    application_id: str
    service_id: str
    service_version_id: str

    def headers(self) -> dict[str, str]:
        return {
            "X-PIGELLO-APPLICATION-ID": self.application_id,
            "X-PIGELLO-CLIENT-CT": self.client_ct,
            "X-PIGELLO-CLIENT-ENTITY": self.id,
            "X-PIGELLO-CLIENT-SECRET": self.secret,
            "X-PIGELLO-CUSTOMER-ID": self.customer_id,
            "X-PIGELLO-SERVICE-ID": self.service_id,
            "X-PIGELLO-SERVICE-VERSION-ID": self.service_version_id,
        }


def _customer_key(record: Record) -> str:
    return record["customer_id"]


def _custom_key(record: Record) -> Any:
    custom = record.get("custom_id")
    return None if custom is None else (record["customer_id"], custom)


def _per_customer(field: str) -> Callable[[Record], Any]:
    def key(record: Record) -> Any:
        found = value(CONNECTION, record, field)
        return None if found is None else (record["customer_id"], found)
    return key


class PigelloState:
    """One sandbox's Pigello world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.customers: dict[str, dict[str, Any]] = {}
        self.clients: dict[str, Client] = {}
        self.organizations: dict[str, dict[str, Any]] = {}
        customer = _customer_key
        tenants = Collection("pigello.tenant", unique={"custom_id": _custom_key},
                             index={"customer": customer}, shared=SHARED)
        subtenants = Collection("pigello.subtenant", unique={"custom_id": _custom_key},
                                index={"customer": customer}, shared=SHARED)
        self.collections = {
            "tenant": tenants,
            "subtenant": subtenants,
            "subtenanttenantconnection": Collection(
                "pigello.subtenanttenantconnection", unique={"custom_id": _custom_key},
                shared=SHARED,
                refs={"tenant": tenants, "sub_tenant": subtenants,
                      "parent_sub_tenant": subtenants},
                index={"customer": customer, "tenant": lambda r: r["tenant"],
                       "sub_tenant": lambda r: r["sub_tenant"],
                       "parent_sub_tenant": lambda r: r.get("parent_sub_tenant"),
                       **{index: _per_customer(field)
                          for field, index in CUSTOMER_INDEXES.items()}}),
        }

    def records(self, entity: str, customer_id: str) -> list[Record]:
        """The customer's records of one entity, in creation order (read-only views)."""
        coll = self.collections[entity]
        return [coll.view(i) for i in coll.lookup("customer", customer_id)]

    def find(self, entity: str, customer_id: str, record_id: Any) -> Record | None:
        """A stored record (read-only view) if it exists and belongs to the customer."""
        if not isinstance(record_id, str):
            return None
        record = self.collections[entity].peek(record_id.lower())
        return record if record is not None and record["customer_id"] == customer_id else None

    def users_of(self, entity: str, record_id: str) -> list[str]:
        """Ids of the connections that reference a tenant or sub-tenant."""
        conns = self.collections[CONNECTION.name]
        keys = ("tenant",) if entity == "tenant" else ("sub_tenant", "parent_sub_tenant")
        found: dict[str, None] = {}
        for key in keys:
            found.update(dict.fromkeys(conns.lookup(key, record_id)))
        return list(found)


def timestamp(sandbox: Sandbox) -> str:
    return isoformat(sandbox.now())


def parse_datetime(value: str) -> datetime | None:
    """An ISO-8601 date or date-time (naive means UTC), or None if it is neither."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- validation ------------------------------------------------------------------------

def _fe(prefix: str, field: str, detail: str) -> FieldError:
    return FieldError(detail, pointer=f"{prefix}/{field}")


def check_record(state: PigelloState, entity: Entity, customer_id: str, record: Record,
                 changes: dict[str, Any], prefix: str, creating: bool) -> list[FieldError]:
    """Rules beyond the schema for one record as it would be stored; every problem."""
    errors: list[FieldError] = []
    if creating:
        for name in entity.required:
            if name not in changes:
                errors.append(_fe(prefix, name, "This field is required."))
    for ref in CHECKED_REFS:
        value = changes.get(ref)
        if value is None or ref not in entity.writable:
            continue
        found = state.organizations.get(value) if ref == "organization" else \
            state.find(REF_TARGETS[ref], customer_id, value)
        if found is None or found["customer_id"] != customer_id:
            errors.append(_fe(prefix, f"{ref}/id",
                              f'Invalid pk "{value}" - object does not exist.'))
    if entity is not CONNECTION:
        if not any((record.get(n) or "").strip() for n in NAMES):
            errors.append(_fe(prefix, "non_field_errors",
                              "At least one of first_name, last_name or corporate_name "
                              "must be given."))
        if record.get("sni_number") and not (record.get("corporate_name") or "").strip():
            errors.append(_fe(prefix, "sni_number", SNI_NEEDS_CORPORATE_NAME))
    return errors


def normalise(entity: Entity, body: dict[str, Any]) -> dict[str, Any]:
    """The writable members of a request body, references reduced to their ids."""
    changes = {k: v for k, v in body.items() if k in entity.writable}
    for ref in REFS:
        if ref in changes and isinstance(changes[ref], dict):
            changes[ref] = str(changes[ref]["id"]).lower()
    return changes


def new_record(state: PigelloState, entity: Entity, customer_id: str) -> Record:
    record: Record = {"id": state.sandbox.new_uuid(), "customer_id": customer_id,
                      "created_at": timestamp(state.sandbox)}
    if entity is CONNECTION:
        record.update({k: (list(v) if isinstance(v, list) else v)
                       for k, v in entity.defaults.items()})
    return record


# A stored tenant or sub-tenant holds its boolean members as the bits of one int
# under this key (see :func:`sparse`); it never leaves the package.
FLAGS = "_flags"
FLAG_BITS = {entity.name: {k: 1 << i for i, k in enumerate(
    k for k, v in entity.defaults.items() if type(v) is bool)} for entity in (TENANT, SUBTENANT)}
# One int object per distinct set of bits (at most 2 ** 16), not one per record.
_FLAG_VALUES: dict[int, int] = {}


def value(entity: Entity, record: Record, key: str) -> Any:
    """A member of a stored record; tenants and sub-tenants store only the members that
    differ from their defaults, and their booleans as bits (see :func:`sparse`)."""
    if key in record:
        return record[key]
    flags = record.get(FLAGS)
    if flags is not None:
        bit = FLAG_BITS[entity.name].get(key)
        if bit is not None:
            return bool(flags & bit)
    default = entity.defaults.get(key)
    return list(default) if isinstance(default, list) else default


def sparse(entity: Entity, record: Record) -> Record:
    """A record as stored: members equal to their default left out and, for a tenant
    or sub-tenant, the booleans packed into the bits of one int (``FLAGS``).

    Tenants and sub-tenants have ~50 members, most of them at their default: a record
    of a dozen keys keeps CPython's shared-key layout (at most 30 keys) and 200,000 of
    them fit the memory target. Every one of them holds ``FLAGS``, so that records
    differ in which members they hold only where a string left its default (a key
    set varying with each record would cost a layout each, collection.compact), and
    a sub-tenant's dozen permissions cost one member instead of twelve. A connection
    leaves out its nine members that are nearly always null. Read a stored record's
    members with :func:`value`.
    """
    defaults = entity.defaults
    bits = FLAG_BITS.get(entity.name, {})
    out = {k: v for k, v in record.items()
           if (k not in defaults or v != defaults[k] or type(v) is not type(defaults[k]))
           and k != FLAGS and not (k in bits and type(v) is bool)}
    if bits:
        flags = sum(bit for key, bit in bits.items() if value(entity, record, key) is True)
        out[FLAGS] = _FLAG_VALUES.setdefault(flags, flags)
    return out


def write_many(state: PigelloState, entity: Entity, customer_id: str,
               items: list[tuple[str | None, dict[str, Any]]],
               prefixes: list[str], bulk: bool = False) -> list[Record]:
    """Create (id None) or update (id given) records, all or nothing.

    Every item is checked against the stored records and the other items first
    (existence, references, names, custom_id uniqueness); only then is anything
    written. Raises ``BadRequest`` listing each problem with its item and field.
    """
    coll = state.collections[entity.name]
    errors: list[FieldError] = []
    planned: list[tuple[bool, Record, str]] = []
    seen: dict[str, int] = {}
    for (record_id, body), prefix in zip(items, prefixes, strict=True):
        changes = normalise(entity, body)
        if record_id is not None:
            key = record_id.lower()
            existing = state.find(entity.name, customer_id, key)
            if existing is None:
                errors.append(_fe(prefix, "id", f'Invalid pk "{record_id}" - object does '
                                                 f'not exist.'))
                continue
            if key in seen:
                errors.append(_fe(prefix, "id", "This object is already updated by another "
                                                 "item of this request."))
                continue
            seen[key] = len(planned)
            record = {**existing, **changes}
            creating = False
        else:
            record = {**new_record(state, entity, customer_id), **changes}
            creating = True
        errors.extend(check_record(state, entity, customer_id, record, changes, prefix,
                                   creating))
        planned.append((creating, record, prefix))
    errors.extend(_custom_id_clashes(state, entity, customer_id, planned))
    if errors:
        raise DRFValidationError(nest(errors, len(items) if bulk else None))
    for creating, record, _ in planned:
        if not creating:
            coll.replace({**record, "custom_id": None})
    out = []
    for creating, record, _ in planned:
        record = sparse(entity, record)
        out.append(coll.insert(record) if creating else coll.replace(record))
    return out


def _custom_id_clashes(state: PigelloState, entity: Entity, customer_id: str,
                       planned: list[tuple[bool, Record, str]]) -> list[FieldError]:
    """custom_id must be unique per customer and entity, within the request too.

    Looks each wanted custom_id up in the unique index: the cost follows the size
    of the request, not the number of stored records.
    """
    coll = state.collections[entity.name]
    touched = {r["id"] for creating, r, _ in planned if not creating}
    owners: dict[str, str] = {}
    errors = []
    for _, record, prefix in planned:
        custom = record.get("custom_id")
        if custom is None:
            continue
        owner = owners.get(custom)
        if owner is None:
            stored = coll.find_unique("custom_id", (customer_id, custom))
            if stored is not None and stored["id"] not in touched:
                owner = stored["id"]
        if owner is not None and owner != record["id"]:
            errors.append(_fe(prefix, "custom_id",
                              f"{entity.title} with this custom id already exists."))
        else:
            owners[custom] = record["id"]
    return errors


def delete_record(state: PigelloState, entity: Entity, customer_id: str, record_id: str) -> bool:
    """Delete a record; refuses (Conflict) a tenant or sub-tenant a connection uses."""
    record = state.find(entity.name, customer_id, record_id)
    if record is None:
        return False
    if entity is not CONNECTION:
        users = state.users_of(entity.name, record["id"])
        if users:
            raise Conflict(f"Cannot delete this {entity.title.lower()}: it is used by "
                           f"{len(users)} subtenanttenantconnection(s) "
                           f"({', '.join(sorted(users)[:5])}). Delete those first.")
    state.collections[entity.name].delete(record["id"])
    return True


def render(entity: Entity, record: Record) -> dict[str, Any]:
    """A stored record as the API shows it."""
    out = {k: value(entity, record, k) for k in entity.output_fields}
    for ref in REFS:
        if ref in out:
            out[ref] = {"id": record[ref]} if record.get(ref) is not None else None
    if entity is not CONNECTION:
        out["is_company"] = bool((record.get("corporate_name") or "").strip())
    return out


# --- fixtures, state, generation ----------------------------------------------------

SECTIONS = (("tenants", TENANT), ("subtenants", SUBTENANT), ("connections", CONNECTION))



def _check_entry(state: PigelloState, where: str, item: dict, taken: dict) -> None:
    """A client or organization entry names a known customer and a new id."""
    if item["customer"] not in state.customers:
        raise FixtureError.at(f"{where}.customer", "is not a customer of this section")
    if item["id"].lower() in taken:
        raise FixtureError.at(f"{where}.id", "is used twice")


def build_state(sandbox: Sandbox, section: dict, config: Config) -> PigelloState:
    """Customers, their clients and organizations, then tenants, sub-tenants, connections."""
    state = PigelloState(sandbox)
    default_time = section.get("createdAt") or timestamp(sandbox)
    for i, item in enumerate(section.get("customers", [])):
        if item["id"] in state.customers:
            raise FixtureError.at(f"pigello.customers[{i}].id", "is used twice")
        state.customers[item["id"]] = {"id": item["id"], "name": item["name"]}
    for i, item in enumerate(section.get("clients", [])):
        _check_entry(state, f"pigello.clients[{i}]", item, state.clients)
        state.clients[item["id"].lower()] = Client(
            id=item["id"], name=item["name"], customer_id=item["customer"],
            client_ct=item["clientCt"], secret=item["secret"],
            application_id=item["applicationId"], service_id=item["serviceId"],
            service_version_id=item["serviceVersionId"])
    for i, item in enumerate(section.get("organizations", [])):
        _check_entry(state, f"pigello.organizations[{i}]", item, state.organizations)
        org_id = item["id"].lower()
        state.organizations[org_id] = {"id": org_id, "name": item["name"],
                                       "customer_id": item["customer"]}
    for key, entity in SECTIONS:
        for i, item in enumerate(section.get(key, [])):
            _load_record(state, entity, item, f"pigello.{key}[{i}]", default_time)
    return state


def _load_record(state: PigelloState, entity: Entity, item: dict, where: str,
                 default_time: str) -> None:
    customer = item["customer"]
    if customer not in state.customers:
        raise FixtureError.at(f"{where}.customer", "is not a customer of this section")
    record: Record = {"id": item["id"].lower(), "customer_id": customer,
                      "created_at": item.get("created_at") or default_time}
    record.update({k: item.get(k, v) for k, v in entity.defaults.items()})
    for name in entity.writable:
        if name in item:
            record[name] = item[name]
    foreign = [k for k in item if k not in entity.defaults and k not in entity.writable and k not in
               ("id", "customer", "created_at")]
    if foreign:
        raise FixtureError.at(f"{where}.{foreign[0]}", f"is not a member of {entity.title}")
    sent = {k: ({"id": v} if k in REFS and isinstance(v, str) else v)
            for k, v in record.items() if k in entity.writable}
    read, problems = read_object(create_schema(entity), sent, "", Reading(), partial=False)
    if problems is not None:
        raise FixtureError.at(f"{where}.{_first_path(problems)}", _first_message(problems))
    record.update(normalise(entity, read))
    errors = check_record(state, entity, customer, record, {**record}, "", True)
    if errors:
        first = errors[0]
        field = ".".join(p for p in (first.pointer or "").split("/") if p)
        raise FixtureError.at(f"{where}.{field}", first.detail)
    coll = state.collections[entity.name]
    if record["id"] in coll:
        raise FixtureError.at(f"{where}.id", "is used twice")
    if record["custom_id"] is not None and coll.is_taken("custom_id", _custom_key(record)):
        raise FixtureError.at(f"{where}.custom_id", "is used twice for this customer")
    coll.insert(sparse(entity, record))


def create_schema(entity: Entity) -> dict:
    """The spec's request schema for creating one ``entity`` object, references resolved."""
    return _create_schemas()[entity.name]


@functools.cache
def _create_schemas() -> dict[str, dict]:
    spec = spec_document("pigello.yaml")

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    schemas = spec["components"]["schemas"]
    return {e.name: resolve(schemas[f"{e.title}Create"]) for e in ENTITIES.values()}


def _first_path(body: Any) -> str:
    """The dotted path of the first error in a DRF error body."""
    parts = []
    while isinstance(body, dict) and body:
        key = next(iter(body))
        parts.append(str(key))
        body = body[key]
    return ".".join(parts)


def _first_message(body: Any) -> str:
    while isinstance(body, dict) and body:
        body = next(iter(body.values()))
    return body[0] if isinstance(body, list) and body else "is not valid"


def dump_state(state: PigelloState) -> dict[str, Any]:
    """A section listing every customer, client, organization and record explicitly."""
    section: dict[str, Any] = {
        "customers": [dict(c) for c in state.customers.values()],
        "clients": [{"id": c.id, "name": c.name, "customer": c.customer_id,
                     "clientCt": c.client_ct, "secret": c.secret,
                     "applicationId": c.application_id, "serviceId": c.service_id,
                     "serviceVersionId": c.service_version_id}
                    for c in state.clients.values()],
        "organizations": [{"id": o["id"], "name": o["name"], "customer": o["customer_id"]}
                          for o in state.organizations.values()],
    }
    for key, entity in SECTIONS:
        section[key] = [
            {"id": r["id"], "customer": r["customer_id"], "created_at": r["created_at"],
             **{k: value(entity, r, k) for k in entity.writable + tuple(entity.defaults)}}
            for r in state.collections[entity.name].dump()]
    return section


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", unicodedata.normalize("NFKD", text.lower())
                  .encode("ascii", "ignore").decode()) or "x"


SNI_CODES = ("20.520", "78.300", "68.310", "79.900", "96.090", "32.910", "46.630", "20.59",
             "20.160", "42.110")


def with_luhn(digits: str) -> str:
    """``digits`` plus the Luhn check digit."""
    return next(digits + c for c in "0123456789" if luhn_ok(digits + c))


def swedish_faker(sandbox: Sandbox) -> Faker:
    """A Swedish Faker seeded from the sandbox's random (same seed, same data)."""
    fake = new_faker("sv_SE")
    fake.seed_instance(sandbox.random.getrandbits(32))
    return fake


def fake_person(sandbox: Sandbox, company: bool, fake: Faker | None = None) -> dict[str, Any]:
    """Faker-made tenant or sub-tenant members that pass the API's own rules: Swedish
    names, a Luhn-valid personal number matching the birth date, for a company a
    Luhn-valid organisation number, its Peppol id, a GLN and an SNI code."""
    fake = fake or swedish_faker(sandbox)
    rnd = sandbox.random
    first, last = fake.first_name(), fake.last_name()
    born = date(1940, 1, 1) + timedelta(days=rnd.randrange(365 * 65))
    serial = f"{rnd.randrange(1000):03d}"
    person: dict[str, Any] = {
        "first_name": first[:255], "last_name": last[:255], "corporate_name": None,
        "birth_date": born.isoformat(),
        "ssn": born.strftime("%Y%m%d") + with_luhn(born.strftime("%y%m%d") + serial)[-4:],
        "email": f"{_ascii(first)}.{_ascii(last)}@{_ascii(last)}.example"[:254],
        "phone_number": "+467" + "".join(str(rnd.randrange(10)) for _ in range(8)),
        "custom_id": None,
    }
    person["invoice_email"] = person["email"]
    if company:
        org = with_luhn("55" + "".join(str(rnd.randrange(10)) for _ in range(7)))
        person.update({
            "corporate_name": fake.company()[:255], "org_no": f"{org[:6]}-{org[6:]}",
            "peppol_id": f"0007:{org}", "sni_number": rnd.choice(SNI_CODES),
            "gln13_number": gln_with_check("735999" + "".join(str(rnd.randrange(10))
                                                              for _ in range(6)))})
    return person


def gln_with_check(digits12: str) -> str:
    """12 digits plus the GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


def generate(sandbox: Sandbox, section: dict, config: Config, count: int,
             progress: Callable[[int], None]) -> dict[str, Any]:
    """The section plus ``count`` connections, each with a new tenant and sub-tenant."""
    state = build_state(sandbox, section, config)
    customers = list(state.customers)
    if count and not customers:
        raise FixtureError("pigello: generating connections needs at least one customer")
    # Reproducible: created one second apart from the section's createdAt, never
    # from the clock (same seed and counts, same file).
    base = parse_datetime(section["createdAt"]) if section.get("createdAt") else None
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    fake = swedish_faker(sandbox) if count else None
    for i in range(count):
        customer = customers[i % len(customers)]
        created = {"created_at": isoformat(base + timedelta(seconds=i + 1))}
        tenant = {**new_record(state, TENANT, customer), **fake_person(sandbox, True, fake),
                  **created}
        sub = {**new_record(state, SUBTENANT, customer), **fake_person(sandbox, False, fake),
               **created, **{name: sandbox.random.random() < 0.5 for name in ALLOW}}
        orgs = [o for o in state.organizations.values() if o["customer_id"] == customer]
        conn = {**new_record(state, CONNECTION, customer), **created, "tenant": tenant["id"],
                "sub_tenant": sub["id"], "stakeholder_type": sandbox.random.randrange(4),
                "category": sandbox.random.choice([None, *range(10)]),
                "is_active": sandbox.random.random() > 0.1,
                "organization": sandbox.random.choice(orgs)["id"] if orgs else None}
        for entity, record in ((TENANT, tenant), (SUBTENANT, sub)):
            state.collections[entity.name].insert(sparse(entity, record))
        if check_record(state, CONNECTION, customer, conn, conn, "", True):
            raise FixtureError("pigello: a generated connection is not valid")
        state.collections[CONNECTION.name].insert(sparse(CONNECTION, conn))
        progress(i + 1)
    return dump_state(state)


def credentials(sandbox: Sandbox) -> list[dict]:
    """Every client with its seven ready-to-send headers."""
    state: PigelloState = sandbox.state(API)
    return [{"name": c.name, "role": "client", "customerId": c.customer_id,
             "customerName": state.customers[c.customer_id]["name"], "clientId": c.id,
             "organizationIds": [o["id"] for o in state.organizations.values()
                                 if o["customer_id"] == c.customer_id],
             "headers": c.headers()}
            for c in state.clients.values()]
