"""Contract coverage: which documented operations, statuses, query parameters and
request-body members the calls to a sandbox exercised.

Counted as calls are answered (``JournalMiddleware`` calls :func:`record`), so the
figures are counters that outlive the journal's ring. What is documented comes from
the loaded specs (:class:`Catalogue`). Counts are kept per sandbox name, apart from
the sandbox objects: a reset or a sandbox dropped from memory keeps its counts;
``DELETE /_sandbox/coverage`` clears them. When more than ``MAX_NAMES`` names have
been counted, the least recently counted ones are folded into one retired bucket,
so totals across all sandboxes never lose a call.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote_plus

import orjson

from mock_server.apis.base import ApiDefinition

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
MAX_NAMES = 10_000
RETIRED = "(retired)"
# Elements of a request-body array looked at per call (bulk writes can be long).
ARRAY_SAMPLE = 50
MAX_DEPTH = 8
JSON_TYPES = ("application/json", "+json")


def resolve(spec: dict, node: Any) -> Any:
    """Follow local ``$ref`` pointers (``#/components/...``) until a plain node."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def member_tree(spec: dict, schema: Any, depth: int = 0,
                stack: tuple[int, ...] = ()) -> dict[str, Any]:
    """The documented members of a schema as a nested dict; arrays of objects as ``[]``."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict) or depth > MAX_DEPTH or id(schema) in stack:
        return {}
    stack = (*stack, id(schema))
    tree: dict[str, Any] = {}
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, ()):
            _merge(tree, member_tree(spec, part, depth, stack))
    for name, sub in (schema.get("properties") or {}).items():
        _merge(tree, {name: member_tree(spec, sub, depth + 1, stack)})
    if "items" in schema:
        inner = member_tree(spec, schema["items"], depth + 1, stack)
        if inner:
            _merge(tree, {"[]": inner})
    return tree


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, sub in other.items():
        _merge(into.setdefault(key, {}), sub)


def member_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """``data``, ``data.attributes``, ``data.attributes.companyName``, ``[].name`` ..."""
    paths = []
    for key, sub in tree.items():
        if key == "[]":
            path = prefix + "[]"
        else:
            path = f"{prefix}.{key}" if prefix else key
            paths.append(path)
        paths.extend(member_paths(sub, path))
    return paths


def compile_tree(tree: dict[str, Any], prefix: str = "") -> dict[str, tuple[str, dict]]:
    """The member tree with each node's dotted path made once: key -> (path, children)."""
    compiled = {}
    for key, sub in tree.items():
        path = prefix + "[]" if key == "[]" else f"{prefix}.{key}" if prefix else key
        compiled[key] = (path, compile_tree(sub, path))
    return compiled


def sent_members(value: Any, tree: dict[str, tuple[str, dict]], out: set[str]) -> None:
    """Collect the documented member paths present in a decoded body."""
    if isinstance(value, dict):
        for key, sub in value.items():
            node = tree.get(key)
            if node is None:
                continue
            out.add(node[0])
            if node[1] and isinstance(sub, dict | list):
                sent_members(sub, node[1], out)
    elif isinstance(value, list):
        node = tree.get("[]")
        if node is not None:
            for item in value[:ARRAY_SAMPLE]:
                sent_members(item, node[1], out)


def query_names(text: str, documented: frozenset[str]) -> set[str]:
    """The documented parameter names in a raw query string."""
    names = set()
    for part in text.split("&"):
        name = part.split("=", 1)[0]
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if name in documented:
            names.add(name)
    return names


class Operation:
    """What one documented operation allows."""

    __slots__ = ("api", "operation_id", "method", "path", "statuses", "has_default",
                 "query", "query_set", "tree", "members")

    def __init__(self, api: str, operation_id: str, method: str, path: str,
                 statuses: list[str], has_default: bool, query: list[str],
                 tree: dict[str, Any]) -> None:
        self.api = api
        self.operation_id = operation_id
        self.method = method
        self.path = path
        self.statuses = statuses
        self.has_default = has_default
        self.query = query
        self.query_set = frozenset(query)
        self.tree = compile_tree(tree)
        self.members = member_paths(tree)

    def status_key(self, status: int | None) -> str | None:
        """The documented response key a status falls under (None: not documented)."""
        if status is None:
            return None
        code = str(status)
        if code in self.statuses:
            return code
        wildcard = f"{code[0]}XX"
        return wildcard if wildcard in self.statuses else None


