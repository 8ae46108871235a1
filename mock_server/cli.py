"""Command line: ``mock-server serve`` and ``mock-server sign``."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, NoReturn

from mock_server.config import DEFAULT_FIXTURES, Config


class CliError(Exception):
    """A bad input on the command line: one line on stderr, exit ``status``."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def _read_body(value: str | None) -> bytes:
    if value is None:
        return b""
    if value.startswith("@"):
        name = value[1:]
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CliError(f"--body {value}: cannot read {name}: {exc.strerror or exc}") \
                from None
    return value.encode()


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise ValueError(text)
    return value


_seconds.__name__ = "number of seconds (0-3600)"
_port.__name__ = "port (0-65535)"
_count.__name__ = "count (0 or more)"
_positive.__name__ = "number (1 or more)"
_flag.__name__ = "switch (1/0, true/false, yes/no, on/off)"


def cmd_serve(args: argparse.Namespace) -> int:
    """Bind, answer health at once, load the world behind it, then print one ready
    line; a world that cannot be loaded stops the server with one line and exit 1."""
    import time

    import uvicorn

    from mock_server import patches
    from mock_server.app import create_app
    from mock_server.http_limits import limited_protocol

    started = time.monotonic()
    config = Config(fixtures=Path(args.fixtures), seed=args.seed,
                    signature_tolerance=args.signature_tolerance,
                    validate_responses=args.validate_responses,
                    admin_token=args.admin_token or None, journal_size=args.journal_size,
                    max_sandboxes=args.max_sandboxes, max_body_bytes=args.max_body_bytes,
                    state_file=Path(args.state_file) if args.state_file else None,
                    roomle_plain_tokens=args.roomle_plain_tokens)
    config.generate = _counts(args)
    config.load_in_background = True
    config.tune_process = True
    sock = _bind(args.host, args.port)
    patches.apply()
    app = create_app(config, flavor=args.flavor)
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{sock.getsockname()[1]}"
    print(f"tenant-sandbox listening on {base} (loading {config.fixtures})", flush=True)
    if not config.admin_token and args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"mock-server: WARNING: listening on {args.host} without --admin-token: anyone "
              f"who reaches this port can read every credential and reset, load or replace "
              f"every sandbox. Set --admin-token (MOCK_SERVER_ADMIN_TOKEN).", file=sys.stderr,
              flush=True)
    runtime = app.runtime  # type: ignore[attr-defined]
    protocol = limited_protocol(runtime, args.max_header_bytes, args.header_timeout)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, http=protocol,
                                           access_log=args.access_log))
    _log_access(args.access_log)
    _log_sandbox(args.log_level)
    _mask_logs(runtime)

    def announce() -> None:
        runtime.loaded.wait()
        if runtime.load_error:
            print(f"mock-server: cannot start: {runtime.load_error}", file=sys.stderr,
                  flush=True)
            server.should_exit = True
            return
        uis = ", ".join(f"{base}{api.base_path}/ui/" for api in runtime.apis)
        print(f"tenant-sandbox ready at {base} in {time.monotonic() - started:.2f} s; "
              f"Swagger UI: {uis}; admin token: {'on' if config.admin_token else 'off'}; "
              f"state file: {config.state_file or 'none'}", flush=True)

    threading.Thread(target=announce, daemon=True, name="announce").start()
    server.run(sockets=[sock])
    return 1 if runtime.load_error else 0


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed (a port in use is one
    line and exit 1, not a traceback after a 'listening' line)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CliError(f"cannot listen on {host}:{port}: {reason}", status=1) from None
    sock.set_inheritable(True)
    return sock


def _log_sandbox(level: str) -> None:
    """The sandbox's own lines (state restored / saved, server errors) on stdout."""
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("mock_server")
    logger.addHandler(handler)
    logger.setLevel(min(logging.INFO, logging.getLevelName(level.upper())
                        if level != "trace" else logging.DEBUG))
    logger.propagate = False


