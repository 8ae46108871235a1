"""``mock-server drift``: replay a sandbox's journal against another server that claims
the same API (typically the provider's own test environment) and report where it
answers differently from the sandbox.

The calls are replayed in journal order, with the other server's credentials (never
the sandbox's: the journal masks them anyway), Bizzlink requests signed here, ids the
other server assigns mapped into later calls, and every answer compared with the one
the sandbox gave: status, validity against our spec, content type, members present,
missing or extra, their types, the error format; values only when asked. Requests go
only to the base URLs the user named, bounded in count, rate and time.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import httpx

from mock_server.apis.base import ApiDefinition

MASK = "***"
INVALID_CREDENTIAL = "drift-invalid-credential"
ID_KEY = re.compile(r"^(id|pk|uuid)$|Id$|_id$|^id_", re.I)
TIMESTAMP_KEY = re.compile(r"(At|_at|Date|_date|Time|_time|timestamp|created|updated|modified)$",
                           re.I)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}"
                       r"([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
REPLAYED_HEADERS = ("content-type", "accept")
NOT_SELECTED = "api not selected (--api)"
ReplayAuth = Callable[[str, str, bytes, dict], dict[str, str]]


# --- authentication of replayed calls ------------------------------------------------

def header_auth(method: str, path_and_query: str, body: bytes,
                credentials: dict) -> dict[str, str]:
    """The credentials' ``headers`` as they are (Wallet, Pigello, and the default)."""
    return {str(k): str(v) for k, v in (credentials.get("headers") or {}).items()}


def bizzlink_auth(method: str, path_and_query: str, body: bytes,
                  credentials: dict) -> dict[str, str]:
    """Bearer token plus a fresh ``X-Bizzlink-Signature`` with the other server's secret."""
    from mock_server.apis.bizzlink.signing import SIGNATURE_HEADER, sign

    headers = header_auth(method, path_and_query, body, credentials)
    if credentials.get("token"):
        headers["Authorization"] = f"Bearer {credentials['token']}"
    secret = credentials.get("hmacSecret")
    if not secret:
        raise DriftError("bizzlink credentials need hmacSecret (and token or headers)")
    headers[SIGNATURE_HEADER] = sign(str(secret), method, path_and_query, body)
    return headers


def roomle_auth(method: str, path_and_query: str, body: bytes,
                credentials: dict) -> dict[str, str]:
    """Roomle's authentication as published: ``apiKey`` and a fresh ``token`` per call,
    AES-encrypted ``<now>;<session>;<apiKey>`` with the key's ``secret`` (the session
    from the credentials' ``sessionToken``, else ``anonymous``; ``algorithm`` 02 unless
    given), plus ``currentTenant`` when given. Credentials with neither ``secret`` nor
    ``apiKey`` send their ``headers`` as they are. Replaceable: an API package that sets
    ``ApiDefinition.replay_auth`` wins over this."""
    if not (credentials.get("secret") and credentials.get("apiKey")):
        return header_auth(method, path_and_query, body, credentials)
    from datetime import UTC, datetime

    from mock_server.apis.roomle.tokens import make_token

    headers = {"apiKey": credentials["apiKey"],
               "token": make_token(credentials["secret"],
                                   credentials.get("sessionToken") or "anonymous",
                                   credentials["apiKey"], datetime.now(UTC),
                                   credentials.get("algorithm", "02"))}
    if credentials.get("currentTenant") or credentials.get("tenantId"):
        headers["currentTenant"] = str(credentials.get("currentTenant")
                                       or credentials["tenantId"])
    return headers


BUILTIN_AUTH: dict[str, ReplayAuth] = {"bizzlink": bizzlink_auth, "roomle": roomle_auth}


def replay_auth_for(api: ApiDefinition) -> ReplayAuth:
    return api.replay_auth or BUILTIN_AUTH.get(api.name) or header_auth


# --- the spec: what a call may send and what its answers must look like ---------------

