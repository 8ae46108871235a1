"""List reading: ``field[__op][!]`` filters, ``_search``, ``_order_by`` and paging."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from math import ceil
from typing import Any

from mock_server.apis.pigello.drf import DATE_FORMAT, DATETIME_FORMAT
from mock_server.apis.pigello.models import (
    CONNECTION,
    CUSTOMER_INDEXES,
    NAMES,
    REF_TARGETS,
    Entity,
    PigelloState,
    parse_datetime,
    value,
)
from mock_server.collection import Record
from mock_server.errors import BadRequest, FieldError

RESERVED = ("_page", "_page_size", "_order_by", "_search", "_jsonl", "_slim", "_statistics",
            "tags", "customer_columns", "global_realestates", "global_segments")
# The provider's "Additional Validation Information" phrase, used as the error message.
TOGETHER = "This value must be set together with the following fields: "
# Query booleans (flags, boolean filters and their negations alike) read as the spec
# declares them and request validation coerces the ones it sees: true / false,
# case-insensitive; anything else is DRF's "Must be a valid boolean.".
TRUE = ("true",)
FALSE = ("false",)
# Filters on members the sandbox never fills: a non-empty value matches nothing.
EMPTY_MEMBERS = ("tags", "customer_columns")


class QueryError(Exception):
    """One bad query parameter; collected into a BadRequest."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail


def _bool(param: str, raw: str) -> bool:
    low = raw.strip().lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise QueryError(param, "Must be a valid boolean.")


def _scalar(param: str, kind: str, raw: str) -> Any:
    """A filter value converted to the field's kind."""
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise QueryError(param, "A valid integer is required.") from None
    if kind == "datetime":
        parsed = parse_datetime(raw)
        if parsed is None:
            raise QueryError(param, DATETIME_FORMAT)
        return parsed
    if kind == "date":
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            raise QueryError(param, DATE_FORMAT) from None
    if kind in ("ref", "uuid"):
        try:
            return str(uuid.UUID(raw.strip()))
        except ValueError:
            raise QueryError(param, "Must be a valid UUID.") from None
    if kind == "boolean":
        return _bool(param, raw)
    return raw


def _value(record: Record, field: str, kind: str, entity: Entity = CONNECTION) -> Any:
    found = value(entity, record, field)
    if kind == "datetime" and found is not None:
        return parse_datetime(found)
    return found


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "iexact": lambda v, x: v.casefold() == x.casefold(),
    "contains": lambda v, x: x in v,
    "icontains": lambda v, x: x.casefold() in v.casefold(),
    "startswith": lambda v, x: v.startswith(x),
    "istartswith": lambda v, x: v.casefold().startswith(x.casefold()),
    "endswith": lambda v, x: v.endswith(x),
    "iendswith": lambda v, x: v.casefold().endswith(x.casefold()),
}
_ORDER_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda v, x: v > x, "gte": lambda v, x: v >= x,
    "lt": lambda v, x: v < x, "lte": lambda v, x: v <= x,
}


@dataclass(frozen=True)
class Filter:
    """One parsed ``field[__op][!]=value`` parameter.

    ``values`` are the values an exact or ``__in`` filter accepts (not negated), so
    that an index can answer it; None for every other kind of filter.
    """

    test: Callable[[Record], bool]
    field: str
    values: tuple[Any, ...] | None = None


def make_filter(entity: Entity, param: str, raw: str) -> Filter:
    """The predicate for one ``field[__op][!]=value`` parameter (``!`` negates it)."""
    negate = param.endswith("!")
    field, _, op = param.removesuffix("!").partition("__")
    spec = entity.fields.get(field)
    if spec is None or op not in spec.operators:
        raise QueryError(param, "Unknown filter.")
    kind = spec.kind
    exact: tuple[Any, ...] | None = None
    if op == "isnull":
        wanted = _bool(param, raw)

        def test(r: Record) -> bool:
            return (value(entity, r, field) is None) == wanted
    elif op == "in":
        values = [_scalar(param, kind, part) for part in raw.split(",") if part.strip() != ""]
        exact = tuple(values)

        def test(r: Record) -> bool:
            return _value(r, field, kind, entity) in values
    elif op in _STRING_TESTS:
        check = _STRING_TESTS[op]

        def test(r: Record) -> bool:
            v = value(entity, r, field)
            return v is not None and check(v, raw)
    elif op in _ORDER_TESTS:
        compare = _ORDER_TESTS[op]
        target = _scalar(param, kind, raw)

        def test(r: Record) -> bool:
            v = _value(r, field, kind, entity)
            return v is not None and compare(v, target)
    else:
        target = _scalar(param, kind, raw)
        exact = (target,)

        def test(r: Record) -> bool:
            return _value(r, field, kind, entity) == target
    if negate:
        return Filter(lambda r: not test(r), field)
    return Filter(test, field, exact if kind != "datetime" else None)


