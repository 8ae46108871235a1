"""Every shell example in README.md and docs/ runs against a live ``mock-server serve``,
so they stay true: each ```sh block runs in POSIX sh with ``-e`` (a failing command,
or a bash-only construct, fails it), with the documented address replaced by the test
server's; afterwards no call any example made was answered with a 5xx and the server
printed no traceback. Blocks that cannot run here are listed in NOT_RUN with why."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from mock_server.serving import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED = "http://127.0.0.1:8080"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)

# (file, first line of the block) -> why it is not run by this test
NOT_RUN = {
    ("README.md", "pip install -e '.[dev]' && mock-server serve"):
        "the two commands themselves: .ci/run runs the second",
    ("README.md", "docker build -t tenant-sandbox ."): "no container engine on this machine",
    ("README.md", "mock-server generate --seed 7 --bizzlink-tenants 100000"):
        "generates 100,000 tenants (minutes); tests/test_generate.py covers generate",
    ("README.md", "apt-get install wrk"): "the benchmark, minutes long",
    ("docs/coverage-and-drift.md", "pytest --sandbox-coverage"):
        "pytest options; tests/coverage/test_pytest_plugin.py runs them",
    ("docs/coverage-and-drift.md", "mock-server drift --against https://test.provider.example"):
        "needs the provider's test environment",
    ("docs/fixtures.md", "mock-server generate --seed 7 --bizzlink-tenants 100000"):
        "generates 100,000 tenants (minutes); tests/test_generate.py covers generate",
}


def blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for body in BLOCK.findall(path.read_text(encoding="utf-8")):
            first = body.strip().splitlines()[0]
            found.append((str(path.relative_to(ROOT)), first, body))
    return found


def _skipped(file: str, first: str) -> str | None:
    return next((why for (f, start), why in NOT_RUN.items()
                 if f == file and first.startswith(start)), None)


ALL = blocks()


def test_every_block_not_run_is_listed_with_a_reason():
    for file, start in NOT_RUN:
        assert any(f == file and first.startswith(start) for f, first, _ in ALL), \
            f"NOT_RUN lists a block that no longer exists: {file}: {start}"


@pytest.fixture(scope="module")
def server():
    srv = ServerProcess("--signature-tolerance", "300", capture=True).start()
    yield srv
    srv.stop()
    assert "Traceback" not in srv.output()


@pytest.mark.skipif(shutil.which("mock-server") is None, reason="mock-server is not on PATH")
@pytest.mark.parametrize(("file", "first", "body"),
                         [b for b in ALL if _skipped(b[0], b[1]) is None],
                         ids=[f"{b[0]}:{b[1][:40]}" for b in ALL if _skipped(b[0], b[1]) is None])
def test_shell_example_runs(server, tmp_path, file, first, body):
    address = server.url.removeprefix("http://")
    script = body.replace(DOCUMENTED, server.url).replace("127.0.0.1:8080", address) \
        .replace("localhost:8080", address)
    done = subprocess.run(["sh", "-e", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"{file}: {first}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    for sandbox in httpx.get(f"{server.url}/", headers={"Accept": "application/json"}
                             ).json()["sandboxes"]:
        journal = httpx.get(f"{server.url}/_sandbox/requests", params={"limit": 1000},
                            headers={"X-Sandbox-Id": sandbox}).json()["requests"]
        failed = [(e["method"], e["path"], e["status"]) for e in journal
                  if e["status"] is None or e["status"] >= 500]
        assert not failed, f"{file}: {first}: {failed}"