def inline(spec: dict, node: Any, stack: tuple[str, ...] = ()) -> Any:
    """A copy of ``node`` with every local ``$ref`` replaced by its target (cycles: {})."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in stack:
                return {}
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return inline(spec, target, (*stack, ref))
        return {k: inline(spec, v, stack) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(spec, v, stack) for v in node]
    return node


class SpecIndex:
    """Operations of one API's spec by operationId, with inlined schemas."""

    def __init__(self, api: ApiDefinition) -> None:
        from mock_server.yaml_io import spec_document

        self.api = api
        self.spec = spec_document(api.spec)
        self.ops: dict[str, dict[str, Any]] = {}
        self.security_headers = {"authorization"}
        for scheme in ((self.spec.get("components") or {}).get("securitySchemes") or {}).values():
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                self.security_headers.add(scheme["name"].lower())
        for item in (self.spec.get("paths") or {}).values():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    params = [inline(self.spec, p) for p in
                              (*item.get("parameters", ()), *op.get("parameters", ()))]
                    self.ops[op["operationId"]] = {
                        "method": method.upper(), "op": op,
                        "headers": {p["name"].lower() for p in params if p.get("in") == "header"},
                    }
        self._validators: dict[tuple[str, str, str], Any] = {}

    def header_params(self, operation_id: str | None) -> set[str]:
        found = self.ops.get(operation_id or "")
        return found["headers"] - self.security_headers if found else set()

    def response(self, operation_id: str | None, status: int) -> tuple[str | None, dict | None]:
        """(the documented response key, its content map) for a status."""
        found = self.ops.get(operation_id or "")
        if found is None:
            return None, None
        responses = found["op"].get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return key, inline(self.spec, responses[key]).get("content") or {}
        return None, None

    def validate(self, operation_id: str | None, status: int, media: str,
                 body: Any) -> list[str]:
        """Why a response breaks our spec (empty when it conforms)."""
        key, content = self.response(operation_id, status)
        if key is None:
            return [f"status {status} is not documented"]
        if not content:
            return [] if body is None else ["a body where the spec documents none"]
        chosen = content.get(media) or next(
            (v for k, v in content.items() if k.split(";")[0] == media), None)
        if chosen is None:
            return [f"content type {media or '(none)'} is not documented "
                    f"(documented: {', '.join(content)})"]
        schema = (chosen or {}).get("schema")
        if schema is None:
            return []
        cache_key = (operation_id or "", key, media)
        validator = self._validators.get(cache_key)
        if validator is None:
            from openapi_schema_validator import OAS30Validator, oas30_format_checker

            validator = self._validators[cache_key] = OAS30Validator(
                schema, format_checker=oas30_format_checker)
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
                for e in sorted(validator.iter_errors(body), key=lambda e: list(e.path))[:10]]


# --- comparing answers -----------------------------------------------------------------

def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def flatten(value: Any, prefix: str = "", out: dict[str, set[str]] | None = None,
            filled: set[str] | None = None) -> tuple[dict[str, set[str]], set[str]]:
    """Member path -> the types seen there; and the array paths that have elements."""
    out = {} if out is None else out
    filled = set() if filled is None else filled
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.setdefault(path, set()).add(MASK if sub == MASK else _type(sub))
            flatten(sub, path, out, filled)
    elif isinstance(value, list) and value:
        filled.add(prefix)
        for item in value:
            flatten(item, prefix + "[]", out, filled)
    return out, filled


def scalars(value: Any, prefix: str = "") -> dict[str, Any]:
    """Scalar members outside arrays (what --compare-values compares)."""
    found: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(sub, dict):
                found.update(scalars(sub, path))
            elif not isinstance(sub, list):
                found[path] = sub
    return found


def _under_empty_array(path: str, ours_filled: set[str], theirs_filled: set[str]) -> bool:
    """A member inside an array that is empty on either side cannot be compared."""
    index = path.find("[]")
    while index != -1:
        array = path[:index]
        if array not in ours_filled or array not in theirs_filled:
            return True
        index = path.find("[]", index + 2)
    return False


