"""Benchmark tenant-sandbox as a user runs it: prints figures, asserts nothing.

Starts ``mock-server serve`` (a subprocess, one worker), drives it with wrk over
loopback (10 connections, 2 threads) and prints, per scenario, requests/s, p50
and p99; then start-up time to healthy, idle RSS, RSS with 100,000 seeded tenants
of each API, and the cost of lookups, lists and creates at 1,000 vs 100,000 tenants.

    python benchmarks/run.py                       # all scenarios, 10 s each
    python benchmarks/run.py --duration 5 --big 100000 --only bizzlink
    python benchmarks/run.py --overhead             # what the journal and coverage cost
    python benchmarks/run.py --prism                # side by side with Stoplight Prism

Needs wrk (Debian: apt-get install wrk); --prism also needs Node.js and npm.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mock_server.apis.bizzlink.signing import sign  # noqa: E402
from mock_server.apis.roomle.tokens import make_token  # noqa: E402


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    unique: bool = False   # replace "{n}" in the body by a per-request unique token


@dataclass
class Scenario:
    api: str
    name: str
    build: Callable[[dict, dict], Request]   # (credentials, ids) -> request


def _bizzlink(method: str, path: str, body: bytes = b"") -> Callable[[dict, dict], Request]:
    def build(creds: dict, ids: dict) -> Request:
        p = next(c for c in creds["bizzlink"] if c.get("subscriptions") == ["SEATS", "FLOW"])
        path_ = path.format(**ids)
        headers = {"Authorization": p["headers"]["Authorization"],
                   "X-Bizzlink-Signature": sign(p["hmacSecret"], method, path_, body)}
        if body:
            headers["Content-Type"] = "application/json"
        return Request(method, path_, headers, body)
    return build


def _roomle_admin(creds: dict) -> dict[str, str]:
    """Roomle's real scheme: a request token made now (valid for the fixtures'
    requestTokenMaxAge, 300 s, and accepted again within it, so wrk may repeat it)."""
    p = next(p for p in creds["roomle"] if p["role"] == "super_admin")
    token = make_token(p["secret"], p["sessionToken"], p["apiKey"], datetime.now(UTC))
    return {**p["headers"], "token": token}


def _wallet_admin(creds: dict) -> dict[str, str]:
    return dict(next(p for p in creds["wallet"] if p["role"] == "platform_admin")["headers"])


def _pigello_client(creds: dict) -> dict[str, str]:
    return dict(next(p for p in creds["pigello"] if p["role"] == "client")["headers"])


PIGELLO = "/accounts/users/customer"
WALLET_BODY = json.dumps({
    "tenant": {"name": "Bench {n}", "email": "t{n}@bench.example", "phoneNumber": "030 901820",
               "country": {"code": "DE"}},
    "tenantAdmin": {"fullName": "Bench Admin", "email": "a{n}@bench.example",
                    "password": "benchmark-pw", "keyDuration": 1, "duration": "DAYS"}}).encode()
BIZ_BODY = json.dumps({"data": {"attributes": {"billingModel": "SEATS",
                                               "companyName": "Bench GmbH"}}}).encode()
BIZ_LE_BODY = json.dumps({"data": {"type": "legal-entities", "attributes": {
    "customerName": "Bench Legal Entity S.A.", "vatNumber": "LU12345678",
    "addressCountry": "LU"}}}).encode()
BIZ_LES = "/bizzlink/tenants/{le_tenant}/legal-entities"
SCENARIOS = [
    Scenario("bizzlink", "list", _bizzlink("GET", "/bizzlink/tenants")),
    Scenario("bizzlink", "get", _bizzlink("GET", "/bizzlink/tenants/{child}")),
    Scenario("bizzlink", "create", _bizzlink("POST", "/bizzlink/tenants", BIZ_BODY)),
    Scenario("bizzlink", "legal-entity list", _bizzlink("GET", BIZ_LES)),
    Scenario("bizzlink", "legal-entity create", _bizzlink("POST", BIZ_LES, BIZ_LE_BODY)),
    Scenario("wallet", "list", lambda creds, ids: Request(
        "GET", "/api/v1/tenants", _wallet_admin(creds))),
    Scenario("wallet", "list filtered", lambda creds, ids: Request(
        "GET", "/api/v1/tenants?country=DE&size=20", _wallet_admin(creds))),
    Scenario("wallet", "create", lambda creds, ids: Request(
        "POST", "/api/v1/tenants/register", {"Content-Type": "application/json"},
        WALLET_BODY, unique=True)),
    Scenario("wallet", "update", lambda creds, ids: Request(
        "POST", "/api/v1/tenants/update", {**_wallet_admin(creds),
                                           "Content-Type": "application/json"},
        b'{"address": "Benchmarkstr. 1"}')),
    Scenario("roomle", "list", lambda creds, ids: Request(
        "GET", "/v2/tenants", _roomle_admin(creds))),
    Scenario("roomle", "get", lambda creds, ids: Request(
        "GET", "/v2/tenants/2/", _roomle_admin(creds))),
    Scenario("roomle", "create", lambda creds, ids: Request(
        "POST", "/v2/tenants", {**_roomle_admin(creds), "Content-Type": "application/json"},
        b'{"name": "bench_{n}"}', unique=True)),
    Scenario("pigello", "list", lambda creds, ids: Request(
        "GET", f"{PIGELLO}/tenant/?_page=1&_page_size=20", _pigello_client(creds))),
    Scenario("pigello", "list filtered", lambda creds, ids: Request(
        "GET", f"{PIGELLO}/subtenanttenantconnection/?stakeholder_type=1&_page=1&_page_size=20",
        _pigello_client(creds))),
    Scenario("pigello", "get", lambda creds, ids: Request(
        "GET", f"{PIGELLO}/tenant/{ids['pigello_tenant']}/", _pigello_client(creds))),
    Scenario("pigello", "create", lambda creds, ids: Request(
        "POST", f"{PIGELLO}/tenant/", {**_pigello_client(creds),
                                       "Content-Type": "application/json"},
        b'{"first_name": "Bench", "custom_id": "B-{n}"}', unique=True)),
    Scenario("sandbox", "health", lambda creds, ids: Request("GET", "/_sandbox/health", {})),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Servers for the overhead comparison: as shipped, without coverage counting, and
# without the journal middleware at all (patched in the benchmark's own process only).
VARIANT_LAUNCH = """
import sys
from mock_server.control import coverage, journal
variant = sys.argv.pop(1)
if variant in ("no-coverage", "bare"):
    coverage.record = lambda *args: None
