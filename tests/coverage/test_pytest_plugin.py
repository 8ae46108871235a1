"""The pytest plugin's opt-in coverage summary of the sandboxes a run used."""

from __future__ import annotations

import xml.etree.ElementTree as ET

CLIENT_TESTS = '''
WALLET = {"X-API-KEY": "wk_platform_admin_key"}


def test_lists_over_http(sandbox):
    with sandbox.client() as http:
        assert http.get("/api/v1/tenants", headers=WALLET).status_code == 200


def test_refused_in_process(sandbox_client):
    assert sandbox_client.get("/api/v1/tenants").status_code == 401
'''


def test_off_unless_asked(pytester):
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert "sandbox contract coverage" not in result.stdout.str()


def test_summary_threshold_and_reports(pytester):
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--sandbox-coverage-fail-under", "50",
        "--sandbox-coverage-report", "junit:coverage.xml")
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    out = result.stdout.str()
    assert "sandbox contract coverage" in out
    # both servers the plugin started are counted: 200 over HTTP, 401 in process
    result.stdout.fnmatch_lines(["*2  GET     /api/v1/tenants *listTenants *400, 403, 404",
                                 "Total: operations 1/7 (14.3%)*",
                                 "FAIL: operations coverage 14.3% is below 50%*"])
    suites = {s.get("name"): s for s in ET.parse(pytester.path / "coverage.xml").getroot()}
    assert suites["coverage.threshold"].find("testcase/failure") is not None
    passing = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--sandbox-coverage-fail-under", "10",
        "--sandbox-coverage-api", "wallet", "--sandbox-coverage-api", "roomle")
    assert passing.ret == 1  # Roomle named, never called: 1 of 17 operations
    passing = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--sandbox-coverage-fail-under", "10",
        "--sandbox-coverage-api", "wallet")
    assert passing.ret == 0
    passing.stdout.fnmatch_lines(["Total: operations 1/7 (14.3%)*"])
