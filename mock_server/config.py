"""Server configuration, shared by the CLI, the app factory and the pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    """A data folder: bundled inside the wheel, or at the repository root in a checkout."""
    bundled = PACKAGE_DIR / "_bundled" / name
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / name


SPEC_DIR = _data_dir("openapi")
FIXTURES_DIR = _data_dir("fixtures")
DEFAULT_FIXTURES = FIXTURES_DIR / "default.yaml"


@dataclass
class Config:
    """How one sandbox server behaves.

    - ``fixtures``: the fixture file every sandbox is built from.
    - ``seed``: seeds Faker and id generation in every sandbox; None uses the
      fixture file's ``seed`` (reproducible worlds).
    - ``signature_tolerance``: seconds a Bizzlink signature timestamp may be off.
    - ``validate_responses``: check every response against its spec (slow; on in tests).
    - ``max_sandboxes``: sandboxes kept in memory; the least recently used is dropped.
    - ``max_body_bytes``: larger request bodies are refused with 413 before being read.
    - ``journal_size``: requests kept per sandbox in the journal (oldest dropped).
    - ``generate``: records to generate per API at start-up, e.g. ``{"bizzlink": 1000}``.
    - ``load_in_background``: answer health at once and build the world behind it
      (the server sets this; until loaded, API calls get 503).
    - ``state_file``: keep all sandboxes in this file across restarts (see persistence.py).
    - ``tune_process``: the serving process (``mock-server serve``) tunes the
      interpreter: GC freezing after load, malloc_trim, the patches in patches.py.
      Off for ``create_app()`` in tests and the pytest plugin.
    - ``admin_token``: when set, every /_sandbox call but health needs
      ``Authorization: Bearer <admin_token>``.
    - ``roomle_plain_tokens``: the sandbox's own convenience, not what Roomle does:
      Roomle's ``token`` header may also carry a session token (or ``anonymous``)
      unencrypted. Off by default.
    """

    fixtures: Path = field(default_factory=lambda: DEFAULT_FIXTURES)
    seed: int | None = None
    signature_tolerance: int = 300
    validate_responses: bool = False
    max_sandboxes: int = 256
    max_body_bytes: int = 1_048_576
    journal_size: int = 1000
    admin_token: str | None = None
    state_file: Path | None = None
    generate: dict[str, int] = field(default_factory=dict)
    load_in_background: bool = False
    state_save_interval: float = 1.0
    tune_process: bool = False
    roomle_plain_tokens: bool = False
