"""Contract fuzzing with schemathesis: every operation of every spec, on a running sandbox.

Budget: at most ``MAX_EXAMPLES`` generated cases per operation (positive and
negative data), derandomized (a fixed seed: CI runs are reproducible), each
operation in a sandbox of its own so that control-plane cases (faults, clock,
fixtures) cannot leak into other operations. Checks: never a 5xx, status
code declared, content type declared, body and headers match the spec (the
specs declare each API's error schema for every error status, so a 4xx in
the wrong format fails too).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as oa

from mock_server.apis import all_apis
from mock_server.app import create_app
from mock_server.config import SPEC_DIR, Config
from mock_server.serving import BackgroundServer
from mock_server.testing import BizzlinkRequestsAuth, roomle_auth

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "50"))
CHECKS = [schemathesis.checks.not_a_server_error, oa.status_code_conformance,
          oa.content_type_conformance, oa.response_schema_conformance,
          oa.response_headers_conformance]
# The most privileged seeded principal per API: fuzzing should reach the handlers.
ROLE = {"bizzlink": ("partner", {"subscriptions": ["SEATS", "FLOW"]}),
        "wallet": ("platform_admin", {}), "roomle": ("super_admin", {}),
        "pigello": ("client", {})}


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app(Config())) as srv:
        yield srv


def _session(server: Any, api: str, sandbox: str) -> requests.Session:
    session = requests.Session()
    session.headers["X-Sandbox-Id"] = sandbox
    if api not in ROLE:
        return session
    creds = requests.get(f"{server.url}/_sandbox/credentials",
                         headers={"X-Sandbox-Id": sandbox}, timeout=10).json()
    role, match = ROLE[api]
    principal = next(p for p in creds.get(api, []) if p["role"] == role
                     and all(p.get(k) == v for k, v in match.items()))
    if api == "bizzlink":
        token = principal["headers"]["Authorization"].removeprefix("Bearer ")
        session.auth = BizzlinkRequestsAuth(token, principal["hmacSecret"])
    elif api == "roomle":
        # A fresh request token per case; currentTenant and language are left to the
        # generated cases (they are declared parameters).
        session.auth = roomle_auth(principal, requests_library=True, current_tenant=None,
                                   language=None)
    else:
        session.headers.update(principal["headers"])
    return session


def _contract_test(api_name: str, spec: str, base_path: str):
    schema = schemathesis.openapi.from_path(SPEC_DIR / spec)
    schema.config.generation.update(modes=list(GenerationMode), with_security_parameters=False)

    @schema.parametrize()
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def test(case: Any, server: Any) -> None:
        sandbox = f"contract-{api_name}-{case.operation.method}-{case.operation.path}"
        sandbox = "".join(c if c.isalnum() or c in "._-" else "-" for c in sandbox)[:120]
        session = _session(server, api_name, sandbox)
        response = case.call(base_url=f"{server.url}{base_path}", session=session, timeout=10)
        case.validate_response(response, checks=CHECKS)

    test.__name__ = f"test_contract_{api_name}"
    return test


for _api in all_apis():
    globals()[f"test_contract_{_api.name}"] = _contract_test(_api.name, _api.spec,
                                                              _api.base_path)
