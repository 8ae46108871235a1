"""Drift against a Prism mock of the Wallet spec (optional: skipped without Prism).

Prism answers from the spec alone (examples or schema-made values): what it returns
is valid and shaped like ours, so only values differ, and drift reports them as such
with --compare-values. Install Prism with `npm install -g @stoplight/prism-cli`, or
point PRISM at its executable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import SPEC_DIR, Config
from mock_server.serving import BackgroundServer, free_port
from tests.coverage.scenario import exercise

PRISM = os.environ.get("PRISM") or shutil.which("prism")
pytestmark = pytest.mark.skipif(not PRISM, reason="Prism (@stoplight/prism-cli) is not "
                                                  "installed; set PRISM to its executable")


@pytest.fixture(scope="module")
def prism():
    port = free_port()
    proc = subprocess.Popen([PRISM, "mock", "-h", "127.0.0.1", "-p", str(port),
                             str(SPEC_DIR / "wallet.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/tenants", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Prism did not start")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_prism_answers_are_reported_as_value_differences(prism, tmp_path, capsys):
    creds = tmp_path / "credentials.json"
    creds.write_text(json.dumps({"wallet": {
        "headers": {"X-API-KEY": "prism-accepts-any-key"},
        "bodySecrets": {"tenantAdmin.password": "An0ther-passw0rd"}}}))
    report_file = tmp_path / "report.json"
    with BackgroundServer(create_app(Config())) as srv:
        exercise(srv.url, "prism")
        code = main(["drift", "--url", srv.url, "--sandbox", "prism", "--api", "wallet",
                     "--base", f"wallet={prism}", "--credentials",
                     str(creds), "--compare-values", "--rate", "0", "-o", str(report_file)])
    out = capsys.readouterr().out
    report = json.loads(report_file.read_text())
    assert code == 1, out
    assert report["replayed"] == 2
    diffs = [d for c in report["calls"] for d in c["differences"]]
    assert {d["kind"] for d in diffs} == {"value"}, out
    register = report["calls"][0]
    assert register["sent"] == f"{prism}/tenants/register"
    status_code = next(d for d in register["differences"] if d["member"] == "statusCode")
    assert status_code["ours"] == 201 and status_code["theirs"] != 201
