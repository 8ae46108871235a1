"""The emulated APIs, each in its own package, and the control plane.

Every sub-package of ``mock_server.apis`` that defines ``API`` (an
:class:`ApiDefinition`) is mounted; the control plane comes last because it
also owns every path no API claims. Adding an API needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

from mock_server.apis.base import ApiDefinition


def all_apis() -> list[ApiDefinition]:
    from mock_server.control import CONTROL_API

    apis = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.ispkg:
            module = importlib.import_module(f"{__name__}.{info.name}")
            api = getattr(module, "API", None)
            if isinstance(api, ApiDefinition):
                apis.append(api)
    return [*apis, CONTROL_API]