def _index_keys(state: PigelloState, entity: Entity, customer_id: str,
                f: Filter) -> tuple[str, list[Any]] | None:
    """The index and keys that hold exactly the customer's records ``f`` accepts,
    or None if no index answers ``f``."""
    if f.values is None:
        return None
    if f.field in CUSTOMER_INDEXES and entity is CONNECTION:
        return CUSTOMER_INDEXES[f.field], [(customer_id, v) for v in f.values]
    if f.field in REF_TARGETS and entity is CONNECTION:
        target = REF_TARGETS[f.field]
        # A connection only references records of its own customer, so a bucket
        # keyed by one of the customer's records holds only the customer's connections.
        return f.field, [v for v in f.values if state.find(target, customer_id, v) is not None]
    return None


def _few_ids(state: PigelloState, entity: Entity, customer_id: str,
             f: Filter) -> list[str] | None:
    """Ids ``f`` can match when it names ids or custom_ids (a handful), else None."""
    if f.values is None or f.field not in ("id", "custom_id"):
        return None
    coll = state.collections[entity.name]
    if f.field == "id":
        found = [v for v in f.values if state.find(entity.name, customer_id, v) is not None]
    else:
        found = [coll.owner("custom_id", (customer_id, v)) for v in f.values]
    return coll.in_order({i for i in found if i is not None})


def _candidates(state: PigelloState, entity: Entity, customer_id: str,
                filters: list[Filter]) -> list[Record]:
    """The customer's records that may match, read off the narrowest index available
    (every filter is still applied to them), in creation order."""
    coll = state.collections[entity.name]
    best: list[Any] | None = None
    for f in filters:
        ids = _few_ids(state, entity, customer_id, f)
        if ids is None:
            keys = _index_keys(state, entity, customer_id, f)
            if keys is None:
                continue
            index, values = keys
            if best is not None and sum(coll.count(index, v) for v in values) >= len(best):
                continue
            ids = coll.page_by(index, values, 0, sys.maxsize)[1]
        if best is None or len(ids) < len(best):
            best = ids
    if best is None:
        return state.records(entity.name, customer_id)
    return [coll.view(i) for i in best]


def _search_text(state: PigelloState, entity: Entity, record: Record) -> str:
    parts = [record.get(f) or "" for f in entity.search]
    if entity is CONNECTION:
        for ref, target in (("tenant", "tenant"), ("sub_tenant", "subtenant")):
            other = state.collections[target].peek(record[ref])
            if other is not None:
                parts += [other.get(n) or "" for n in NAMES]
    return "\n".join(parts).casefold()


def _sort(entity: Entity, records: list[Record], raw: str) -> list[Record]:
    keys = [k.strip() for k in raw.split(",")]
    for key in keys:
        if key.removeprefix("-") not in entity.fields:
            raise QueryError("_order_by", f'Cannot order by "{key}". Allowed fields: '
                                          f'{", ".join(entity.fields)} (prefix - for '
                                          f'descending).')
    for key in reversed(keys):
        field = key.removeprefix("-")
        kind = entity.fields[field].kind

        def sort_key(r: Record, field: str = field, kind: str = kind) -> tuple:
            v = _value(r, field, kind, entity)
            return (v is None, v if v is not None else 0)

        records.sort(key=sort_key, reverse=key.startswith("-"))
    return records