class Catalogue:
    """Every documented operation of the emulated APIs, from their specs."""

    def __init__(self, apis: Sequence[ApiDefinition], specs: dict[str, dict]) -> None:
        self.apis = [a for a in apis if a.name in specs]
        self.operations: dict[str, dict[str, Operation]] = {}
        for api in self.apis:
            self.operations[api.name] = self._operations(api, specs[api.name])

    @classmethod
    def load(cls, apis: Sequence[ApiDefinition]) -> Catalogue:
        """From the spec files (the control plane is not an API under test)."""
        from mock_server.yaml_io import spec_document

        emulated = [a for a in apis if a.name != "sandbox"]
        return cls(emulated, {a.name: spec_document(a.spec) for a in emulated})

    @staticmethod
    def _operations(api: ApiDefinition, spec: dict) -> dict[str, Operation]:
        found: dict[str, Operation] = {}
        for template, item in (spec.get("paths") or {}).items():
            item = resolve(spec, item)
            shared = [resolve(spec, p) for p in item.get("parameters", ())]
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                params = {(p["name"], p["in"]): p for p in shared}
                params.update({(p["name"], p["in"]): p
                               for p in (resolve(spec, q) for q in op.get("parameters", ()))})
                query = [name for name, where in params if where == "query"]
                responses = [str(k).upper() for k in op.get("responses") or {}]
                statuses = [k for k in responses if k != "DEFAULT"]
                tree: dict[str, Any] = {}
                body = resolve(spec, op.get("requestBody")) or {}
                for media, content in (body.get("content") or {}).items():
                    if media.startswith(JSON_TYPES[0]) or media.endswith(JSON_TYPES[1]):
                        _merge(tree, member_tree(spec, (content or {}).get("schema")))
                key = op["operationId"]  # what routing and the journal record
                found[key] = Operation(
                    api.name, key, method.upper(), api.base_path + template,
                    statuses, "DEFAULT" in responses, query, tree)
        return found

    def find(self, api: str, operation_id: str | None) -> Operation | None:
        if operation_id is None:
            return None
        return self.operations.get(api, {}).get(operation_id)


class Counts:
    """One sandbox's counters: per (api, operationId) calls, statuses, query names, members."""

    __slots__ = ("ops",)

    def __init__(self) -> None:
        self.ops: dict[tuple[str, str], list[Any]] = {}

    def slot(self, api: str, operation_id: str) -> list[Any]:
        slot = self.ops.get((api, operation_id))
        if slot is None:
            slot = self.ops[api, operation_id] = [0, {}, {}, {}]
        return slot

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        raw: dict[str, dict[str, dict[str, Any]]] = {}
        for (api, op), (calls, statuses, query, members) in self.ops.items():
            raw.setdefault(api, {})[op] = {"calls": calls, "statuses": dict(statuses),
                                           "query": dict(query), "members": dict(members)}
        return raw

    def absorb(self, raw: dict[str, dict[str, dict[str, Any]]]) -> None:
        for api, ops in raw.items():
            for op, counts in ops.items():
                slot = self.slot(api, op)
                slot[0] += counts.get("calls", 0)
                for index, key in ((1, "statuses"), (2, "query"), (3, "members")):
                    for name, n in counts.get(key, {}).items():
                        slot[index][name] = slot[index].get(name, 0) + n


def merge_snapshots(snapshots: Iterable[dict]) -> dict[str, dict[str, dict[str, Any]]]:
    """Add raw counter snapshots together (e.g. from several servers or xdist workers)."""
    total = Counts()
    for raw in snapshots:
        total.absorb(raw)
    return total.snapshot()


