"""``pip wheel .`` gives a wheel that works on its own: specs and default fixtures
are bundled, and the server it contains starts and answers from them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

from mock_server.serving import free_port


def test_the_wheel_carries_specs_and_fixtures_and_serves(tmp_path):
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(root)], check=True, timeout=300,
                   capture_output=True)
    wheel = next(tmp_path.glob("tenant_sandbox-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("mock_server/_bundled/openapi/wallet.yaml",
                     "mock_server/_bundled/fixtures/default.yaml",
                     "mock_server/apis/bizzlink/fixture_schema.yaml"):
        assert expected in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert "listening" in line, line
        while "ready at" not in line:
            line = proc.stdout.readline()
            assert line, "the server exited"
        spec = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json").json()
        assert spec["info"]["title"]
        where = subprocess.run([sys.executable, "-c", "import mock_server.config as c; "
                                "print(c.SPEC_DIR)"], env=env, cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
        assert where.strip() == str(unpacked / "mock_server" / "_bundled" / "openapi")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