if variant == "bare":
    async def passthrough(self, scope, receive, send):
        await self.app(scope, receive, send)
    journal.JournalMiddleware.__call__ = passthrough
from mock_server.cli import main
sys.exit(main(sys.argv[1:]))
"""


class Server:
    def __init__(self, *args: str, variant: str = "") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        launch = [sys.executable, "-c", VARIANT_LAUNCH, variant] if variant \
            else [sys.executable, "-m", "mock_server"]
        self.proc = subprocess.Popen(
            [*launch, "serve", "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        while True:
            try:
                ready = httpx.get(f"{self.url}/_sandbox/ready", timeout=0.5)
                if ready.status_code == 200:
                    break
                if ready.json().get("status") == "failed":
                    raise SystemExit(f"the server failed to load: {ready.json().get('error')}")
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("the server exited during start-up")
            time.sleep(0.005)
        self.startup = time.perf_counter() - started

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
"""
UNIQUE_LUA = """
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local body = string.gsub(wrk.body, "{n}", SALT .. tid .. "x" .. counter)
  return wrk.format(nil, nil, nil, body)
end
"""


_RUNS = itertools.count()   # each wrk run makes its own unique values


def wrk(url: str, req: Request, duration: int, connections: int = 10,
        threads: int = 2) -> dict[str, float]:
    lua_headers = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}"
                            for k, v in req.headers.items())
    script = LUA.format(method=json.dumps(req.method),
                        body=json.dumps(req.body.decode()) if req.body else "nil",
                        headers=lua_headers) + (UNIQUE_LUA.replace(
                            "SALT", json.dumps(f"r{next(_RUNS)}")) if req.unique else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
                              "--latency", "-s", fh.name, url + req.path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(fh.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m[1]), m[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"),
            "errors": int(non2xx[1]) if non2xx else 0,
            "requests": int(re.search(r"(\d+) requests in", out)[1])}


def known_ids(url: str, creds: dict) -> dict[str, str]:
    """Ids of existing records that the scenarios address (one per API)."""
    req = _bizzlink("GET", "/bizzlink/tenants?page%5Bsize%5D=1")(creds, {})
    child = httpx.get(url + req.path, headers=req.headers).json()["data"][0]["id"]
    tenant = httpx.get(f"{url}{PIGELLO}/tenant/?_page=1&_page_size=1",
                       headers=_pigello_client(creds)).json()["data"][0]["id"]
    partner = next(c for c in creds["bizzlink"] if c.get("subscriptions") == ["SEATS", "FLOW"])
    return {"child": child, "pigello_tenant": tenant,
            "le_tenant": partner["examples"]["tenantId"]}


WARMUP = 2   # seconds of unmeasured load before each measured run


def run_scenarios(server: Server, duration: int, only: set[str] | None) -> dict[str, dict]:
    creds = httpx.get(f"{server.url}/_sandbox/credentials").json()
    ids = known_ids(server.url, creds)
    results = {}
    for sc in SCENARIOS:
        if not only or sc.api in only:
            req = sc.build(creds, ids)
            # Steady state: a short unmeasured run first (first-use work such as
            # compiling an operation's body check, warming caches and connections).
            wrk(server.url, req, WARMUP)
            results[f"{sc.api} {sc.name}"] = wrk(server.url, req, duration)
    return results


MIXED_LUA = """
local reqs = {{}}
{entries}
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  local body = r.body and string.gsub(r.body, "{{n}}", "{salt}" .. tid .. "x" .. counter) or nil
  return wrk.format(r.method, r.path, r.headers, body)
end
"""


def soak(seconds: int, chunk: int = 30) -> None:
    """Mixed load for ``seconds``: prints req/s, non-2xx and RSS every ``chunk`` seconds.

    The sandbox is reset after each chunk, so what the creates added is dropped and
    the RSS column shows whether anything else (journal, sandboxes, caches) grows.
    """
    server = Server("--signature-tolerance", str(seconds + 600))
    creds = httpx.get(f"{server.url}/_sandbox/credentials").json()
    ids = known_ids(server.url, creds)

    def entries() -> list[str]:
        """The requests, built anew for each chunk (Roomle's tokens age)."""
        out = []
        for sc in SCENARIOS:
            req = sc.build(creds, ids)
            headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}"
                                for k, v in req.headers.items())
            body = json.dumps(req.body.decode()) if req.body else "nil"
            out.append(f"reqs[#reqs + 1] = {{method = {json.dumps(req.method)}, "
                       f"path = {json.dumps(req.path)}, headers = {{{headers}}}, "
                       f"body = {body}}}")
        return out

    fh = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    fh.close()
    print(f"soak: {seconds} s of mixed load ({len(SCENARIOS)} request kinds), "
          f"start RSS {rss_mb(server.proc.pid):.1f} MB")
    print(f"{'t (s)':>6}{'req/s':>10}{'non-2xx':>10}{'RSS MB':>10}")
    try:
        for t in range(chunk, seconds + 1, chunk):
            Path(fh.name).write_text(MIXED_LUA.format(entries="\n".join(entries()),
                                                      salt=f"s{t}"))
            out = subprocess.run(["wrk", "-t2", "-c10", f"-d{chunk}s", "-s", fh.name,
                                  server.url + "/"], capture_output=True, text=True).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            httpx.post(f"{server.url}/_sandbox/reset", timeout=30)
            print(f"{t:>6}{rps:>10.0f}{int(bad[1]) if bad else 0:>10}"
                  f"{rss_mb(server.proc.pid):>10.1f}", flush=True)
    finally:
        os.unlink(fh.name)
        server.stop()