def list_records(state: PigelloState, entity: Entity, customer_id: str,
                 query: list[tuple[str, str]]) -> tuple[list[Record], dict[str, Any]]:
    """The customer's records matching the query, ordered and paged, plus paging meta."""
    params = dict(query)
    errors: list[FieldError] = []
    tests = []
    for name, raw in params.items():
        if name in RESERVED:
            continue
        try:
            tests.append(make_filter(entity, name, raw))
        except QueryError as exc:
            errors.append(FieldError(exc.detail, parameter=exc.parameter, location="query"))
    page = page_size = None
    for name in ("_page", "_page_size"):
        if name in params:
            try:
                number = int(params[name])
            except ValueError:
                number = 0
            if number < 1:
                errors.append(FieldError("Must be an integer of at least 1.", parameter=name,
                                         location="query"))
            elif name == "_page":
                page = number
            else:
                page_size = number
    if ("_page" in params) != ("_page_size" in params):
        given = "_page" if "_page" in params else "_page_size"
        other = "_page_size" if given == "_page" else "_page"
        errors.append(FieldError(f"{TOGETHER}{other}", parameter=given, location="query"))
    flags = {}
    for name in ("_jsonl", "_slim", "_statistics"):
        try:
            flags[name] = _bool(name, params[name]) if name in params else False
        except QueryError as exc:
            errors.append(FieldError(exc.detail, parameter=name, location="query"))
    for name in EMPTY_MEMBERS:
        if params.get(name, "").strip():
            tests.append(Filter(lambda r: False, name))
    search = params.get("_search", "").strip().casefold()
    ordered = bool(params.get("_order_by", "").strip())
    if errors:
        raise BadRequest("The query is not valid", errors=errors)
    if not (search or ordered or len(tests) > 1 or flags.get("_statistics")) \
            and page is not None and page_size is not None:
        keys = ("customer", [customer_id]) if not tests else \
            _index_keys(state, entity, customer_id, tests[0])
        if keys is not None:
            return _index_page(state, entity, keys, page, page_size)
    records = [r for r in _candidates(state, entity, customer_id, tests)
               if all(f.test(r) for f in tests)]
    if search:
        records = [r for r in records if search in _search_text(state, entity, r)]
    if ordered:
        try:
            records = _sort(entity, records, params["_order_by"])
        except QueryError as exc:
            errors.append(FieldError(exc.detail, parameter=exc.parameter, location="query"))
    if errors:
        raise BadRequest("The query is not valid", errors=errors)
    total = len(records)
    extra = {"statistics": statistics(entity, records)} if flags.get("_statistics") else {}
    if page is not None and page_size is not None:
        return (records[(page - 1) * page_size:page * page_size],
                {**_meta(total, page, page_size), **extra})
    return records, {"total_amount": total, "page": None, "page_size": None, "page_amount": 1,
                     **extra}


def statistics(entity: Entity, records: list[Record]) -> dict[str, Any]:
    """``_statistics=true``: the number of matches, and per choice or boolean field the
    number of matches per value (keys as JSON text: ``"true"``, ``"2"``, ``"null"``)."""
    out: dict[str, Any] = {"total_amount": len(records)}
    for name, spec in entity.fields.items():
        if spec.kind not in ("boolean", "integer"):
            continue
        counts: dict[str, int] = {}
        for r in records:
            key = json.dumps(value(entity, r, name))
            counts[key] = counts.get(key, 0) + 1
        out[name] = dict(sorted(counts.items()))
    return out


def _meta(total: int, page: int, page_size: int) -> dict[str, Any]:
    return {"total_amount": total, "page": page, "page_size": page_size,
            "page_amount": ceil(total / page_size)}


def _index_page(state: PigelloState, entity: Entity, keys: tuple[str, list[Any]], page: int,
                page_size: int) -> tuple[list[Record], dict[str, Any]]:
    """One page read straight off an index whose buckets hold exactly the matches:
    the cost follows the page, not the number of records."""
    coll = state.collections[entity.name]
    index, values = keys
    start = (page - 1) * page_size
    total = sum(coll.count(index, v) for v in set(values))
    if start >= total:
        return [], _meta(total, page, page_size)
    ids = coll.page_by(index, values, start, start + page_size)[1]
    return [coll.view(i) for i in ids], _meta(total, page, page_size)