def generated(path: str, value: Any) -> bool:
    """Timestamps and generated ids (ignored when comparing values unless told otherwise)."""
    leaf = path.rsplit(".", 1)[-1]
    if ID_KEY.search(leaf) or TIMESTAMP_KEY.search(leaf):
        return True
    return isinstance(value, str) and bool(UUID.match(value) or DATE_TIME.match(value))


@dataclass
class Options:
    """How a drift run behaves (the CLI's options)."""

    against: str | None
    bases: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    apis: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    compare_values: bool = False
    default_ignores: bool = True
    skip_status: set[int] = field(default_factory=set)
    max_calls: int = 500
    rate: float = 5.0
    max_time: float = 300.0
    timeout: float = 15.0


class DriftError(Exception):
    """The run cannot be made (bad options, unreadable journal, missing credentials)."""


def _ignored(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, p + ".*")
               or fnmatch.fnmatchcase(path, p + "[[]]*") for p in patterns)


def compare(ours: Any, theirs: Any, *, error: bool, options: Options) -> list[dict[str, Any]]:
    """Member differences between two answers with the same status."""
    kind = "error-format" if error else "member"
    ours_types, ours_filled = flatten(ours)
    theirs_types, theirs_filled = flatten(theirs)
    found: list[dict[str, Any]] = []
    if _type(ours) != _type(theirs) and ours is not None and theirs is not None:
        return [{"kind": kind, "member": "(root)", "ours": _type(ours), "theirs": _type(theirs),
                 "detail": "the body has another type"}]
    for path in sorted(set(ours_types) | set(theirs_types)):
        if _ignored(path, options.ignore) or _under_empty_array(path, ours_filled, theirs_filled):
            continue
        mine, yours = ours_types.get(path), theirs_types.get(path)
        if mine is None:
            found.append({"kind": kind, "member": path, "ours": None,
                          "theirs": "/".join(sorted(yours or ())), "detail": "extra member"})
        elif yours is None:
            found.append({"kind": kind, "member": path, "ours": "/".join(sorted(mine)),
                          "theirs": None, "detail": "missing member"})
        elif MASK not in mine:
            a, b = mine - {"null"}, yours - {"null"}
            if a and b and a != b:
                found.append({"kind": "type", "member": path, "ours": "/".join(sorted(a)),
                              "theirs": "/".join(sorted(b)), "detail": "type changed"})
    if options.compare_values:
        theirs_values = scalars(theirs)
        for path, value in scalars(ours).items():
            other = theirs_values.get(path, value)
            if value == other or value == MASK or _ignored(path, options.ignore):
                continue
            if options.default_ignores and (generated(path, value) or generated(path, other)):
                continue
            found.append({"kind": "value", "member": path, "ours": value, "theirs": other,
                          "detail": "value differs"})
    return found


# --- ids the other server assigns ------------------------------------------------------

