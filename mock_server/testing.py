"""Helpers for testing against the sandbox (used by this project's own tests too)."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx

from mock_server.apis.bizzlink.signing import SIGNATURE_HEADER, sign


class BizzlinkAuth(httpx.Auth):
    """Signs each request the Bizzlink way (Bearer token + X-Bizzlink-Signature).

    ``clock`` returns unix seconds for the signature timestamp (default: now).
    """

    requires_request_body = True

    def __init__(self, token: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.secret = secret
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path_and_query = request.url.raw_path.decode("latin-1")
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers[SIGNATURE_HEADER] = sign(self.secret, request.method, path_and_query,
                                                 request.content, int(self.clock()))
        yield request