def _mask_logs(runtime: Any) -> None:
    """No secret the sandbox holds appears in a log line (access log included)."""
    import logging

    from mock_server.control.journal import SecretFilter

    secret_filter = SecretFilter(runtime)
    for name in ("uvicorn.access", "uvicorn.error", "mock_server"):
        logging.getLogger(name).addFilter(secret_filter)


def _log_access(enabled: bool) -> None:
    """``--access-log`` alone prints one line per request, whatever ``--log-level`` says."""
    if enabled:
        import logging

        logging.getLogger("uvicorn.access").setLevel(logging.INFO)


def _counts(args: argparse.Namespace) -> dict[str, int]:
    from mock_server.apis import all_apis

    return {api.name: getattr(args, api.generate_option.replace("-", "_"), 0) or 0
            for api in all_apis() if api.generate_option}


def _add_count_options(parser: argparse.ArgumentParser) -> None:
    from mock_server.apis import all_apis

    for api in all_apis():
        if api.generate_option:
            parser.add_argument(f"--{api.generate_option}", type=_count, default=0, metavar="N",
                                help=f"generate N more {api.title or api.name} records")


def cmd_generate(args: argparse.Namespace) -> int:
    from mock_server.fixtures import FixtureError, load_fixture_file
    from mock_server.generate import dump_yaml, generate_document

    if args.output != "-":
        _check_writable(Path(args.output))
    try:
        base = load_fixture_file(Path(args.fixtures))
        seed = args.seed if args.seed is not None else int(base.get("seed", 1))
        text = dump_yaml(generate_document(base, _counts(args), seed,
                                           None if args.quiet else sys.stderr))
    except FixtureError as exc:  # a base that cannot be generated from (no partner ...)
        raise CliError(str(exc), status=1) from None
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