def _write_every(url: str, scenario: Scenario, creds: dict, ids: dict,
                 stop: threading.Event, every: float = 0.3) -> None:
    n = 0
    while not stop.wait(every):
        n += 1
        req = scenario.build(creds, ids)
        body = req.body.replace(b"{n}", f"stall{n}".encode())
        httpx.request(req.method, url + req.path, headers=req.headers, content=body, timeout=30)


def save_stall(big: int, duration: int, only: set[str] | None) -> None:
    """p99 of an API's list while its --state-file world of ``big`` records is saved:
    once with no writes (nothing to save), once with a create every 0.3 s in the same
    sandbox (the saver exports that world about once a second)."""
    options = {"bizzlink": "bizzlink-tenants", "wallet": "wallet-tenants",
               "roomle": "roomle-tenants", "pigello": "pigello-connections"}
    print(f"\np99 of a list while a {big:,}-record world is saved (--state-file)")
    print(f"{'api':<10}{'idle p99':>10}{'saving p99':>12}{'saving r/s':>12}{'file MB':>9}")
    for api, option in options.items():
        if only and api not in only:
            continue
        with tempfile.TemporaryDirectory() as folder:
            state = Path(folder) / "state.json"
            server = Server(f"--{option}={big}", "--state-file", str(state))
            creds = httpx.get(f"{server.url}/_sandbox/credentials").json()
            ids = known_ids(server.url, creds)
            scenarios = {sc.name: sc for sc in SCENARIOS if sc.api == api}
            listing = scenarios["list"].build(creds, ids)
            wrk(server.url, listing, WARMUP)
            idle = wrk(server.url, listing, duration)
            stop = threading.Event()
            writer = threading.Thread(target=_write_every, daemon=True,
                                      args=(server.url, scenarios["create"], creds, ids, stop))
            writer.start()
            saving = wrk(server.url, listing, duration)
            stop.set()
            writer.join()
            size = state.stat().st_size / 1e6 if state.exists() else float("nan")
            server.stop()
        print(f"{api:<10}{idle['p99']:>10.2f}{saving['p99']:>12.2f}{saving['rps']:>12.0f}"
              f"{size:>9.1f}", flush=True)


