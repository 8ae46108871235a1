"""A response's writes, against ``mock-server serve`` and on the protocol's transport:
while other requests are being served, a response's writes leave together at the end
of the event loop's turn; with nothing else to do, at once. Either way every response
arrives whole, HEAD and ``Expect: 100-continue`` included."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from mock_server.http_limits import _BatchingTransport
from mock_server.serving import ServerProcess

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


class Recorder:
    """The part of an asyncio transport the batching transport writes to."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def test_with_one_request_in_progress_each_write_leaves_at_once():
    async def scenario():
        raw = Recorder()
        transport = _BatchingTransport(raw, asyncio.get_running_loop(), {"this request"})
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\n"]
        transport.write(b"body")
        assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\n", b"body"]
    asyncio.run(scenario())


def test_with_others_in_progress_the_writes_of_a_turn_leave_as_one():
    async def scenario():
        raw = Recorder()
        transport = _BatchingTransport(raw, asyncio.get_running_loop(), {"this", "other"})
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert raw.writes == []
        await asyncio.sleep(0)
        assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        transport.write(b"next")
        await asyncio.sleep(0)
        assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]
    asyncio.run(scenario())


def test_closing_sends_what_waits_first_and_a_closed_transport_gets_nothing():
    async def scenario():
        loop = asyncio.get_running_loop()
        raw = Recorder()
        transport = _BatchingTransport(raw, loop, {"this", "other"})
        transport.write(b"answer")
        transport.close()
        assert raw.writes == [b"answer"] and raw.closed
        lost = Recorder()
        transport = _BatchingTransport(lost, loop, {"this", "other"})
        transport.write(b"answer")
        lost.closed = True  # the peer went away before the turn ended
        await asyncio.sleep(0)
        assert lost.writes == []
    asyncio.run(scenario())


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as srv:
        yield srv


def _busy(server, stop: threading.Event, statuses: list[int]) -> None:
    with httpx.Client(base_url=server.url, headers=WALLET) as client:
        while not stop.is_set():
            statuses.append(client.get("/api/v1/tenants").status_code)


@contextlib.contextmanager
def _connected_under_load(server) -> Iterator[tuple[socket.socket, Reader]]:
    """A raw connection to the server while four other clients keep it busy (so that
    responses take the batched path); every one of their requests must succeed too."""
    stop = threading.Event()
    statuses: list[int] = []
    threads = [threading.Thread(target=_busy, args=(server, stop, statuses))
               for _ in range(4)]
    for t in threads:
        t.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            yield sock, Reader(sock)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert set(statuses) <= {200}, sorted(set(statuses))


class Reader:
    """Responses read one by one from a socket (pipelined answers may share a read)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.data = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        assert chunk, self.data
        self.data += chunk

    def response(self, head_only: bool = False) -> tuple[bytes, bytes]:
        while b"\r\n\r\n" not in self.data:
            self._fill()
        head, _, self.data = self.data.partition(b"\r\n\r\n")
        if head_only:
            return head, self.data
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(self.data) < length:
            self._fill()
        body, self.data = self.data[:length], self.data[length:]
        return head, body


def test_under_load_every_response_arrives_whole(server):
    with _connected_under_load(server) as (sock, reader):
        for n in range(100):
            sock.sendall(b"GET /api/v1/tenants?size=%d HTTP/1.1\r\nHost: x\r\n"
                         b"X-API-KEY: wk_platform_admin_key\r\n\r\n" % (n % 2 + 1))
            head, body = reader.response()
            assert head.startswith(b"HTTP/1.1 200 ")
            assert body.count(b'"tenantId"') == n % 2 + 1
        # Several requests in one write: their answers come back whole and in order.
        sock.sendall(b"".join(b"GET /api/v1/tenants?size=%d HTTP/1.1\r\nHost: x\r\n"
                              b"X-API-KEY: wk_platform_admin_key\r\n\r\n" % size
                              for size in (1, 2, 1)))
        for size in (1, 2, 1):
            head, body = reader.response()
            assert body.count(b'"tenantId"') == size
        sock.sendall(b"HEAD /api/v1/tenants HTTP/1.1\r\nHost: x\r\n"
                     b"X-API-KEY: wk_platform_admin_key\r\n\r\n")
        head, rest = reader.response(head_only=True)
        assert head.startswith(b"HTTP/1.1 200 ") and rest == b""


def test_under_load_100_continue_comes_before_the_body_is_sent(server):
    body = (b'{"tenant": {"name": "Continue GmbH", "email": "ops@continue.example", '
            b'"phoneNumber": "030 901820", "country": {"code": "DE"}}, "tenantAdmin": '
            b'{"fullName": "Con Tinue", "email": "admin@continue.example", '
            b'"password": "continue-pw", "keyDuration": 1, "duration": "DAYS"}}')
    with _connected_under_load(server) as (sock, reader):
        sock.sendall(b"POST /api/v1/tenants/register HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json"
                     b"\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        interim, rest = reader.response(head_only=True)
        assert interim == b"HTTP/1.1 100 Continue" and rest == b""
        sock.sendall(body)
        head, answer = reader.response()
        assert head.startswith(b"HTTP/1.1 201 ")
        assert b"Continue GmbH" in answer