def _check_writable(path: Path) -> None:
    """Before generating: a path that cannot be written fails at once."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CliError(f"cannot write {path}: it is a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"cannot write {path}: permission denied")
    if not path.exists() and not (folder.is_dir() and os.access(folder, os.W_OK)):
        raise CliError(f"cannot write {path}: folder {folder} does not exist or is not "
                       f"writable")


def _control(args: argparse.Namespace, method: str, path: str) -> Any:
    """One call to a running sandbox's control plane; a failure is one line, exit 1."""
    import httpx

    headers = {"X-Sandbox-Id": args.sandbox} if getattr(args, "sandbox", None) else {}
    if args.admin_token:
        headers["Authorization"] = f"Bearer {args.admin_token}"
    try:
        resp = httpx.request(method, args.url.rstrip("/") + path, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {args.url}: {exc}", status=1) from None
    if resp.status_code >= 400:
        raise CliError(f"{method} {path}: {resp.status_code} {resp.text[:300]}", status=1)
    return resp


def cmd_credentials(args: argparse.Namespace) -> int:
    import json

    everything = _control(args, "GET", "/_sandbox/credentials").json()
    if args.api:
        if args.api not in everything:
            raise CliError(f"no API {args.api!r}: choose from {', '.join(sorted(everything))}")
        everything = everything[args.api]
    print(json.dumps(everything, indent=2, ensure_ascii=False))
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    _control(args, "POST", "/_sandbox/reset")
    print(f"sandbox {args.sandbox or 'default'} reset to its fixtures")
    return 0


def _add_remote_options(parser: argparse.ArgumentParser, sandbox: bool) -> None:
    parser.add_argument("--url", default=os.environ.get("MOCK_SERVER_URL",
                                                        "http://127.0.0.1:8080"),
                        help="the running sandbox [MOCK_SERVER_URL]")
    parser.add_argument("--admin-token", default=os.environ.get("MOCK_SERVER_ADMIN_TOKEN"),
                        help="its --admin-token, if it has one [MOCK_SERVER_ADMIN_TOKEN]")
    if sandbox:
        parser.add_argument("--sandbox", default=None,
                            help="X-Sandbox-Id of the sandbox (default: default)")


def cmd_scaffold(args: argparse.Namespace) -> int:
    from mock_server.scaffold import scaffold

    root = Path(args.root)
    if not (root / "mock_server" / "apis").is_dir():
        raise CliError(f"{root.resolve()} is not a tenant-sandbox checkout "
                       f"(no mock_server/apis/): run it from one, or give --root")
    try:
        written = scaffold(args.name, root, args.base_path, args.title)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    for path in written:
        print(path.relative_to(root))
    print(f"run its tests: pytest tests/{args.name}", file=sys.stderr)
    return 0


def cmd_fixture_schema(args: argparse.Namespace) -> int:
    import json

    from mock_server.apis import all_apis
    from mock_server.fixtures import document_schema

    print(json.dumps(document_schema(all_apis()), indent=2))
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from mock_server.apis.bizzlink.signing import sign

    if not args.path.startswith("/") or "://" in args.path:
        raise CliError(f"--path must be the path and query as sent, starting with '/' "
                       f"(e.g. /bizzlink/tenants?page%5Bsize%5D=5), not {args.path!r}")
    print(sign(args.secret, args.method.upper(), args.path, _read_body(args.body),
               args.timestamp))
    return 0


def cmd_roomle_token(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from mock_server.apis.roomle.tokens import TokenError, make_token

    try:
        moment = datetime.fromisoformat(args.timestamp.replace("Z", "+00:00")) \
            if args.timestamp else datetime.now(UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        print(make_token(args.secret, args.session, args.api_key, moment, args.algorithm))
    except (TokenError, ValueError) as exc:
        raise CliError(f"mock-server roomle-token: {exc}") from None
    return 0


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

# flag, type, default, help, choices
SERVE_OPTIONS: list[tuple[str, Any, object, str, tuple[str, ...] | None]] = [
    ("host", str, "127.0.0.1", "interface to bind", None),
    ("port", _port, 8080, "port (0 picks a free one)", None),
    ("fixtures", str, str(DEFAULT_FIXTURES), "fixture file every sandbox is built from", None),
    ("seed", int, None, "seed for generated data and ids (default: the fixture file's)", None),
    ("signature-tolerance", _count, 300, "seconds a Bizzlink signature timestamp may be off",
     None),
    ("validate-responses", bool, False, "check every response against its spec (slower)",
     None),
    ("flavor", str, "async", "Connexion app flavour", ("async", "flask")),
    ("state-file", str, None, "keep every sandbox in this file across restarts "
                              "(see README: what a kill -9 can lose)", None),
    ("admin-token", str, None, "require Authorization: Bearer <token> on /_sandbox (not health)",
     None),
    ("journal-size", _positive, 1000, "requests kept per sandbox in the journal", None),
    ("max-sandboxes", _positive, 256, "sandboxes kept in memory (least recently used dropped)",
     None),
    ("max-body-bytes", _positive, 1_048_576, "larger request bodies are refused with 413", None),
    ("max-header-bytes", _positive, 32 * 1024, "request line and headers larger than this are "
                                               "refused with 431", None),
    ("header-timeout", _seconds, 10.0, "seconds a client may take to send the request line "
                                       "and headers (then 408 and closed)", None),
    ("roomle-plain-tokens", bool, False, "also accept Roomle session tokens unencrypted in the "
                                         "token header (the sandbox's own; Roomle does not)",
     None),
    ("log-level", str, "warning", "server log level", LOG_LEVELS),
    ("access-log", bool, False, "print one line per request", None),
]


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad input reported in one line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message} (see {self.prog} --help)")


def _env_default(flag: str, kind: Any, default: object,
                 choices: tuple[str, ...] | None) -> tuple[str, object]:
    env = "MOCK_SERVER_" + flag.upper().replace("-", "_")
    raw = os.environ.get(env)
    if raw is None:
        return env, default
    try:
        value = _flag(raw) if kind is bool else kind(raw)
    except ValueError:
        name = getattr(kind, "__name__", "value") if kind is not str else "value"
        raise CliError(f"{env}={raw!r} is not a valid {'switch' if kind is bool else name}"
                       ) from None
    if choices and value not in choices:
        raise CliError(f"{env}={raw!r}: choose from {', '.join(choices)}")
    return env, value


def build_parser() -> argparse.ArgumentParser:
    from mock_server import __version__

    formatter = argparse.ArgumentDefaultsHelpFormatter
    parser = _Parser(prog="mock-server", description=__doc__)
    parser.add_argument("--version", action="version", version=f"tenant-sandbox {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser(
        "serve", help="run the sandbox server", formatter_class=formatter,
        description="Every flag can also be set by an environment variable "
                    "MOCK_SERVER_<FLAG> (e.g. MOCK_SERVER_PORT=9000); flags win.")
    for flag, kind, default, text, choices in SERVE_OPTIONS:
        env, value = _env_default(flag, kind, default, choices)
        if kind is bool:
            serve.add_argument(f"--{flag}", action="store_true", default=value,
                               help=f"{text} [{env}]")
        else:
            serve.add_argument(f"--{flag}", type=kind, default=value, choices=choices,
                               help=f"{text} [{env}]")
    _add_count_options(serve)
    serve.set_defaults(func=cmd_serve)

    gen = sub.add_parser("generate", help="write a fixture file with many generated records",
                         formatter_class=formatter)
    gen.add_argument("--fixtures", default=str(DEFAULT_FIXTURES),
                     help="base fixture file (its accounts and records are kept)")
    gen.add_argument("--seed", type=int, default=None,
                     help="seed (default: the base file's); same seed, same file")
    gen.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_count_options(gen)
    gen.set_defaults(func=cmd_generate)

    creds = sub.add_parser("credentials", help="print a running sandbox's credentials",
                           formatter_class=formatter)
    creds.add_argument("--api", default=None, help="only this API's principals")
    _add_remote_options(creds, sandbox=True)
    creds.set_defaults(func=cmd_credentials)

    reset = sub.add_parser("reset", help="reset a running sandbox to its fixtures",
                           formatter_class=formatter)
    _add_remote_options(reset, sandbox=True)
    reset.set_defaults(func=cmd_reset)

    scaffold = sub.add_parser("scaffold", help="write a new API package, spec, fixtures, "
                                               "tests and docs that work at once",
                              formatter_class=formatter)
    scaffold.add_argument("name", help="the API's package name, e.g. acme_billing")
    scaffold.add_argument("--base-path", default=None,
                          help="where it is mounted (default: /<name>)")
    scaffold.add_argument("--title", default=None, help="its title (default from the name)")
    scaffold.add_argument("--root", default=".", help="the checkout to write into")
    scaffold.set_defaults(func=cmd_scaffold)

    schema = sub.add_parser("fixture-schema", help="print the JSON Schema of fixture documents")
    schema.set_defaults(func=cmd_fixture_schema)

    sign = sub.add_parser("sign", help="print an X-Bizzlink-Signature header value",
                          formatter_class=formatter)
    sign.add_argument("--secret", required=True, help="the caller's HMAC secret")
    sign.add_argument("--method", default="GET", help="HTTP method")
    sign.add_argument("--path", required=True,
                      help="path and query exactly as sent, e.g. "
                           "'/bizzlink/tenants?page%%5Bsize%%5D=5'")
    sign.add_argument("--body", default=None,
                      help="the raw body: a literal string, @file, or @- for stdin")
    sign.add_argument("--timestamp", type=int, default=None, help="unix seconds (default now)")
    sign.set_defaults(func=cmd_sign)

    rt = sub.add_parser("roomle-token", help="print a Roomle token header value",
                        formatter_class=formatter,
                        description="Encrypts '<timestamp>;<session>;<apiKey>' with the "
                                    "apiKey's secret, as Roomle's token header wants it.")
    rt.add_argument("--secret", required=True, help="the apiKey's secret (16, 24 or 32 bytes)")
    rt.add_argument("--api-key", required=True, help="the apiKey the header goes with")
    rt.add_argument("--session", default="anonymous",
                    help="session token from POST /v2/auth/signin (default: anonymous)")
    rt.add_argument("--algorithm", choices=["01", "02"], default="02",
                    help="01 = AES/CBC/PKCS5Padding (zero IV), 02 = AES/ECB/PKCS5Padding")
    rt.add_argument("--timestamp", default=None,
                    help="ISO-8601 moment (default now; follow the sandbox clock if moved)")
    rt.set_defaults(func=cmd_roomle_token)
    add_coverage_command(sub)
    add_drift_command(sub)
    return parser


def cmd_coverage(args: argparse.Namespace) -> int:
    """Fetch a server's coverage document, print it, and gate on ``--fail-under``."""
    import httpx

    from mock_server.coverage_report import below, render

    headers = {"X-Sandbox-Id": args.sandbox} if args.sandbox else {}
    if args.admin_token:
        headers["Authorization"] = f"Bearer {args.admin_token}"
    params: list[tuple[str, str]] = [("api", a) for a in args.api or ()]
    if args.all:
        params.append(("all", "true"))
    if args.prefix:
        params.append(("prefix", args.prefix))
    try:
        resp = httpx.get(args.url.rstrip("/") + "/_sandbox/coverage", params=tuple(params),
                         headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        print(f"mock-server coverage: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2
    if resp.status_code != 200:
        print(f"mock-server coverage: {resp.status_code} {resp.text}", file=sys.stderr)
        return 2
    report = resp.json()
    text = render(report, args.format, args.fail_under, args.metric)
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    failed = below(report, args.fail_under, args.metric)
    if failed:
        print(f"mock-server coverage: {failed}", file=sys.stderr)
        return 1
    return 0


def add_coverage_command(sub: argparse._SubParsersAction) -> None:
    from mock_server.coverage_report import FORMATS, METRICS

    cov = sub.add_parser("coverage", help="print the contract coverage of a running sandbox",
                         description="Exit status: 0 at or above --fail-under, 1 below it, "
                                     "2 when the report cannot be fetched.")
    cov.add_argument("--url", required=True, help="the sandbox server, e.g. http://127.0.0.1:8080")
    which = cov.add_mutually_exclusive_group()
    which.add_argument("--sandbox", help="the sandbox (X-Sandbox-Id; default: default)")
    which.add_argument("--all", action="store_true", help="every sandbox the server counted")
    which.add_argument("--prefix", help="the sandboxes whose names start with this")
    cov.add_argument("--api", action="append", metavar="NAME",
                     help="only this API (repeatable); default: the APIs that were called")
    cov.add_argument("--fail-under", type=float, default=None, metavar="PERCENT",
                     help="exit 1 when the coverage is below this percentage")
    cov.add_argument("--metric", choices=METRICS, default="operations",
                     help="what --fail-under measures (default operations)")
    cov.add_argument("--format", choices=FORMATS, default="table")
    cov.add_argument("-o", "--output", default=None, help="write to this file (default stdout)")
    cov.add_argument("--admin-token", default=os.environ.get("MOCK_SERVER_ADMIN_TOKEN"),
                     help="the server's admin token [MOCK_SERVER_ADMIN_TOKEN]")
    cov.set_defaults(func=cmd_coverage)


def cmd_drift(args: argparse.Namespace) -> int:
    from mock_server.drift import run_cli

    return run_cli(args)


def add_drift_command(sub: argparse._SubParsersAction) -> None:
    from mock_server.drift import add_arguments

    drift = sub.add_parser(
        "drift", help="replay a sandbox's journal against another server and compare",
        description="Exit status: 0 when nothing differs beyond what is ignored, 1 on drift, "
                    "2 when the run could not be made.")
    add_arguments(drift)
    drift.set_defaults(func=cmd_drift)


def main(argv: list[str] | None = None) -> int:
    # Connexion imports Starlette's test client, which warns about httpx on import.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except CliError as exc:
        print(f"mock-server: {exc}" if not str(exc).startswith("mock-server")
              else str(exc), file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