OVERHEAD = ("wallet list filtered", "bizzlink create", "wallet create", "pigello create")
VARIANTS = (("shipped", ""), ("no coverage", "no-coverage"), ("no journal", "bare"))


def record_cost() -> dict[str, float]:
    """In-process microseconds of one coverage count (the journal's hook), by kind of call."""
    import timeit

    from mock_server.apis import all_apis
    from mock_server.control.coverage import Coverage

    coverage = Coverage(all_apis())
    calls = {
        "GET with a query": ("wallet", "listTenants", b"country=DE&size=20", b""),
        "POST with a body": ("wallet", "registerTenant", b"", WALLET_BODY.replace(b"{n}", b"1")),
        "nested JSON:API body": ("bizzlink", "createChildTenant", b"", BIZ_BODY),
    }
    results = {}
    n = 20000
    for label, (api, operation, query, body) in calls.items():
        args = ("bench", api, operation, 201, query, body, False)
        seconds = min(timeit.repeat(lambda a=args: coverage.record(*a), number=n, repeat=5))
        results[label] = seconds / n * 1e6
    return results


def inprocess_overhead(count: int = 1500, rounds: int = 5) -> None:
    """CPU time per request of the ASGI app driven directly (no network, so other load
    on the machine moves it far less than wrk's figures), as shipped, without coverage
    counting, and without the journal: variants interleaved, the median of the rounds."""
    import asyncio

    from mock_server.app import create_app
    from mock_server.config import Config
    from mock_server.control import coverage, journal

    app = create_app(Config(signature_tolerance=3600))
    shipped_record, shipped_call = coverage.record, journal.JournalMiddleware.__call__

    async def passthrough(self, scope, receive, send):
        await self.app(scope, receive, send)

    def use(variant: str) -> None:
        coverage.record = (lambda *args: None) if variant else shipped_record
        journal.JournalMiddleware.__call__ = passthrough if variant == "bare" \
            else shipped_call

    async def drive() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            creds = (await client.get("/_sandbox/credentials")).json()
            req = _bizzlink("GET", "/bizzlink/tenants?page%5Bsize%5D=1")(creds, {})
            child = (await client.get(req.path, headers=req.headers)).json()["data"][0]["id"]
            tenant = (await client.get(f"{PIGELLO}/tenant/?_page=1&_page_size=1",
                                       headers=_pigello_client(creds))).json()["data"][0]["id"]
            ids = {"child": child, "pigello_tenant": tenant}
            serial = itertools.count()
            print(f"\nin-process CPU per request ({count} requests x {rounds} rounds)")
            print(f"{'scenario':<22}" + "".join(f"{label + ' us':>18}" for label, _ in VARIANTS))
            for sc in SCENARIOS:
                name = f"{sc.api} {sc.name}"
                if name not in OVERHEAD:
                    continue
                req = sc.build(creds, ids)
                times: dict[str, list[float]] = {label: [] for label, _ in VARIANTS}
                for _ in range(rounds):
                    for label, variant in VARIANTS:
                        use(variant)
                        started = time.process_time()
                        for _ in range(count):
                            body = req.body.replace(b"{n}", str(next(serial)).encode()) \
                                if req.unique else req.body
                            resp = await client.request(req.method, req.path, content=body,
                                                        headers=req.headers)
                            if resp.status_code >= 400:
                                raise SystemExit(f"{name}: {resp.status_code} {resp.text}")
                        times[label].append((time.process_time() - started) / count * 1e6)
                use("")
                print(f"{name:<22}" + "".join(f"{sorted(t)[rounds // 2]:>18.0f}"
                                              for t in times.values()), flush=True)

    asyncio.run(drive())


