"""Django REST framework's field semantics applied to the spec's request schemas.

Pigello is a Django REST framework service, so a request body is read the way
DRF's serializers read it (DRF 3.15 defaults): strings are trimmed, ``"1"`` is an
integer, ``"true"`` a boolean, ``"2"`` a choice of an integer enum; read-only and
unknown members are ignored; every problem is reported with DRF's own message in
DRF's nested shape (``{"tenant": {"id": ["..."]}}``, a list with ``{}`` per valid
item for bulk writes, ``non_field_errors`` for object-level problems).

The schema drives the field kind: ``type`` (object with ``properties`` = nested
serializer, object without = dict, array = list, string, integer, boolean, none =
any), ``nullable``, ``enum`` (choices), ``format`` (email, uuid, date, date-time, and
the sandbox's checks ``luhn`` and ``gln13``), ``maxLength`` / ``minLength`` /
``pattern``, ``minimum`` / ``maximum``, ``maxItems``, ``required``.
``x-sandbox-required-on-create`` lists members a bulk item needs when it has no
``id`` (it then creates an object).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from connexion.validators.abstract import AbstractRequestBodyValidator
from email_validator import EmailNotValidError, validate_email
from starlette.types import Receive, Scope

from mock_server.dispatch import remember_body
from mock_server.errors import BadRequest, FieldError
from mock_server.middleware import receive_body

# Read-only members of any Pigello object: ignored in input, and named as such.
READ_ONLY = frozenset({"id", "status", "username", "mfa_has_hotp", "is_company", "created_at",
                       "tags", "customer_columns", "pending_monitor_approval_amount"})

REQUIRED = "This field is required."
NULL = "This field may not be null."
BLANK = "This field may not be blank."
NOT_A_STRING = "Not a valid string."
INVALID_INT = "A valid integer is required."
INVALID_BOOL = "Must be a valid boolean."
INVALID_UUID = "Must be a valid UUID."
INVALID_EMAIL = "Enter a valid email address."
NO_MATCH = "This value does not match the required pattern."
NULL_CHAR = "Null characters are not allowed."
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
DATETIME_FORMAT = ("Datetime has wrong format. Use one of these formats instead: "
                   "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
DATETIME_OVERFLOW = "Datetime value out of range."  # DRF's, when UTC cannot hold it
# The sandbox's own wording: the provider documents the formats, not their errors.
NOT_LUHN = "Enter a valid number: the Luhn check digit does not match."
NOT_GLN = "Enter a valid GLN: 13 digits with a valid GS1 check digit."

TRUE = frozenset({"t", "y", "yes", "true", "on", "1"})
FALSE = frozenset({"f", "n", "no", "false", "off", "0"})
DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
DECIMAL_TAIL = re.compile(r"\.0*\s*$")


class DRFValidationError(BadRequest):
    """A 400 whose body is already in DRF's shape (a dict, or a list for bulk writes)."""

    def __init__(self, body: dict | list) -> None:
        super().__init__("Invalid input.")
        self.body = body


@dataclass
class Reading:
    """What reading a body found besides its value: members ignored, by dotted path."""

    ignored: list[tuple[str, bool]] = field(default_factory=list)

    def ignore(self, path: str, read_only: bool) -> None:
        self.ignored.append((path, read_only))


def type_name(value: Any) -> str:
    """Python's name for a JSON value's type, as DRF's messages print it."""
    return type(value).__name__


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def luhn_number_ok(text: str) -> bool:
    """A Swedish personal / coordination / organisation number: digits with at most one
    ``-`` or ``+`` separator; the Luhn check runs over the last ten digits."""
    digits = re.sub(r"[-+]", "", text, count=1)
    return digits.isdigit() and len(digits) in (10, 12) and luhn_ok(digits[-10:])


def gln_ok(text: str) -> bool:
    """A GS1 GLN-13: 13 digits whose last is the GS1 check digit."""
    if not (text.isdigit() and len(text) == 13):
        return False
    body = [int(c) for c in text[:12]]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return check == int(text[12])


