"""Connexion's security handlers, minus their per-request cost.

Connexion inspects the signature of the security function on every request
(``_accepts_kwarg`` -> ``inspect.signature``), about a tenth of a request's CPU
time. The answer never changes for a function, so it is cached here.
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.security import SECURITY_HANDLERS


def _cached(handler: type[Any]) -> type:
    base = handler._accepts_kwarg

    @functools.cache
    def accepts_kwarg(func: Any, keyword: str) -> bool:
        return base(func, keyword)

    return type(handler.__name__, (handler,), {"_accepts_kwarg": staticmethod(accepts_kwarg)})


SECURITY_MAP: dict[str, type] = {name: _cached(h) for name, h in SECURITY_HANDLERS.items()}
