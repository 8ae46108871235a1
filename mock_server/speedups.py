"""Connexion's AsyncApp, without work it repeats on every request.

Connexion 3 rebuilds an operation's whole decorator chain (parameter and
response decorators, signature inspection, the URI parser with its body
definition) on every request. All of it depends only on the operation, so
here it is built once per operation and reused. Behaviour is unchanged; the
test suite runs against this app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import operation, receive, scope
from connexion.decorators.main import StarletteDecorator


class _OnceStarletteDecorator(StarletteDecorator):
    """Decorates the handler once; builds the URI parser once per operation."""

    def __call__(self, function: Callable) -> Callable:
        decorated = self.decorate(function)
        parsers: dict[int, Any] = {}

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            op = operation._get_current_object()
            parser = parsers.get(id(op))
            if parser is None:
                parser = parsers[id(op)] = self.uri_parser
            request = self.framework.get_request(uri_parser=parser, scope=scope,
                                                 receive=receive)
            return await decorated(request)

        return wrapper


class _OnceAsyncOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable:
        return _OnceStarletteDecorator(pythonic_params=self.pythonic_params,
                                       jsonifier=self.jsonifier)(self._fn)


class OnceAsyncApi(AsyncApi):
    def make_operation(self, op: Any) -> AsyncOperation:
        return _OnceAsyncOperation.from_operation(op, pythonic_params=self.pythonic_params,
                                                  jsonifier=self.jsonifier)


def speed_up(app: Any) -> None:
    """Make an AsyncApp build its operations with the once-only decorator chain."""
    app._middleware_app.api_cls = OnceAsyncApi