def _email_ok(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _string(schema: dict, value: Any) -> tuple[Any, list[str] | None]:
    """CharField (and its Email/Regex/Date/DateTime/UUID relatives)."""
    fmt = schema.get("format")
    if fmt == "uuid":
        try:
            if isinstance(value, bool):
                raise ValueError
            parsed = uuid.UUID(int=value) if isinstance(value, int) else uuid.UUID(hex=value)
        except (ValueError, TypeError, AttributeError):
            return None, [INVALID_UUID]
        return str(parsed), None
    if fmt == "date":
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            return None, [DATE_FORMAT]
        try:
            y, m, d = (int(p) for p in value.split("-"))
            return date(y, m, d).isoformat(), None
        except ValueError:
            return None, [DATE_FORMAT]
    if fmt == "date-time":
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            return None, [DATETIME_FORMAT]
        try:
            return render_datetime(moment), None
        except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
            return None, [DATETIME_OVERFLOW]
    if "enum" in schema:
        choices = {str(c): c for c in schema["enum"] if c is not None}
        if str(value) in choices and not isinstance(value, (list, dict)):
            return choices[str(value)], None
        return None, [f'"{value}" is not a valid choice.']
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, [NOT_A_STRING]
    text = str(value).strip()
    if text == "":
        return (None, [BLANK]) if schema.get("minLength") else ("", None)
    errors: list[str] = []
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, text):
        errors.append(NO_MATCH)
    if "maxLength" in schema and len(text) > schema["maxLength"]:
        errors.append(f"Ensure this field has no more than {schema['maxLength']} characters.")
    if "minLength" in schema and len(text) < schema["minLength"]:
        errors.append(f"Ensure this field has at least {schema['minLength']} characters.")
    if "\x00" in text:
        errors.append(NULL_CHAR)
    surrogate = next((c for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)
    if surrogate is not None:
        errors.append(f"Surrogate characters are not allowed: U+{ord(surrogate):X}.")
    if fmt == "email" and not errors and not _email_ok(text):
        errors.append(INVALID_EMAIL)
    if fmt == "luhn" and not errors and not luhn_number_ok(text):
        errors.append(NOT_LUHN)
    if fmt == "gln13" and not errors and not gln_ok(text):
        errors.append(NOT_GLN)
    return (None, errors) if errors else (text, None)


def _integer(schema: dict, value: Any) -> tuple[Any, list[str] | None]:
    """ChoiceField for an integer enum (``"2"`` is choice 2), else IntegerField."""
    if "enum" in schema:
        choices = {str(c): c for c in schema["enum"] if c is not None}
        if not isinstance(value, (list, dict)) and str(value) in choices:
            return choices[str(value)], None
        return None, [f'"{value}" is not a valid choice.']
    if isinstance(value, str) and len(value) > 1000:
        return None, ["String value too large."]
    if isinstance(value, (list, dict)):
        return None, [INVALID_INT]
    try:
        number = int(DECIMAL_TAIL.sub("", str(value)))
    except (ValueError, TypeError):
        return None, [INVALID_INT]
    errors = []
    if "maximum" in schema and number > schema["maximum"]:
        errors.append(f"Ensure this value is less than or equal to {schema['maximum']}.")
    if "minimum" in schema and number < schema["minimum"]:
        errors.append(f"Ensure this value is greater than or equal to {schema['minimum']}.")
    return (None, errors) if errors else (number, None)


def _boolean(schema: dict, value: Any) -> tuple[Any, list[str] | None]:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str):
        low = value.lower()
        if low in TRUE:
            return True, None
        if low in FALSE:
            return False, None
        if low in ("null", "") and schema.get("nullable"):
            return None, None
    return None, [INVALID_BOOL]


def _array(schema: dict, value: Any, path: str, reading: Reading,
           partial: bool) -> tuple[Any, Any]:
    if not isinstance(value, list):
        return None, [f'Expected a list of items but got type "{type_name(value)}".']
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return None, [f"Ensure this field has no more than {schema['maxItems']} elements."]
    out, errors = [], {}
    for i, item in enumerate(value):
        v, e = read_field(schema.get("items", {}), item, _join(path, i), reading, partial)
        if e is not None:
            errors[str(i)] = e
        out.append(v)
    return (None, errors) if errors else (out, None)


def read_object(schema: dict, data: Any, path: str, reading: Reading,
                partial: bool) -> tuple[Any, Any]:
    """A nested serializer: members by the schema, unknown and read-only ones ignored."""
    if not isinstance(data, dict):
        return None, {"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type_name(data)}."]}
    props: dict = schema.get("properties", {})
    required = list(schema.get("required", []))
    if not partial and "id" not in data:
        required += schema.get("x-sandbox-required-on-create", [])
    out: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, value in data.items():
        if name not in props:
            reading.ignore(_join(path, name), name in READ_ONLY)
            continue
        v, e = read_field(props[name], value, _join(path, name), reading, partial)
        if e is not None:
            errors[name] = e
        else:
            out[name] = v
    if not partial:
        for name in required:
            if name not in data:
                errors[name] = [REQUIRED]
    if errors:
        order = {n: i for i, n in enumerate(props)}
        return None, dict(sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order))))
    return out, None


MAX_DEPTH = 32


def free_form_problem(value: Any) -> str | None:
    """What the sandbox refuses in a member it stores as sent (a JSON object): nesting
    deeper than ``MAX_DEPTH`` and lone surrogates (neither can be stored and answered
    as UTF-8 JSON). None if it is fine."""
    todo = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH and isinstance(node, (dict, list)):  # levels are containers
            return f"Nested too deeply: at most {MAX_DEPTH} levels."
        if isinstance(node, dict):
            todo.extend((k, depth) for k in node)
            todo.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            todo.extend((v, depth + 1) for v in node)
        elif isinstance(node, str):
            bad = next((c for c in node if 0xD800 <= ord(c) <= 0xDFFF), None)
            if bad is not None:
                return f"Surrogate characters are not allowed: U+{ord(bad):X}."
    return None


