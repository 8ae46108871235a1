"""Small helpers shared by the Bizzlink tenants and legal entities."""

from __future__ import annotations

import re
import unicodedata

from mock_server.sandbox import Sandbox


def timestamp(sandbox: Sandbox) -> str:
    """ISO-8601 UTC to the second, as the provider's examples show (2026-01-01T00:00:00Z)."""
    return sandbox.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def code_base(name: str, fallback: str) -> str:
    """``Kunde GmbH`` -> ``KUNDE-GMBH``: ASCII-folded, upper-cased, at most 56 characters."""
    ascii_name = (unicodedata.normalize("NFKD", name.replace("ß", "ss"))
                  .encode("ascii", "ignore").decode())
    return re.sub(r"[^A-Z0-9]+", "-", ascii_name.upper()).strip("-")[:56] or fallback