class IdMap:
    """Our ids -> the other server's, learnt from the answers to creating calls."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self.ids: dict[str, Any] = {str(k): v for k, v in (initial or {}).items()}

    def learn(self, ours: Any, theirs: Any) -> None:
        if isinstance(ours, dict) and isinstance(theirs, dict):
            for key, value in ours.items():
                if key not in theirs:
                    continue
                other = theirs[key]
                if ID_KEY.search(str(key)) and isinstance(value, str | int) \
                        and not isinstance(value, bool) and isinstance(other, str | int) \
                        and value != other:
                    self.ids[str(value)] = other
                else:
                    self.learn(value, other)
        elif isinstance(ours, list) and isinstance(theirs, list):
            for a, b in zip(ours, theirs, strict=False):
                self.learn(a, b)

    def path(self, path: str) -> str:
        return "/".join(str(self.ids.get(seg, seg)) for seg in path.split("/"))

    def query(self, query: str) -> str:
        if not query or not self.ids:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(v in self.ids for _, v in pairs):
            return query
        return urlencode([(k, str(self.ids[v]) if v in self.ids and
                           ("id" in k.lower() or UUID.match(v)) else v) for k, v in pairs])

    def body(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.body(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v, key) for v in value]
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in self.ids \
                and (ID_KEY.search(key) or (isinstance(value, str) and UUID.match(value))):
            return self.ids[str(value)]
        return value


# --- the run ---------------------------------------------------------------------------

def _masked_paths(value: Any, prefix: str = "") -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found += [path] if sub == MASK else _masked_paths(sub, path)
    elif isinstance(value, list):
        for item in value:
            found += _masked_paths(item, prefix + "[]")
    return found


def _fill_masked(value: Any, secrets: dict[str, Any], prefix: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out[key] = secrets[path] if sub == MASK and path in secrets \
                else _fill_masked(sub, secrets, path)
        return out
    if isinstance(value, list):
        return [_fill_masked(v, secrets, prefix + "[]") for v in value]
    return value


class Replayer:
    """Replays journal entries against the other server and collects the differences."""

    def __init__(self, options: Options, apis: list[ApiDefinition] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        from mock_server.apis import all_apis

        self.options = options
        self.apis = {a.name: a for a in (apis or all_apis()) if a.name != "sandbox"}
        for name in options.bases:
            if name not in self.apis:
                raise DriftError(f"--base names an unknown api '{name}'")
        self.bases = {name: httpx.URL(url) for name, url in options.bases.items()}
        if not options.against and not self.bases:
            raise DriftError("name the other server: --against BASE_URL and/or --base API=URL")
        self.against = httpx.URL(options.against) if options.against else None
        for url in (*([self.against] if self.against else []), *self.bases.values()):
            if url.scheme not in ("http", "https") or not url.host:
                raise DriftError(f"not an http(s) base URL: {url}")
        self.client = httpx.Client(timeout=options.timeout, follow_redirects=False,
                                   transport=transport)
        self.initial_ids = options.credentials.get("ids") or {}
        if not isinstance(self.initial_ids, dict):
            raise DriftError("the credentials file's ids must map our ids to theirs")
        self.id_maps: dict[str, IdMap] = {}
        self.specs: dict[str, SpecIndex] = {}
        self.clock = clock
        self.sleep = sleep

    def ids(self, entry: dict[str, Any]) -> IdMap:
        """The id map of the sandbox an entry was made in (each sandbox has its own ids)."""
        headers = {str(k).lower(): v for k, v in (entry.get("headers") or {}).items()}
        name = headers.get("x-sandbox-id") or "default"
        if name not in self.id_maps:
            self.id_maps[name] = IdMap(self.initial_ids)
        return self.id_maps[name]

    def spec(self, api: str) -> SpecIndex:
        if api not in self.specs:
            self.specs[api] = SpecIndex(self.apis[api])
        return self.specs[api]

    def target(self, api: str, path: str, query: str) -> httpx.URL:
        """The URL on the other server; never another host than a named base."""
        definition = self.apis[api]
        base = self.bases.get(api)
        rest = path
        if base is not None:
            if not definition.owns(path):
                raise DriftError(f"{path} is not under {definition.base_path}")
            rest = path[len(definition.base_path):]
        elif self.against is not None:
            base = self.against
        else:
            raise DriftError(f"no --base for {api} (and no --against)")
        if rest and not rest.startswith("/"):
            raise DriftError(f"cannot replay path {path!r}")
        prefix = str(base).rstrip("/")
        url = httpx.URL(prefix + quote(rest, safe="/:@!$&'()*+,;=-._~%")
                        + (f"?{query}" if query else ""))
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            raise DriftError(f"refusing to send {path!r} anywhere but {base}")
        return url

    def build(self, entry: dict[str, Any]) -> tuple[httpx.Request | None, str | None]:
        """The request to send for a journal entry, or why it is skipped."""
        api = entry.get("api")
        if api not in self.apis:
            return None, f"api {api!r} is not emulated here"
        if self.options.apis and api not in self.options.apis:
            return None, NOT_SELECTED
        if entry.get("dropped") or entry.get("status") is None:
            return None, "the sandbox dropped the connection (fault injected)"
        headers_in = {str(k).lower(): str(v) for k, v in (entry.get("headers") or {}).items()}
        if "x-sandbox-fault" in headers_in:
            return None, "a fault was injected by X-Sandbox-Fault"
        if entry["status"] in self.options.skip_status:
            return None, f"status {entry['status']} is skipped (--skip-status)"
        section = self.options.credentials.get(api)
        if not isinstance(section, dict):
            return None, f"no credentials for {api} in the credentials file"
        spec = self.spec(api)
        op = entry.get("operationId")
        body = entry.get("body")
        masked = _masked_paths(body)
        secrets = section.get("bodySecrets") or {}
        missing = [p for p in masked if p not in secrets]
        if missing:
            return None, (f"the journal masks body member(s) {', '.join(missing)}: give their "
                          f"values under {api}.bodySecrets in the credentials file")
        ids = self.ids(entry)
        body = ids.body(_fill_masked(body, secrets))
        content = b"" if body is None else body.encode() if isinstance(body, str) \
            else json.dumps(body, ensure_ascii=False).encode()
        keep = set(REPLAYED_HEADERS) | spec.header_params(op)
        headers = {k: v for k, v in headers_in.items()
                   if k in keep and v != MASK and k not in spec.security_headers}
        headers.update(self.options.headers)
        url = self.target(api, ids.path(entry["path"]), ids.query(entry.get("query") or ""))
        request = self.client.build_request(entry["method"], url, content=content or None,
                                            headers=headers)
        sent_auth = {h for h in headers_in if h in spec.security_headers}
        if sent_auth:
            path_and_query = request.url.raw_path.decode("latin-1")
            auth = replay_auth_for(self.apis[api])(request.method, path_and_query, content,
                                                   section)
            for name, value in auth.items():
                if name.lower() in sent_auth or name.lower() not in spec.security_headers:
                    # a call the sandbox refused with 401 gets credentials nobody accepts
                    request.headers[name] = INVALID_CREDENTIAL if entry["status"] == 401 \
                        and name.lower() in sent_auth else value
        return request, None

    def run(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Replay in order; the report (see docs/coverage-and-drift.md)."""
        started = self.clock()
        interval = 1.0 / self.options.rate if self.options.rate > 0 else 0.0
        last = None
        calls: list[dict[str, Any]] = []
        stopped = None
        sent = 0
        for index, entry in enumerate(sorted(entries, key=lambda e: e.get("id", 0)), 1):
            record: dict[str, Any] = {
                "call": index, "journalId": entry.get("id"), "api": entry.get("api"),
                "operation": entry.get("operationId") or None,
                "method": entry.get("method"), "path": entry.get("path"),
                "query": entry.get("query") or "", "ours": entry.get("status"),
                "theirs": None, "differences": []}
            calls.append(record)
            if sent >= self.options.max_calls:
                stopped = f"--max-calls {self.options.max_calls} reached"
            elif self.clock() - started >= self.options.max_time:
                stopped = f"--max-time {self.options.max_time:g} s reached"
            if stopped:
                calls.pop()
                break
            try:
                request, why = self.build(entry)
            except DriftError as exc:
                request, why = None, str(exc)
            if request is None:
                if why == NOT_SELECTED:
                    calls.pop()
                else:
                    record["skipped"] = why
                continue
            if last is not None and interval:
                wait = last + interval - self.clock()
                if wait > 0:
                    self.sleep(wait)
            last = self.clock()
            record["sent"] = str(request.url)
            sent += 1
            try:
                resp = self.client.send(request)
            except httpx.HTTPError as exc:
                record["differences"].append({"kind": "transport", "member": None,
                                              "ours": entry.get("status"),
                                              "theirs": type(exc).__name__,
                                              "detail": f"no answer: {exc}"})
                continue
            self.compare(entry, resp, record)
        differences = sum(len(c["differences"]) for c in calls)
        return {
            "against": str(self.against) if self.against else None,
            "bases": {k: str(v) for k, v in self.bases.items()},
            "calls": calls,
            "replayed": sent,
            "skipped": sum(1 for c in calls if "skipped" in c),
            "differences": differences,
            "callsWithDifferences": sum(1 for c in calls if c["differences"]),
            "stopped": stopped,
            "seconds": round(self.clock() - started, 3),
        }

    def compare(self, entry: dict[str, Any], resp: httpx.Response,
                record: dict[str, Any]) -> None:
        ours_status, theirs_status = entry["status"], resp.status_code
        record["theirs"] = theirs_status
        media = resp.headers.get("content-type", "").split(";")[0].strip()
        try:
            theirs = resp.json() if resp.content else None
        except ValueError:
            theirs = resp.text
        ours = entry.get("responseBody")
        diffs = record["differences"]
        if ours_status != theirs_status:
            same_class = ours_status // 100 == theirs_status // 100
            diffs.append({"kind": "status", "member": None, "ours": ours_status,
                          "theirs": theirs_status,
                          "detail": "same class, another status" if same_class
                          else "another status class"})
        # a call no operation matched (a 404 or 405 from routing) has no answer documented
        problems = [] if not entry.get("operationId") else self.spec(entry["api"]).validate(
            entry["operationId"], theirs_status, media, theirs)
        for problem in problems:
            diffs.append({"kind": "validity", "member": None, "ours": None, "theirs": problem,
                          "detail": "their answer breaks our spec"})
        if ours_status == theirs_status:
            diffs.extend(compare(ours, theirs, error=theirs_status >= 400,
                                 options=self.options))
            if 200 <= theirs_status < 300 and entry.get("method") in ("POST", "PUT"):
                self.ids(entry).learn(ours, theirs)

    def close(self) -> None:
        self.client.close()