def overhead(duration: int, rounds: int = 3) -> None:
    """Throughput with and without coverage counting and the journal: the same
    scenarios on three servers, interleaved round by round; the median of the rounds."""
    for label, us in record_cost().items():
        print(f"coverage count, {label:<22} {us:6.1f} us in-process")
    inprocess_overhead()
    servers = {label: Server("--signature-tolerance", "3600", variant=variant)
               for label, variant in VARIANTS}
    try:
        creds = httpx.get(f"{servers['shipped'].url}/_sandbox/credentials").json()
        ids = known_ids(servers["shipped"].url, creds)
        print(f"\n{'scenario':<22}" + "".join(f"{label + ' r/s':>18}{'p99':>7}"
                                               for label, _ in VARIANTS))
        for sc in SCENARIOS:
            name = f"{sc.api} {sc.name}"
            if name not in OVERHEAD:
                continue
            req = sc.build(creds, ids)
            runs: dict[str, list[dict]] = {label: [] for label in servers}
            for server in servers.values():
                wrk(server.url, req, WARMUP)
            for _ in range(rounds):
                for label, server in servers.items():
                    runs[label].append(wrk(server.url, req, duration))
            line = f"{name:<22}"
            for label in servers:
                median = sorted(runs[label], key=lambda r: r["rps"])[rounds // 2]
                line += f"{median['rps']:>18.0f}{median['p99']:>7.1f}"
                line += f"[{sum(r['errors'] for r in runs[label])}]"
            print(line, flush=True)
    finally:
        for server in servers.values():
            server.stop()


# Side by side with Stoplight Prism (issue 16, item 7): the same requests with the same
# wrk settings against the sandbox, against `prism mock` on the same spec, and against
# a bare ASGI app on the same uvicorn (the ceiling of any Python app on this stack).

# The newest Prism whose package declares support for the Node.js of Debian 12/13
# (18, 20): 5.15 and 5.16 declare node >= 24.14. --prism-package overrides it.
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
BENCH_CACHE = Path.home() / ".cache" / "tenant-sandbox-bench"
PRISM_PAIRS = ("list", "create")
PRISM_APIS = ("bizzlink", "wallet", "roomle", "pigello")

BARE_ASGI = """
import sys

import uvicorn

BODY = b'{"status":"ok"}'
START = {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"application/json"),
                     (b"content-length", str(len(BODY)).encode())]}
END = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send(START)
    await send(END)


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http="httptools", workers=1,
            access_log=False, log_level="warning")
"""


def _wait_answering(url: str, proc: subprocess.Popen, what: str, limit: float = 120) -> float:
    """Seconds until ``url`` gives any HTTP answer; exits if ``proc`` dies or is too slow."""
    started = time.perf_counter()
    while True:
        try:
            httpx.get(url, timeout=0.5)
            return time.perf_counter() - started
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited during start-up (exit {proc.returncode})")
        if time.perf_counter() - started > limit:
            proc.terminate()
            raise SystemExit(f"{what} did not answer within {limit:.0f} s")
        time.sleep(0.02)


class Peer:
    """A server the sandbox is compared with: a subprocess on a free loopback port
    (``{port}`` in ``command`` stands for it)."""

    def __init__(self, command: list[str], what: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([part.replace("{port}", str(self.port)) for part in command],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.startup = _wait_answering(self.url + "/", self.proc, what)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def install_prism(folder: Path, package: str) -> Path:
    """``npm install`` Prism into ``folder`` and return its CLI. npm's download cache is
    kept in ~/.cache/tenant-sandbox-bench/npm, so later runs do not download again."""
    missing = [tool for tool in ("node", "npm") if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"--prism needs Node.js and npm: {' and '.join(missing)} not found "
                         f"(Debian: apt-get install nodejs npm)")
    cache = BENCH_CACHE / "npm"
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(["npm", "install", "--prefix", str(folder), "--cache", str(cache),
                           "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error",
                           package], capture_output=True, text=True, cwd=folder)
    cli = folder / "node_modules" / ".bin" / "prism"
    if done.returncode or not cli.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"npm install {package} failed: {last}")
    version = subprocess.run([str(cli), "--version"], capture_output=True,
                             text=True).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Prism {version} (node {node}) installed in {time.perf_counter() - started:.0f} s "
          f"into a temporary folder (npm cache {cache})")
    return cli


def spec_base_path(api: str) -> str:
    """The spec's relative server URL: the sandbox mounts the API there, while Prism
    routes the spec's paths without it (it ignores relative server URLs)."""
    import yaml

    spec = yaml.load((ROOT / "openapi" / f"{api}.yaml").read_text(), Loader=yaml.CSafeLoader)
    return spec["servers"][0]["url"].rstrip("/")


def same_request(req: Request, base: str) -> dict[str, Request]:
    """The one request for each server: Prism gets the path without the base path."""
    prism = Request(req.method, req.path.removeprefix(base), req.headers, req.body,
                    req.unique)
    return {"sandbox": req, "Prism": prism, "bare": req}


def _probe(url: str, req: Request) -> httpx.Response:
    body = req.body.replace(b"{n}", f"probe{next(_RUNS)}".encode()) if req.unique else req.body
    return httpx.request(req.method, url + req.path, headers=req.headers, content=body,
                         timeout=30)


def _answer(resp: httpx.Response) -> str:
    text = " ".join(resp.text.split())
    return f"{resp.status_code} {text[:160]}{'...' if len(text) > 160 else ''}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(server: Server | Peer, req: Request, duration: int, **options: int
              ) -> dict[str, float]:
    """wrk's figures plus the server's CPU microseconds per request during the run
    (what it spends, which the machine's other load moves far less than req/s)."""
    before = cpu_seconds(server.proc.pid)
    result = wrk(server.url, req, duration, **options)
    spent = cpu_seconds(server.proc.pid) - before
    return {**result, "cpu_us": spent / max(result["requests"], 1) * 1e6}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (non-2xx summed)."""
    return {key: sum(r[key] for r in runs) if key == "errors"
            else sorted(r[key] for r in runs)[len(runs) // 2] for key in runs[0]}


def compare_pair(name: str, build: Callable[[], dict[str, Request]],
                 servers: dict[str, Server | Peer], duration: int, sequential: int,
                 rounds: int) -> dict:
    """One scenario on the three servers: first one request each to sandbox and Prism
    (both must answer 2xx, else the pair is skipped with what they answered), then
    ``rounds`` rounds of wrk (10 connections, 2 threads) and of one client on one
    connection, the servers interleaved (the order turned each round) so that the
    machine's changing load falls on all of them; each figure is the rounds' median.
    ``build`` makes the requests anew (Roomle's tokens age) for each round."""
    requests = build()
    answers = {who: _probe(servers[who].url, requests[who]) for who in ("sandbox", "Prism")}
    if any(not 200 <= resp.status_code < 300 for resp in answers.values()):
        return {"name": name, "skipped": "; ".join(
            f"{who} answered {_answer(resp)}" for who, resp in answers.items())}
    for who, r in requests.items():
        wrk(servers[who].url, r, WARMUP)
    runs: dict[str, list[dict[str, float]]] = {
        label: [] for label in ("sandbox", "Prism", "bare", "sandbox seq", "Prism seq")}
    order = list(requests)
    for n in range(rounds):
        requests = build()
        for who in order[n % 3:] + order[:n % 3]:
            runs[who].append(_measured(servers[who], requests[who], duration))
        for who in (("sandbox", "Prism") if n % 2 == 0 else ("Prism", "sandbox")):
            runs[f"{who} seq"].append(_measured(servers[who], requests[who], sequential,
                                                connections=1, threads=1))
    return {"name": name, **{label: _median(r) for label, r in runs.items()}}


def _verdict(ok: bool, measured: bool = True) -> str:
    return "not measured" if not measured else "met" if ok else "not met"


def prism_side_by_side(duration: int, sequential: int, rounds: int, package: str,
                       only: set[str] | None) -> None:
    """The sandbox against Prism on each API's list and create, the bare ASGI ceiling,
    start-up and idle RSS, and the issue's targets as met / not met."""
    apis = [api for api in PRISM_APIS if not only or api in only]
    rows = []
    with tempfile.TemporaryDirectory(prefix="tenant-sandbox-prism-") as folder:
        cli = install_prism(Path(folder), package)
        load = os.getloadavg()
        print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
              f"({os.cpu_count()} cores)")
        running: list[Server | Peer] = []
        try:
            sandbox, startup, idle = start_measured()
            running.append(sandbox)
            bare = Peer([sys.executable, "-c", BARE_ASGI, "{port}"], "the bare ASGI app")
            running.append(bare)
            creds = httpx.get(f"{sandbox.url}/_sandbox/credentials").json()
            ids = known_ids(sandbox.url, creds)
            for api in apis:
                spec = ROOT / "openapi" / f"{api}.yaml"
                prism = Peer([str(cli), "mock", "-v", "silent", "-h", "127.0.0.1", "-p",
                              "{port}", str(spec)], f"prism mock {spec.name}")
                running.append(prism)
                print(f"prism mock {spec.name}: answering in {prism.startup:.1f} s, "
                      f"RSS {rss_mb(prism.proc.pid):.0f} MB", flush=True)
                base = spec_base_path(api)
                for sc in SCENARIOS:
                    if sc.api != api or sc.name not in PRISM_PAIRS:
                        continue
                    servers = {"sandbox": sandbox, "Prism": prism, "bare": bare}
                    rows.append(compare_pair(f"{api} {sc.name}",
                                             lambda sc=sc, base=base: same_request(
                                                 sc.build(creds, ids), base),
                                             servers, duration, sequential, rounds))
                    if "skipped" in rows[-1]:
                        print(f"{rows[-1]['name']}: skipped: {rows[-1]['skipped']}",
                              flush=True)
                running.remove(prism)
                prism.stop()
        finally:
            for server in running:
                server.stop()
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print_prism_report(rows, startup, idle, duration, sequential, rounds)


