"""Command line: ``mock-server serve`` and ``mock-server sign``."""

from __future__ import annotations

import argparse
import os
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
    from mock_server.runtime import FreezeSurvivors

    if args.flavor not in ("async", "flask"):
        raise SystemExit("--flavor must be async or flask")
    config = Config(fixtures=Path(args.fixtures), seed=args.seed,
                    signature_tolerance=args.signature_tolerance,
                    validate_responses=args.validate_responses,
                    admin_token=args.admin_token or None, journal_size=args.journal_size,
                    max_sandboxes=args.max_sandboxes, max_body_bytes=args.max_body_bytes,
                    state_file=Path(args.state_file) if args.state_file else None,
                    roomle_plain_tokens=args.roomle_plain_tokens)
    config.generate = _counts(args)
    config.load_in_background = True
    app = create_app(config, flavor=args.flavor)
    FreezeSurvivors.install()
    print(f"tenant-sandbox listening on http://{args.host}:{args.port} "
          f"(fixtures: {config.fixtures})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=args.access_log)
    return 0


def _counts(args: argparse.Namespace) -> dict[str, int]:
    from mock_server.apis import all_apis

    return {api.name: getattr(args, api.generate_option.replace("-", "_"), 0) or 0
            for api in all_apis() if api.generate_option}


def _add_count_options(parser: argparse.ArgumentParser) -> None:
    from mock_server.apis import all_apis

    for api in all_apis():
        if api.generate_option:
            parser.add_argument(f"--{api.generate_option}", type=int, default=0, metavar="N",
                                help=f"generate N more {api.title or api.name} records")


def cmd_generate(args: argparse.Namespace) -> int:
    from mock_server.fixtures import load_fixture_file
    from mock_server.generate import dump_yaml, generate_document

    base = load_fixture_file(Path(args.fixtures))
    seed = args.seed if args.seed is not None else int(base.get("seed", 1))
    text = dump_yaml(generate_document(base, _counts(args), seed,
                                       None if args.quiet else sys.stderr))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


def cmd_fixture_schema(args: argparse.Namespace) -> int:
    import json

    from mock_server.apis import all_apis
    from mock_server.fixtures import document_schema

    print(json.dumps(document_schema(all_apis()), indent=2))
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from mock_server.apis.bizzlink.signing import sign

    print(sign(args.secret, args.method, args.path, _read_body(args.body), args.timestamp))
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
        print(f"mock-server roomle-token: {exc}", file=sys.stderr)
        return 2
    return 0


SERVE_OPTIONS: list[tuple[str, type, object, str]] = [
    ("host", str, "127.0.0.1", "interface to bind (default 127.0.0.1)"),
    ("port", int, 8080, "port (default 8080)"),
    ("fixtures", str, str(DEFAULT_FIXTURES), "fixture file every sandbox is built from"),
    ("seed", int, None, "seed for generated data and ids (default: the fixture file's)"),
    ("signature-tolerance", int, 300, "seconds a Bizzlink signature timestamp may be off"),
    ("validate-responses", bool, False, "check every response against its spec (slower)"),
    ("flavor", str, "async", "Connexion app flavour: async (default) or flask"),
    ("state-file", str, None, "keep every sandbox in this file across restarts "
                              "(saved within 1 s of a change and on shutdown)"),
    ("admin-token", str, None, "require Authorization: Bearer <token> on /_sandbox (not health)"),
    ("journal-size", int, 1000, "requests kept per sandbox in the journal"),
    ("max-sandboxes", int, 256, "sandboxes kept in memory (least recently used dropped)"),
    ("max-body-bytes", int, 1_048_576, "larger request bodies are refused with 413"),
    ("roomle-plain-tokens", bool, False, "also accept Roomle session tokens unencrypted in the "
                                         "token header (the sandbox's own; Roomle does not)"),
    ("log-level", str, "warning", "uvicorn log level"),
    ("access-log", bool, False, "log every request"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run the sandbox server",
        description="Every flag can also be set by an environment variable "
                    "MOCK_SERVER_<FLAG> (e.g. MOCK_SERVER_PORT=9000); flags win.")
    for flag, kind, default, text in SERVE_OPTIONS:
        env = "MOCK_SERVER_" + flag.upper().replace("-", "_")
        value = os.environ.get(env, default)
        if kind is bool:
            serve.add_argument(f"--{flag}", action="store_true",
                               default=str(value).lower() in ("1", "true", "yes", "on"),
                               help=f"{text} [{env}]")
        else:
            serve.add_argument(f"--{flag}", type=kind, default=None if value is None
                               else kind(value), help=f"{text} [{env}]")
    _add_count_options(serve)
    serve.set_defaults(func=cmd_serve)

    gen = sub.add_parser("generate", help="write a fixture file with many generated records")
    gen.add_argument("--fixtures", default=str(DEFAULT_FIXTURES),
                     help="base fixture file (its accounts and records are kept)")
    gen.add_argument("--seed", type=int, default=None,
                     help="seed (default: the base file's); same seed, same file")
    gen.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_count_options(gen)
    gen.set_defaults(func=cmd_generate)

    schema = sub.add_parser("fixture-schema", help="print the JSON Schema of fixture documents")
    schema.set_defaults(func=cmd_fixture_schema)

    sign = sub.add_parser("sign", help="print an X-Bizzlink-Signature header value")
    sign.add_argument("--secret", required=True, help="the caller's HMAC secret")
    sign.add_argument("--method", default="GET")
    sign.add_argument("--path", required=True,
                      help="path and query exactly as sent, e.g. '/bizzlink/tenants?page[size]=5'")
    sign.add_argument("--body", default=None,
                      help="the raw body: a literal string, @file, or @- for stdin")
    sign.add_argument("--timestamp", type=int, default=None, help="unix seconds (default now)")
    sign.set_defaults(func=cmd_sign)

    rt = sub.add_parser("roomle-token", help="print a Roomle token header value",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    # Connexion imports Starlette's test client, which warns about httpx on import.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    return args.func(args)