class Coverage:
    """The counters of one server, per sandbox name."""

    def __init__(self, apis: Sequence[ApiDefinition]) -> None:
        self._apis = apis
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()
        self._names: OrderedDict[str, Counts] = OrderedDict()

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.load(self._apis)
        return self._catalogue

    def record(self, sandbox: str, api: str, operation_id: str | None, status: int | None,
               query: bytes | str, body: bytes, truncated: bool) -> None:
        """Count one answered call (``status`` None: the connection was dropped)."""
        op = self.catalogue.find(api, operation_id)
        key = "dropped" if status is None else str(status)
        names: set[str] = set()
        members: set[str] = set()
        if op is not None:
            if op.query and query:
                names = query_names(query.decode("latin-1") if isinstance(query, bytes)
                                    else query, op.query_set)
            if op.tree and body and not truncated:
                try:
                    sent_members(orjson.loads(body), op.tree, members)
                except orjson.JSONDecodeError:
                    pass
        with self._lock:
            counts = self._names.get(sandbox)
            if counts is None:
                counts = self._names[sandbox] = Counts()
                if len(self._names) > MAX_NAMES:
                    self._retire()
            else:
                self._names.move_to_end(sandbox)
            slot = counts.slot(api, operation_id or "")
            slot[0] += 1
            slot[1][key] = slot[1].get(key, 0) + 1
            seen = slot[2]
            for name in names:
                seen[name] = seen.get(name, 0) + 1
            seen = slot[3]
            for name in members:
                seen[name] = seen.get(name, 0) + 1

    def _retire(self) -> None:
        while len(self._names) > MAX_NAMES:
            oldest = next(n for n in self._names if n != RETIRED)
            raw = self._names.pop(oldest).snapshot()
            self._names.setdefault(RETIRED, Counts()).absorb(raw)

    def names(self, *, every: bool = False, prefix: str | None = None,
              sandbox: str = "default") -> list[str]:
        with self._lock:
            known = list(self._names)
        if every:
            return known
        if prefix is not None:
            return [n for n in known if n.startswith(prefix)]
        return [sandbox]

    def snapshot(self, names: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
        with self._lock:
            raws = [self._names[n].snapshot() for n in names if n in self._names]
        return merge_snapshots(raws)

    def clear(self, names: Iterable[str]) -> None:
        with self._lock:
            for name in names:
                self._names.pop(name, None)


_SERVERS: weakref.WeakKeyDictionary[Any, Coverage] = weakref.WeakKeyDictionary()


def coverage_for(runtime: Any) -> Coverage:
    """The coverage counters of one server (one :class:`Runtime`)."""
    found = _SERVERS.get(runtime)
    if found is None:
        found = _SERVERS[runtime] = Coverage(runtime.apis)
    return found


def record(runtime: Any, sandbox: str, api: str, operation_id: str | None,
           status: int | None, query: bytes | str, body: bytes, truncated: bool) -> None:
    """Count one call: the hook the journal calls for every call it records."""
    coverage_for(runtime).record(sandbox, api, operation_id, status, query, body, truncated)


def _fraction(covered: int, documented: int) -> dict[str, Any]:
    percent = 100.0 if documented == 0 else round(100.0 * covered / documented, 1)
    return {"covered": covered, "documented": documented, "percent": percent}


def _add(into: dict[str, list[int]], key: str, covered: int, documented: int) -> None:
    into[key][0] += covered
    into[key][1] += documented


def build_report(catalogue: Catalogue, raw: dict[str, dict[str, dict[str, Any]]],
                 sandboxes: list[str], apis: Sequence[str] | None = None) -> dict[str, Any]:
    """The coverage document (``GET /_sandbox/coverage``) for raw counters.

    Every emulated API is listed; an API is ``inScope`` when it is named in ``apis``
    or, with no ``apis``, when it was called at least once: the overall totals are
    over the APIs in scope.
    """
    wanted = set(apis or ())
    overall = {k: [0, 0] for k in ("operations", "statuses", "queryParameters", "bodyMembers")}
    listed = []
    for api in catalogue.apis:
        if wanted and api.name not in wanted:
            continue
        counted = raw.get(api.name, {})
        sums = {k: [0, 0] for k in overall}
        operations = []
        for op in catalogue.operations[api.name].values():
            c = counted.get(op.operation_id, {})
            seen: dict[str, int] = c.get("statuses", {})
            covered_keys = {op.status_key(int(s)) for s in seen if s.isdigit()}
            never = [s for s in op.statuses if s not in covered_keys]
            undocumented = {s: n for s, n in seen.items()
                            if not s.isdigit() or op.status_key(int(s)) is None}
            query = c.get("query", {})
            members = c.get("members", {})
            _add(sums, "operations", int(c.get("calls", 0) > 0), 1)
            _add(sums, "statuses", len(op.statuses) - len(never), len(op.statuses))
            _add(sums, "queryParameters", len(query), len(op.query))
            _add(sums, "bodyMembers", len(members), len(op.members))
            operations.append({
                "operationId": op.operation_id,
                "name": op.operation_id,  # kept from when ids were Python paths
                "method": op.method,
                "path": op.path,
                "calls": c.get("calls", 0),
                "statuses": {"documented": op.statuses, "seen": seen, "neverSeen": never,
                             "undocumented": undocumented, "default": op.has_default},
                "queryParameters": {"documented": op.query, "sent": query,
                                    "neverSent": [q for q in op.query if q not in query]},
                "bodyMembers": {"documented": op.members, "sent": members,
                                "neverSent": [m for m in op.members if m not in members]},
            })
        unrouted = counted.get("", {})
        calls = sum(o["calls"] for o in operations) + unrouted.get("calls", 0)
        in_scope = api.name in wanted if wanted else calls > 0
        if in_scope:
            for key, (covered, documented) in sums.items():
                _add(overall, key, covered, documented)
        listed.append({
            "api": api.name, "title": api.title or api.name, "calls": calls,
            "inScope": in_scope,
            "unroutedCalls": {"calls": unrouted.get("calls", 0),
                              "statuses": unrouted.get("statuses", {})},
            "totals": {k: _fraction(*v) for k, v in sums.items()},
            "operations": operations,
        })
    return {"sandboxes": sandboxes, "apis": listed,
            "totals": {k: _fraction(*v) for k, v in overall.items()}}


def report(runtime: Any, names: list[str], apis: Sequence[str] | None = None) -> dict[str, Any]:
    """The coverage document of some sandboxes of a running server."""
    coverage = coverage_for(runtime)
    return build_report(coverage.catalogue, coverage.snapshot(names), names, apis)