# --- the journal and the command line --------------------------------------------------

def read_journal(path: Path) -> list[dict[str, Any]]:
    """A saved journal: the JSON of ``GET /_sandbox/requests`` or a list of its entries."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DriftError(f"cannot read the journal {path}: {exc}") from None
    entries = data.get("requests") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DriftError(f"{path} is not a journal (a list of entries or {{\"requests\": []}})")
    return entries


def fetch_journal(url: str, sandbox: str | None, admin_token: str | None) -> list[dict]:
    """A running sandbox's journal (at most its last 10,000 entries)."""
    headers = {"X-Sandbox-Id": sandbox} if sandbox else {}
    if admin_token:
        headers["Authorization"] = f"Bearer {admin_token}"
    try:
        resp = httpx.get(url.rstrip("/") + "/_sandbox/requests", params={"limit": 10000},
                         headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        raise DriftError(f"cannot read the journal from {url}: {exc}") from None
    if resp.status_code != 200:
        raise DriftError(f"cannot read the journal from {url}: {resp.status_code} {resp.text}")
    return resp.json()["requests"]


def read_credentials(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from mock_server.yaml_io import load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        raise DriftError(f"cannot read the credentials file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise DriftError(f"{path}: expected a mapping of api name to credentials")
    return data


def render_text(report: dict[str, Any]) -> str:
    """The differences, one a line, and a summary."""
    named = [report["against"]] if report["against"] else []
    named += [f"{api}={url}" for api, url in report["bases"].items()]
    lines = [f"Drift check against {', '.join(named)}"]
    for call in report["calls"]:
        where = f"call {call['call']} {call['method']} {call['path']}"
        if call.get("skipped"):
            lines.append(f"  {where}: skipped ({call['skipped']})")
        for d in call["differences"]:
            member = f" {d['member']}" if d.get("member") else ""
            lines.append(f"  {where} [{d['kind']}]{member}: ours {d['ours']!r}, theirs "
                         f"{d['theirs']!r} ({d['detail']})")
    lines.append(f"{report['replayed']} call(s) replayed, {report['skipped']} skipped, "
                 f"{report['differences']} difference(s) in {report['callsWithDifferences']} "
                 f"call(s)" + (f"; stopped: {report['stopped']}" if report["stopped"] else ""))
    return "\n".join(lines) + "\n"


def _pairs(values: list[str] | None, sep: str, what: str) -> dict[str, str]:
    found = {}
    for value in values or ():
        name, found_sep, rest = value.partition(sep)
        if not found_sep or not name.strip():
            raise DriftError(f"{what}: expected NAME{sep}VALUE, got {value!r}")
        found[name.strip()] = rest.strip()
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mock-server drift`` options."""
    parser.add_argument("--against", metavar="BASE_URL",
                        help="the other server; journal paths are appended to it (needed "
                             "unless every replayed API has a --base)")
    parser.add_argument("--base", action="append", metavar="API=URL",
                        help="the other server's base URL of one API, replacing our mount "
                             "path (e.g. wallet=https://test.wallet.example/api/v1)")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--url", metavar="SANDBOX_URL", help="read the journal from this sandbox")
    src.add_argument("--journal", metavar="FILE", action="append",
                     help="a saved journal (GET /_sandbox/requests); repeatable")
    parser.add_argument("--sandbox", action="append",
                        help="the sandbox whose journal --url reads (X-Sandbox-Id; default "
                             "default); repeatable: entries are merged in the order they were "
                             "made")
    parser.add_argument("--admin-token", default=None, help="the sandbox server's admin token")
    parser.add_argument("--credentials", metavar="FILE",
                        help="YAML/JSON: per api the other server's headers (and Bizzlink's "
                             "token + hmacSecret), bodySecrets, and top-level ids")
    parser.add_argument("--header", action="append", metavar="'NAME: VALUE'",
                        help="send this header with every replayed call")
    parser.add_argument("--api", action="append", metavar="NAME", help="replay only this API")
    parser.add_argument("--ignore", action="append", metavar="MEMBER",
                        help="ignore this member path (glob, e.g. 'meta.*'; repeatable)")
    parser.add_argument("--compare-values", action="store_true",
                        help="also compare scalar values (timestamps and ids ignored)")
    parser.add_argument("--no-default-ignores", action="store_true",
                        help="with --compare-values, compare timestamps and ids too")
    parser.add_argument("--skip-status", action="append", type=int, metavar="CODE",
                        help="do not replay calls the sandbox answered with this status")
    parser.add_argument("--max-calls", type=int, default=500, help="replay at most N calls")
    parser.add_argument("--rate", type=float, default=5.0,
                        help="at most this many calls per second (default 5; 0: no limit)")
    parser.add_argument("--max-time", type=float, default=300.0, help="stop after S seconds")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per call")
    parser.add_argument("-o", "--output", metavar="FILE", default="drift-report.json",
                        help="write the report as JSON here (default drift-report.json; "
                             "'-': none)")


def run_cli(args: argparse.Namespace) -> int:
    """``mock-server drift``: 0 no drift, 1 drift, 2 the run could not be made."""
    replayer = None
    try:
        if args.sandbox and not args.url:
            raise DriftError("--sandbox needs --url")
        options = Options(
            against=args.against, bases=_pairs(args.base, "=", "--base"),
            credentials=read_credentials(Path(args.credentials) if args.credentials else None),
            headers=_pairs(args.header, ":", "--header"), apis=args.api or [],
            ignore=args.ignore or [], compare_values=args.compare_values,
            default_ignores=not args.no_default_ignores, skip_status=set(args.skip_status or ()),
            max_calls=args.max_calls, rate=args.rate, max_time=args.max_time,
            timeout=args.timeout)
        entries = [e for name in args.journal for e in read_journal(Path(name))] \
            if args.journal else [e for name in args.sandbox or [None]
                                  for e in fetch_journal(args.url, name, args.admin_token)]
        replayer = Replayer(options)
        report = replayer.run(entries)
    except DriftError as exc:
        print(f"mock-server drift: {exc}", file=sys.stderr)
        return 2
    finally:
        if replayer is not None:
            replayer.close()
    sys.stdout.write(render_text(report))
    if args.output and args.output != "-":
        Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    return 1 if report["differences"] else 0
