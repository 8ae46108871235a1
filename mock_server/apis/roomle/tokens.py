"""Roomle request tokens: ``<algorithm>-<base64(AES(secret, "<timestamp>;<session>;<apiKey>"))>``.

As Roomle publishes it (docs.roomle.com, Rubens REST API, Authentication): algorithm
``01`` is AES/CBC/PKCS5Padding, ``02`` AES/ECB/PKCS5Padding; the timestamp has the
pattern ``yyyy-MM-dd'T'HH:mm:ss.SSSX``; anonymous callers put ``anonymous`` where the
session token goes; the base64 may use ``-`` and ``_`` for ``+`` and ``/``.

The sandbox's choices where the publication is silent (docs/roomle.md):

- the AES key is the secret's UTF-8 bytes, so a secret has 16, 24 or 32 bytes (this
  reproduces the published example);
- CBC (``01``) uses an all-zero IV of 16 bytes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mock_server.clock import isoformat

CBC, ECB = "01", "02"
ALGORITHMS = (CBC, ECB)
ANONYMOUS = "anonymous"
KEY_SIZES = (16, 24, 32)
ZERO_IV = bytes(16)
# yyyy-MM-dd'T'HH:mm:ss.SSSX: X is "Z" or an offset +HH, +HHMM or +HH:MM.
TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(Z|[+-]\d{2}(?::?\d{2})?)")


class TokenError(ValueError):
    """The token header cannot be read; the message says why (never the secret)."""


@dataclass(frozen=True)
class RequestToken:
    """What a decrypted request token says."""

    algorithm: str
    timestamp: datetime
    session_token: str
    api_key: str


def _key(secret: str) -> bytes:
    key = secret.encode()
    if len(key) not in KEY_SIZES:
        raise TokenError("the secret must have 16, 24 or 32 bytes")
    return key


def _mode(algorithm: str) -> modes.CBC | modes.ECB:
    if algorithm == CBC:
        return modes.CBC(ZERO_IV)
    if algorithm == ECB:
        return modes.ECB()
    raise TokenError(f"algorithm must be {CBC} (AES_CBC_PKCS5) or {ECB} (AES_ECB_PKCS5)")


@functools.lru_cache(maxsize=1024)
def _cipher(secret: str, algorithm: str) -> Cipher:
    """The AES cipher of a secret and algorithm (made once: a token is decrypted per
    request, and most requests come from a few clients; TokenError is not cached)."""
    return Cipher(algorithms.AES(_key(secret)), _mode(algorithm))


def format_timestamp(moment: datetime) -> str:
    """``2020-12-31T23:00:00.000Z`` (UTC, milliseconds): the sandbox's own timestamp
    format, which is the pattern Roomle's tokens carry."""
    return isoformat(moment)


def encrypt(secret: str, plain: str, algorithm: str = ECB) -> str:
    """The header value for ``plain`` (standard base64, as in the published example)."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(_key(secret)), _mode(algorithm)).encryptor()
    cipher = encryptor.update(data) + encryptor.finalize()
    return f"{algorithm}-{base64.b64encode(cipher).decode()}"


def make_token(secret: str, session_token: str, api_key: str, moment: datetime,
               algorithm: str = ECB) -> str:
    """A ``token`` header value for one request made at ``moment``."""
    return encrypt(secret, f"{format_timestamp(moment)};{session_token};{api_key}", algorithm)


def decrypt(secret: str, header: str) -> tuple[str, str]:
    """``(algorithm, plain text)`` of a token header value, else TokenError."""
    algorithm, dash, encoded = header.partition("-")
    if not dash or not encoded:
        raise TokenError("must be <algorithm>-<base64 of the encrypted request token>")
    _mode(algorithm)  # an unknown algorithm is refused before the base64 is read
    encoded = encoded.replace("-", "+").replace("_", "/")
    encoded += "=" * (-len(encoded) % 4)
    try:
        cipher = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise TokenError("is not valid base64 after the algorithm") from None
    if not cipher or len(cipher) % 16:
        raise TokenError("is not a whole number of AES blocks")
    decryptor = _cipher(secret, algorithm).decryptor()
    data = decryptor.update(cipher) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(data) + unpadder.finalize()
        return algorithm, plain.decode()
    except (ValueError, UnicodeDecodeError):
        raise TokenError("cannot be decrypted with the secret of this apiKey") from None


def parse_timestamp(text: str) -> datetime:
    match = TIMESTAMP.fullmatch(text)
    if match is None:
        raise TokenError("has no timestamp of the pattern yyyy-MM-dd'T'HH:mm:ss.SSSX")
    zone = match.group(2)
    if zone != "Z" and ":" not in zone and len(zone) == 5:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return datetime.fromisoformat(match.group(1) + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        raise TokenError("has a timestamp that is not a date") from None


def read_token(secret: str, header: str) -> RequestToken:
    """The decrypted and split token, else TokenError."""
    algorithm, plain = decrypt(secret, header)
    parts = plain.split(";")
    if len(parts) != 3 or not all(parts):
        raise TokenError("does not decrypt to <timestamp>;<sessionToken>;<apiKey>")
    return RequestToken(algorithm, parse_timestamp(parts[0]), parts[1], parts[2])
