"""Command line: ``mock-server serve`` and ``mock-server sign``."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from mock_server.config import DEFAULT_FIXTURES, Config


def _read_body(value: str | None) -> bytes:
    if value is None:
        return b""
    if value.startswith("@"):
        name = value[1:]
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    return value.encode()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mock_server.app import create_app

    config = Config(fixtures=Path(args.fixtures), seed=args.seed,
                    signature_tolerance=args.signature_tolerance,
                    validate_responses=args.validate_responses)
    app = create_app(config, flavor=args.flavor)
    print(f"tenant-sandbox listening on http://{args.host}:{args.port} "
          f"(fixtures: {config.fixtures})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=args.access_log)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from mock_server.apis.bizzlink.signing import sign

    print(sign(args.secret, args.method, args.path, _read_body(args.body), args.timestamp))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the sandbox server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--fixtures", default=str(DEFAULT_FIXTURES),
                       help="fixture file to build every sandbox from")
    serve.add_argument("--seed", type=int, default=None,
                       help="seed for generated data (default: the fixture file's seed)")
    serve.add_argument("--signature-tolerance", type=int, default=300,
                       help="seconds a Bizzlink signature timestamp may be off (default 300)")
    serve.add_argument("--validate-responses", action="store_true",
                       help="check every response against its spec (slower)")
    serve.add_argument("--flavor", choices=["async", "flask"], default="async",
                       help="Connexion app flavour (default async)")
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)

    sign = sub.add_parser("sign", help="print an X-Bizzlink-Signature header value")
    sign.add_argument("--secret", required=True, help="the caller's HMAC secret")
    sign.add_argument("--method", default="GET")
    sign.add_argument("--path", required=True,
                      help="path and query exactly as sent, e.g. '/bizzlink/tenants?page[size]=5'")
    sign.add_argument("--body", default=None,
                      help="the raw body: a literal string, @file, or @- for stdin")
    sign.add_argument("--timestamp", type=int, default=None, help="unix seconds (default now)")
    sign.set_defaults(func=cmd_sign)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Connexion imports Starlette's test client, which warns about httpx on import.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    return args.func(args)