def print_prism_report(rows: list[dict], startup: float, idle: float, duration: int,
                       sequential: int, rounds: int) -> None:
    """The two tables and the targets, each met / not met / not measured."""
    measured = [r for r in rows if "skipped" not in r]
    print(f"\nthroughput: wrk -t2 -c10 -d{duration}s after {WARMUP} s of warm-up, median of "
          f"{rounds} interleaved rounds; ceiling: a bare ASGI app on the same uvicorn")
    print(f"{'scenario':<18}{'sandbox r/s':>12}{'Prism r/s':>11}{'ratio':>7}"
          f"{'sandbox p99':>13}{'Prism p99':>11}{'ceiling r/s':>13}{'of ceiling':>12}"
          f"{'non-2xx s/P':>13}")
    for r in rows:
        if "skipped" in r:
            print(f"{r['name']:<18}  skipped: {r['skipped']}")
            continue
        s, p, b = r["sandbox"], r["Prism"], r["bare"]
        print(f"{r['name']:<18}{s['rps']:>12.0f}{p['rps']:>11.0f}{s['rps'] / p['rps']:>7.2f}"
              f"{s['p99']:>11.2f}ms{p['p99']:>9.2f}ms{b['rps']:>13.0f}"
              f"{s['rps'] / b['rps']:>12.2f}{s['errors']:>8}/{p['errors']}")
    print(f"\nsequential: one client, one keep-alive connection (wrk -t1 -c1 "
          f"-d{sequential}s, median of {rounds} rounds)")
    print(f"{'scenario':<18}{'sandbox p50':>13}{'Prism p50':>11}{'sandbox p99':>13}"
          f"{'Prism p99':>11}{'sandbox r/s':>13}{'Prism r/s':>11}")
    for r in measured:
        s, p = r["sandbox seq"], r["Prism seq"]
        print(f"{r['name']:<18}{s['p50']:>11.2f}ms{p['p50']:>9.2f}ms{s['p99']:>11.2f}ms"
              f"{p['p99']:>9.2f}ms{s['rps']:>13.0f}{p['rps']:>11.0f}")
    print("\nserver CPU per request (user + system, all threads; median of the rounds): "
          "what each spends, which other load on the machine moves far less than req/s")
    print(f"{'scenario':<18}{'sandbox us':>12}{'Prism us':>10}{'Prism/sandbox':>15}"
          f"{'bare us':>9}{'seq sandbox us':>16}{'seq Prism us':>14}")
    for r in measured:
        s, p = r["sandbox"]["cpu_us"], r["Prism"]["cpu_us"]
        print(f"{r['name']:<18}{s:>12.0f}{p:>10.0f}{p / s:>15.2f}{r['bare']['cpu_us']:>9.0f}"
              f"{r['sandbox seq']['cpu_us']:>16.0f}{r['Prism seq']['cpu_us']:>14.0f}")
    print(f"\nsandbox start-up to ready: {startup * 1000:.0f} ms (median of 5); "
          f"idle RSS: {idle:.1f} MB")

    by_name = {r["name"]: r for r in measured}
    complete = len(measured) == len(rows) == len(PRISM_APIS) * len(PRISM_PAIRS)
    wallet = by_name.get("wallet list")
    targets = [
        ("Wallet list >= 1.5x Prism",
         _verdict(bool(wallet) and wallet["sandbox"]["rps"] >= 1.5 * wallet["Prism"]["rps"],
                  bool(wallet))),
        ("every API's list and create >= 1.0x Prism",
         _verdict(all(r["sandbox"]["rps"] >= r["Prism"]["rps"] for r in measured), complete)),
        ("p99 below Prism's (every pair)",
         _verdict(all(r["sandbox"]["p99"] < r["Prism"]["p99"] for r in measured), complete)),
        ("sequential p50 below Prism's (every pair)",
         _verdict(all(r["sandbox seq"]["p50"] < r["Prism seq"]["p50"] for r in measured),
                  complete)),
        ("sequential p99 below Prism's (every pair)",
         _verdict(all(r["sandbox seq"]["p99"] < r["Prism seq"]["p99"] for r in measured),
                  complete)),
        ("start-up to ready <= 1 s", _verdict(startup <= 1.0)),
        ("idle RSS <= 100 MB", _verdict(idle <= 100)),
    ]
    print("\ntargets (issue 16)")
    for label, verdict in targets:
        print(f"  {label:<46}{verdict}")
    if not complete:
        print(f"  ({len(measured)} of {len(PRISM_APIS) * len(PRISM_PAIRS)} pairs measured: "
              f"a target over every pair needs all of them)")