def read_field(schema: dict, value: Any, path: str, reading: Reading,
               partial: bool) -> tuple[Any, Any]:
    """One member: (value, None) or (None, its errors in DRF's shape)."""
    if value is None:
        return (None, None) if schema.get("nullable") else (None, [NULL])
    kind = schema.get("type")
    if kind == "object":
        if "properties" in schema:
            # A nested object (a reference) is always read whole: PATCH is partial at
            # the top level only (the sandbox's choice; a reference without id is void).
            return read_object(schema, value, path, reading, False)
        if not isinstance(value, dict):
            return None, [f'Expected a dictionary of items but got type "{type_name(value)}".']
        problem = free_form_problem(value)
        return (None, [problem]) if problem else (value, None)
    if kind == "array":
        return _array(schema, value, path, reading, partial)
    if kind == "string":
        return _string(schema, value)
    if kind == "integer":
        return _integer(schema, value)
    if kind == "boolean":
        return _boolean(schema, value)
    return value, None


def read_body(schema: dict, data: Any, partial: bool) -> tuple[Any, Reading]:
    """A whole request body (an object, or a list for bulk writes), coerced.

    Raises :class:`DRFValidationError` with DRF's error body.
    """
    reading = Reading()
    if data is None:
        # DRF's Serializer.errors for data=None (a JSON null body): its own wording.
        raise DRFValidationError({"non_field_errors": ["No data provided"]})
    if schema.get("type") == "array":
        if not isinstance(data, list):
            raise DRFValidationError({"non_field_errors": [
                f'Expected a list of items but got type "{type_name(data)}".']})
        if "maxItems" in schema and len(data) > schema["maxItems"]:
            raise DRFValidationError({"non_field_errors": [
                f"Ensure this field has no more than {schema['maxItems']} elements."]})
        out, errors, bad = [], [], False
        for i, item in enumerate(data):
            v, e = read_object(schema.get("items", {}), item, f"[{i}]", reading, partial)
            errors.append(e or {})
            bad = bad or e is not None
            out.append(v)
        if bad:
            raise DRFValidationError(errors)
        return out, reading
    value, errors = read_object(schema, data, "", reading, partial)
    if errors is not None:
        raise DRFValidationError(errors)
    return value, reading


def parse_datetime(value: str) -> datetime | None:
    """Django's parse_datetime (ISO 8601; a date alone is midnight), naive = UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def render_datetime(value: datetime) -> str:
    """DRF's output: ISO 8601 in UTC, ``Z`` for +00:00."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


SCOPE_IGNORED = "mock_server.pigello.ignored"


def _strict_constant(value: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


def parse_json(raw: bytes, encoding: str) -> Any:
    """DRF's JSONParser: an empty body is ``{}``; errors are ``JSON parse error - ...``."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw.decode(encoding or "utf-8"), parse_constant=_strict_constant)
    except (ValueError, LookupError) as exc:
        raise BadRequest(f"JSON parse error - {exc}") from None
    except RecursionError:
        raise BadRequest("JSON parse error - maximum recursion depth exceeded") from None


class DRFBodyValidator(AbstractRequestBodyValidator):
    """Connexion body validator reading JSON bodies as DRF does; passes the coerced body
    on, and the members it ignored in the scope (``SCOPE_IGNORED``)."""

    MUTABLE_VALIDATION = True

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        data = parse_json(await receive_body(receive), self._encoding)
        value, reading = read_body(self._schema, data, partial=scope.get("method") == "PATCH")
        receive, scope = self._insert_body(receive, body=value, scope=scope)
        # A body sent without Content-Type is read as JSON (the operation's only type),
        # so the handler gets the JSON it was validated as, not bytes.
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
        scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
        if reading.ignored:
            scope = {**scope, SCOPE_IGNORED: reading.ignored}
        remember_body(scope, value)
        return receive, scope

    def _validate(self, body: Any) -> dict | None:
        return None


def warning(ignored: list[tuple[str, bool]], limit: int = 20) -> str:
    """The ``X-Sandbox-Warning`` value naming ignored members (ASCII, one line)."""
    parts = []
    for path, read_only in ignored[:limit]:
        name = json.dumps(path, ensure_ascii=True)[1:-1]
        parts.append(f"ignored {'read-only' if read_only else 'unknown'} field '{name}'")
    if len(ignored) > limit:
        parts.append(f"and {len(ignored) - limit} more")
    return "; ".join(parts)


def nest(errors: list[FieldError], items: int | None = None) -> dict | list:
    """FieldErrors (JSON pointers) as DRF's nested error body; ``items`` given: a bulk
    write's list with ``{}`` for each item without errors."""
    root: Any = [{} for _ in range(items)] if items is not None else {}
    for fe in errors:
        parts = [p.replace("~1", "/").replace("~0", "~")
                 for p in (fe.pointer or "").strip("/").split("/") if p]
        if fe.parameter:
            parts = [fe.parameter]
        node = root
        if items is not None:
            if not parts or not parts[0].isdigit() or int(parts[0]) >= items:
                continue
            node = root[int(parts.pop(0))]
        parts = parts or ["non_field_errors"]
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                break
            node = nxt
        else:
            slot = node.setdefault(parts[-1], [])
            if isinstance(slot, list):
                slot.append(fe.detail)
    return root
