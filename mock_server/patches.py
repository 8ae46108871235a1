"""Every change the sandbox makes to third-party code or to the interpreter, in one
place, applied only by ``mock-server serve`` (:func:`apply`), never at import, never
by ``create_app()`` and never by the pytest plugin. Each is a speed-up that changes
no behaviour (the test suite passes with and without them; tests/test_plugin_guest.py
applies them and fails when a patched symbol is gone or has moved).

Written against: Faker 25-38 (``faker.factory.list_module``), email-validator 2.x
(``email_validator.validate_email.validate_email_domain_name``).
"""

from __future__ import annotations

import functools
import gc
import importlib
from typing import Any

_applied = False
_originals: dict[str, Any] = {}


def _faker_listing() -> None:
    # Faker scans each provider package's directory once per locale when an instance
    # is made (a sandbox's Faker has six locales): the listings never change while
    # running, so each is made once (a Faker is made ~3x faster).
    import faker.factory

    _originals["faker.factory.list_module"] = faker.factory.list_module
    faker.factory.list_module = functools.cache(faker.factory.list_module)


def _email_domains() -> None:
    # email-validator spends two thirds of its time on the domain (IDNA checks per
    # character), and the addresses a client sends share a few domains: the domain
    # check, a pure function, is remembered (what it returns is copied: it is a dict).
    # The name is validate_email's import from email_validator.syntax (not a re-export the
    # package declares): validate_email looks it up in its module namespace on every call,
    # so that namespace is where it is replaced.
    namespace = vars(importlib.import_module("email_validator.validate_email"))
    original = namespace["validate_email_domain_name"]
    check = functools.lru_cache(maxsize=1024)(original)
    _originals["email_validator.validate_email.validate_email_domain_name"] = original
    namespace["validate_email_domain_name"] = \
        lambda *args, **kwargs: dict(check(*args, **kwargs))


PATCHES = (_faker_listing, _email_domains)


def apply() -> None:
    """Apply every patch, and the serving GC policy, once per process."""
    global _applied
    if _applied:
        return
    for patch in PATCHES:
        patch()
    from mock_server.runtime import FreezeSurvivors

    FreezeSurvivors.install()
    _applied = True


def tune_after_load() -> None:
    """The loaded world lives as long as the server: keep the garbage collector from
    walking it again and again, and give freed heap back to the OS (serving only).

    The collections during the load froze what survived them, garbage of the load
    included (generation's scratch world is cyclic): the heap is thawed first, so
    that this full collection frees that garbage before the survivors are frozen."""
    import ctypes

    from mock_server.runtime import FreezeSurvivors

    FreezeSurvivors.thaw()
    gc.collect()
    gc.freeze()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def applied() -> bool:
    return _applied
