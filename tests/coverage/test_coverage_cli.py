"""`mock-server coverage` against a real server: formats and the CI gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.serving import BackgroundServer, free_port

WALLET = {"X-API-KEY": "wk_platform_admin_key"}


@pytest.fixture(scope="module")
def url():
    with BackgroundServer(create_app()) as srv:
        with httpx.Client(base_url=srv.url, headers={"X-Sandbox-Id": "cli-cov"}) as c:
            assert c.get("/api/v1/tenants", headers=WALLET).status_code == 200
            assert c.get("/api/v1/tenants").status_code == 401
            # without X-Tenant-ID: 400 (docs/wallet.md), a status the report then shows seen
            assert c.get("/api/v1/tenants/history", headers=WALLET).status_code == 400
        yield srv.url


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["coverage", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_lists_operations_with_statuses_never_seen(url, capsys):
    code, out, _ = run(capsys, "--url", url, "--sandbox", "cli-cov")
    assert code == 0
    assert "Wallet" in out and "Total: operations 2/7" in out
    row = next(line for line in out.splitlines() if line.strip().endswith("400, 403, 404")
               and "listTenants " in line)
    assert row.split()[0] == "2"
    assert "Not called (not counted in the totals): bizzlink, pigello, roomle" in out


def test_fail_under_gates_and_json_is_the_document(url, capsys, tmp_path):
    code, out, err = run(capsys, "--url", url, "--sandbox", "cli-cov", "--fail-under", "50",
                         "--format", "json")
    assert code == 1
    assert "operations coverage 28.6% is below 50%" in err
    assert json.loads(out)["totals"]["operations"] == {"covered": 2, "documented": 7,
                                                       "percent": 28.6}
    code, _, _ = run(capsys, "--url", url, "--sandbox", "cli-cov", "--fail-under", "28")
    assert code == 0
    code, _, err = run(capsys, "--url", url, "--sandbox", "cli-cov", "--api", "bizzlink",
                       "--fail-under", "1")
    assert code == 1 and "coverage 0.0% is below 1% (0/" in err


def test_nothing_called_fails_any_gate(url, capsys):
    code, _, err = run(capsys, "--url", url, "--sandbox", "nobody-called", "--fail-under", "0")
    assert code == 1 and "no calls" in err


def test_junit_and_markdown_for_ci_pages(url, capsys, tmp_path):
    target = tmp_path / "coverage.xml"
    code, _, _ = run(capsys, "--url", url, "--prefix", "cli-", "--format", "junit",
                     "--fail-under", "90", "-o", str(target))
    assert code == 1
    root = ET.parse(target).getroot()
    suites = {s.get("name"): s for s in root}
    wallet = suites["coverage.wallet"]
    assert wallet.get("tests") == "7" and wallet.get("skipped") == "5"
    assert suites["coverage.threshold"].find("testcase/failure") is not None
    code, out, _ = run(capsys, "--url", url, "--sandbox", "cli-cov", "--format", "markdown")
    assert code == 0
    assert out.startswith("## Contract coverage")
    assert "| `GET /api/v1/tenants` | 400, 403, 404 |" in out.replace("| 2 ", "")


def test_unreachable_server_is_exit_2(capsys):
    code, _, err = run(capsys, "--url", f"http://127.0.0.1:{free_port()}")
    assert code == 2 and "cannot reach" in err
