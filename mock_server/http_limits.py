"""Requests are bounded before they cost memory: the HTTP protocol ``serve`` runs.

uvicorn's httptools protocol, with two limits it does not have:

- the request line and headers together may take at most ``max_header_bytes``
  (past that: ``431 Request Header Fields Too Large``, in the format of the API the
  path belongs to, and the connection is closed);
- they must arrive within ``header_timeout`` seconds of the connection opening (or of
  the first byte of a following request): a client that sends them slowly is cut
  off with ``408 Request Timeout``, so that a few hundred slow sockets cannot pin
  the server.

A request the HTTP parser cannot read at all gets uvicorn's plain-text 400 from
uvicorn itself; here it is answered in the API's format where the path is known.

And one change of pace: while other requests are being served, a response's writes
wait for the end of the event loop's turn and leave together (``_BatchingTransport``).
Under load the server then answers the requests that are ready before it hands the
client any bytes, in fewer system calls; with one client it writes at once, as before.

Written against uvicorn 0.3x-0.5x (``uvicorn.protocols.http.httptools_impl
.HttpToolsProtocol``: ``connection_made``, ``data_received``, ``on_message_begin``,
``on_headers_complete``, ``send_400_response``, ``transport``, ``loop``,
``server_state.tasks``); tests/reliability/test_slow_clients.py and
test_response_writes.py fail when those stop being called or change.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.errors import ApiError, status_phrase

DEFAULT_MAX_HEADER_BYTES = 32 * 1024
DEFAULT_HEADER_TIMEOUT = 10.0


def _error_bytes(runtime: Any, start: bytes, status: int, detail: str) -> bytes:
    """A complete HTTP response with the error in the format of the API whose path the
    request line (``start``, the first bytes of the request) names."""
    parts = start.split(b" ", 2)
    path = parts[1].split(b"?", 1)[0].decode("latin-1") if len(parts) > 1 else "/"
    resp = runtime.api_for(path).error_response(ApiError(detail, status=status))
    body = resp.encode()
    head = [f"HTTP/1.1 {status} {status_phrase(status)}", f"content-type: {resp.content_type}",
            f"content-length: {len(body)}", "connection: close"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _BatchingTransport:
    """The transport a connection's protocol writes through. While other requests are
    being served, a response's writes wait for the end of the event loop's turn and
    leave together, after the other ready requests have run; with nothing else to do,
    they leave at once."""

    __slots__ = ("_transport", "_loop", "_tasks", "_pending")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop,
                 tasks: set) -> None:
        self._transport = transport
        self._loop = loop
        self._tasks = tasks
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if self._pending:
            self._pending.append(data)
        elif len(self._tasks) > 1:
            self._pending.append(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def limited_protocol(runtime: Any, max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
                     header_timeout: float = DEFAULT_HEADER_TIMEOUT) -> type:
    """uvicorn's httptools protocol with the two limits, for ``uvicorn.Config(http=...)``."""

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            batching = _BatchingTransport(transport, self.loop, self.server_state.tasks)
            super().connection_made(batching)  # type: ignore[arg-type]
            self._header_timer: asyncio.TimerHandle | None = None
            self._requests = 0  # requests begun on this connection
            self._begin()

        def _begin(self) -> None:
            self._requests += 1
            self._in_headers = True
            self._header_bytes = 0
            self._start = b""
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def on_message_begin(self) -> None:
            if not self._in_headers:  # a following request on a kept-alive connection
                self._begin()
            super().on_message_begin()

        def data_received(self, data: bytes) -> None:
            if not self._in_headers:
                super().data_received(data)
                return
            if len(self._start) < 2048:
                self._start += data[:2048]
            room = max_header_bytes - self._header_bytes
            if len(data) <= room:
                self._header_bytes += len(data)
                super().data_received(data)
                return
            # One read can hold the end of the headers and the start of the body (or of
            # a pipelined request): only the bytes before the headers end count. Feed
            # the parser what still fits; if the headers did not end there, they are
            # too large, and otherwise the rest is read as usual.
            self._header_bytes += room
            request = self._requests
            if room:
                super().data_received(data[:room])
            if self.transport.is_closing():
                return
            if self._in_headers and self._requests == request:
                self._refuse(431, "Request header fields are larger than "
                                  f"{max_header_bytes} bytes")
                return
            self.data_received(data[room:])

        def on_headers_complete(self) -> None:
            self._in_headers = False
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            self._refuse(400, "The request could not be read as HTTP/1.1")

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self._in_headers and not self.transport.is_closing():
                if self._header_bytes:
                    self._refuse(408, f"The request headers did not arrive within "
                                      f"{header_timeout:g} s")
                else:
                    self.transport.close()

        def _refuse(self, status: int, detail: str) -> None:
            self._in_headers = False
            if self.transport.is_closing():
                return
            self.transport.write(_error_bytes(runtime, self._start, status, detail))
            self.transport.close()

    return LimitedHttpToolsProtocol