def compile_package() -> None:
    """Write the sandbox's bytecode, as pip does when it installs a wheel and as Python
    does at a first start unless PYTHONDONTWRITEBYTECODE is set (it is on some machines,
    CI's among them, and an editable install has none): start-up is measured with the
    bytecode a user's second start has, not with every module compiled again."""
    import compileall

    import mock_server

    package = Path(mock_server.__file__).parent
    if not compileall.compile_dir(package, quiet=2):
        raise SystemExit(f"could not compile {package}")
    print(f"bytecode of {package} written (compileall)")


def start_measured() -> tuple[Server, float, float]:
    """A sandbox started as a user starts it, with its median start-up to ready and its
    idle RSS, both printed. Start-up moves by +-20 % from one start to the next on a
    shared 2-core machine: the median of five starts is the figure."""
    compile_package()
    startups = []
    for _ in range(4):
        probe = Server()
        startups.append(probe.startup)
        probe.stop()
    server = Server()
    startups = sorted([*startups, server.startup])
    time.sleep(1)
    idle = rss_mb(server.proc.pid)
    print(f"start-up to ready:   {startups[2] * 1000:.0f} ms median of 5 "
          f"({startups[0] * 1000:.0f}-{startups[-1] * 1000:.0f} ms)")
    print(f"idle RSS:            {idle:.1f} MB")
    return server, startups[2], idle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--big", type=int, default=100_000,
                        help="tenants per API in the big world (0: skip)")
    parser.add_argument("--only", default="", help="comma-separated APIs")
    parser.add_argument("--soak", type=int, default=0,
                        help="instead: this many seconds of mixed load, memory sampled")
    parser.add_argument("--save-stall", type=int, default=0, metavar="N",
                        help="instead: p99 of a list while a --state-file world of N "
                             "records is saved")
    parser.add_argument("--overhead", action="store_true",
                        help="instead: throughput with and without the journal and coverage")
    parser.add_argument("--prism", action="store_true",
                        help="instead: each API's list and create side by side with "
                             "Stoplight Prism (installed with npm into a temporary "
                             "folder) and a bare ASGI app as the ceiling")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --prism: interleaved rounds per scenario (the median)")
    parser.add_argument("--prism-package", default=PRISM_PACKAGE,
                        help=f"with --prism: the npm package to install ({PRISM_PACKAGE})")
    parser.add_argument("--sequential", type=int, default=5, metavar="S",
                        help="with --prism: seconds of one client on one connection per "
                             "server and scenario")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    if args.soak:
        soak(args.soak)
        return 0
    if args.overhead:
        overhead(args.duration)
        return 0
    only = set(filter(None, args.only.split(","))) or None
    if args.prism:
        prism_side_by_side(args.duration, args.sequential, args.rounds, args.prism_package,
                           only)
        return 0
    if args.save_stall:
        save_stall(args.save_stall, args.duration, only)
        return 0

    small, startup, idle = start_measured()
    print(f"\n{'scenario':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    small_results = run_scenarios(small, args.duration, only)
    for name, r in small_results.items():
        print(f"{name:<22}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['errors']:>10}")
    print(f"RSS after load:      {rss_mb(small.proc.pid):.1f} MB")
    small.stop()

    if args.big:
        # Per API: a world of 1,000 tenants against one of --big (100,000) tenants,
        # each in its own server seeded with that API only. Same requests, same page
        # sizes filled: the ratio shows what the world's size costs. The big server's
        # RSS once ready is what 100,000 tenants of that API take.
        options = {"bizzlink": "bizzlink-tenants", "wallet": "wallet-tenants",
                   "roomle": "roomle-tenants", "pigello": "pigello-connections"}
        print(f"\n1,000 vs {args.big:,} tenants (one API per server; pigello: a tenant, "
              f"a sub-tenant and a connection each)")
        print(f"{'scenario':<22}{'1k r/s':>10}{'big r/s':>10}{'ratio':>8}")
        memory = []
        for api, option in options.items():
            if only and api not in only:
                continue
            worlds = []
            for count in (1000, args.big):
                server = Server(f"--{option}={count}")
                loaded = rss_mb(server.proc.pid)
                worlds.append(run_scenarios(server, args.duration, {api}))
                if count == args.big:
                    memory.append((api, server.startup, loaded, rss_mb(server.proc.pid)))
                server.stop()
            for name, r in worlds[1].items():
                s = worlds[0][name]
                print(f"{name:<22}{s['rps']:>10.0f}{r['rps']:>10.0f}"
                      f"{s['rps'] / r['rps']:>8.2f}", flush=True)
        print(f"\n{'big world':<12}{'start-up s':>12}{'RSS MB':>10}{'after load':>12}")
        for api, startup, loaded, after in memory:
            print(f"{api:<12}{startup:>12.1f}{loaded:>10.1f}{after:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
