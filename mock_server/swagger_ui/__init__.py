"""The sandbox's Swagger UI: Connexion's page plus a small panel of ours.

Connexion serves Swagger UI from one directory that is both its Jinja template
directory and its static files (``swagger_ui_bundle``'s distribution). Here each
API's UI keeps those files and gets two things of ours on top:

- ``templates/index.j2``: the page, the bundle's own ``index.j2`` plus our script
  and Swagger UI's ``requestInterceptor`` (a function, so it cannot travel in
  ``swagger_ui_config``, which is JSON);
- ``static/``: our scripts, served at ``<base>/ui/sandbox/``: ``sandbox-ui.js``
  (the panel: the ``X-Sandbox-Id`` to act on, and the fields of the API's
  request signer) and one signer per API that needs one (``bizzlink.js``,
  ``roomle.js``).

Which signer an API's page loads is :data:`SIGNERS`; the page learns its API's
name and scripts through Connexion's ``swagger_ui_template_arguments``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIAPI
from connexion.options import SwaggerUIOptions
from connexion.spec import Specification
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from mock_server.speedups import DirectSwaggerUIMiddleware

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_MOUNT = "/sandbox"

SIGNERS: dict[str, str] = {
    "bizzlink": "bizzlink.js",
    "roomle": "roomle.js",
}
"""API name -> its signer script in static/ (one that calls tenantSandbox.registerSigner)."""


def swagger_ui_options(api_name: str) -> SwaggerUIOptions:
    """The Swagger UI options of one API's page: which API it is and its signer."""
    scripts = [SIGNERS[api_name]] if api_name in SIGNERS else []
    return SwaggerUIOptions(
        swagger_ui=True,
        swagger_ui_template_arguments={"sandbox_api": api_name, "sandbox_scripts": scripts},
    )


class _SandboxSwaggerUIAPI(SwaggerUIAPI):
    """Connexion's Swagger UI of one API, rendered from our template, with our
    static files mounted before the bundle's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._templates = Jinja2Templates(directory=str(TEMPLATE_DIR))

    def add_swagger_ui(self) -> None:
        ui_path = self.options.swagger_ui_path.strip().rstrip("/")
        self.router.mount(ui_path + STATIC_MOUNT, app=StaticFiles(directory=str(STATIC_DIR)),
                          name="sandbox_ui_static")
        super().add_swagger_ui()


class SandboxSwaggerUIMiddleware(DirectSwaggerUIMiddleware):
    """:class:`DirectSwaggerUIMiddleware` whose pages are the sandbox's (see module)."""

    def add_api(self, specification: Specification, base_path: str | None = None,
                arguments: dict | None = None, **kwargs: Any) -> None:
        api = _SandboxSwaggerUIAPI(specification, base_path=base_path, arguments=arguments,
                                   default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)
