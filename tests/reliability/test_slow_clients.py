"""Requests are bounded before they cost memory, against ``mock-server serve``: header
bytes are capped (431 in the API's format) and slow senders are cut off (408), so a
few hundred slow sockets cannot pin the server."""

from __future__ import annotations

import http.client
import socket

import httpx
import pytest

from mock_server.serving import ServerProcess

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--header-timeout", "1", "--max-header-bytes", "16384") as srv:
        yield srv


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_headers_past_the_cap_are_a_431_in_the_api_format(server):
    with connect(server) as sock:
        sock.sendall(b"GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nX-API-KEY: wk_platform_admin_key"
                     b"\r\nX-Noise: " + b"n" * 20_000 + b"\r\n\r\n")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b'"statusCode": 431' in answer


def test_headers_under_the_cap_are_served(server):
    resp = httpx.get(f"{server.url}/api/v1/tenants", headers={**WALLET, "X-Noise": "n" * 8000})
    assert resp.status_code == 200


def test_unparsable_requests_are_a_400_in_the_api_format(server):
    with connect(server) as sock:
        sock.sendall(b"GET /v2/tenants HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b'"error": {"status": 400' in answer


def test_two_hundred_slow_sockets_do_not_pin_the_server(server):
    slow = []
    try:
        for _ in range(200):
            sock = connect(server)
            sock.sendall(b"GET /bizzlink/tenants HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(sock)
        # Served while they hang (httpx's timeout is the bound; no stopwatch in tests).
        resp = httpx.get(f"{server.url}/api/v1/tenants", headers=WALLET, timeout=5)
        assert resp.status_code == 200
        answers = [read_all(sock) for sock in slow]  # each is cut off after the timeout
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[0][:200]
        assert b'"status": "408"' in answers[0]  # Bizzlink's JSON:API errors
    finally:
        for sock in slow:
            sock.close()


def test_a_silent_connection_is_closed_after_the_timeout(server):
    with connect(server) as sock:  # the socket's own 10 s timeout fails a connection kept open
        assert read_all(sock) == b""


def test_keep_alive_requests_each_get_their_own_budget(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for _ in range(3):  # 3 x 10 KB on one connection: each request is under the cap
            conn.request("GET", "/_sandbox/health", headers={"X-Noise": "n" * 10_000})
            resp = conn.getresponse()
            assert resp.status == 200
            resp.read()
    finally:
        conn.close()


def test_a_body_in_the_same_read_as_the_headers_does_not_count_against_them(server):
    # Small headers and a 100 KB body in one write: the server reads them together, and
    # only the header bytes are held to the 16 KB cap.
    body = b'{"pad": "' + b"w" * 100_000 + b'"}'
    with connect(server) as sock:
        sock.sendall(b"POST /api/v1/tenants/register HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"X-API-KEY: wk_platform_admin_key\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b"Validation failed: tenant is required" in answer  # the API read the body


def test_a_pipelined_request_after_a_large_body_is_served(server):
    body = b"x" * 40_000
    first = (b"POST /api/v1/tenants/register HTTP/1.1\r\nHost: x\r\n"
             b"X-API-KEY: wk_platform_admin_key\r\nContent-Type: application/json\r\n"
             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    second = (b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              b"X-Noise: " + b"n" * 10_000 + b"\r\n\r\n")
    with connect(server) as sock:
        sock.sendall(first + second)
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 2
    assert b"HTTP/1.1 200 " in answer and b"431" not in answer


def test_headers_past_the_cap_are_a_431_even_when_a_body_follows_in_the_same_read(server):
    with connect(server) as sock:
        sock.sendall(b"POST /api/v1/tenants/register HTTP/1.1\r\nHost: x\r\n"
                     b"X-Noise: " + b"n" * 20_000 + b"\r\nContent-Length: 5000\r\n\r\n"
                     + b"y" * 5000)
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
