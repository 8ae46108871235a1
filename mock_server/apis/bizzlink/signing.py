"""The Bizzlink request signature: ``X-Bizzlink-Signature: t=<unix-seconds>,v1=<hex>``.

``v1`` is the lowercase hex HMAC-SHA256, keyed with the caller's HMAC secret, of
``{t}.{METHOD}.{path-and-query}.{sha256-hex(raw body)}``. The path and query are
signed exactly as sent on the wire; the body hash is over the raw bytes (for an
empty body, the SHA-256 of the empty string).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Bizzlink-Signature"
_HEADER = re.compile(r"t=(?P<t>\d{1,12}),v1=(?P<v1>[0-9a-fA-F]{64})")


def signing_string(timestamp: int, method: str, path_and_query: str, body: bytes) -> bytes:
    body_hash = hashlib.sha256(body).hexdigest()
    return f"{timestamp}.{method.upper()}.{path_and_query}.{body_hash}".encode()


def compute_signature(secret: str, timestamp: int, method: str, path_and_query: str,
                      body: bytes = b"") -> str:
    """The hex ``v1`` value."""
    message = signing_string(timestamp, method, path_and_query, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, method: str, path_and_query: str, body: bytes = b"",
         timestamp: int | None = None) -> str:
    """A complete ``X-Bizzlink-Signature`` header value (timestamp now unless given)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},v1={compute_signature(secret, ts, method, path_and_query, body)}"


def parse_signature(value: str) -> tuple[int, str] | None:
    """``(timestamp, v1)`` from a header value, or None when it is malformed."""
    match = _HEADER.fullmatch(value.strip())
    if match is None:
        return None
    return int(match["t"]), match["v1"].lower()


def verify(secret: str, header_value: str, method: str, path_and_query: str,
           body: bytes) -> bool:
    parsed = parse_signature(header_value)
    if parsed is None:
        return False
    ts, v1 = parsed
    return hmac.compare_digest(compute_signature(secret, ts, method, path_and_query, body), v1)
