"""Installing tenant-sandbox must not change a user's unrelated test run, and the
patches of third-party code happen only where serve applies them (patches.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str, prelude: str = "", strict: bool = False) -> subprocess.CompletedProcess:
    flags = ["-W", "error"] if strict else ["-W", "ignore::DeprecationWarning"]
    return subprocess.run([sys.executable, *flags, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)


SNAPSHOT = """
import gc, importlib
def snapshot():
    import connexion.decorators.parameter as p
    import faker.factory as f
    e = importlib.import_module("email_validator.validate_email")
    return (p._get_query_arguments, f.list_module, e.validate_email_domain_name,
            list(gc.callbacks), gc.get_freeze_count())
"""


def test_importing_the_plugin_imports_no_framework_and_warns_nothing():
    done = run_python("""
        import sys
        import mock_server.testing
        heavy = [m for m in ("connexion", "flask", "faker", "starlette", "mock_server.app")
                 if m in sys.modules]
        assert not heavy, heavy
    """, strict=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_package_the_plugin_and_create_app_leave_libraries_and_gc_as_they_were():
    done = run_python(prelude=SNAPSHOT, code="""
        before = snapshot()
        import mock_server, mock_server.testing
        from mock_server.app import create_app
        app = create_app()
        with app.test_client() as c:
            assert c.get("/_sandbox/health").status_code == 200
        after = snapshot()
        assert before == after, (before, after)
    """)
    assert done.returncode == 0, done.stderr[-2000:]


def test_serve_applies_every_patch_and_each_still_finds_its_target():
    done = run_python(prelude=SNAPSHOT, code="""
        before = snapshot()
        from mock_server import patches
        patches.apply()
        after = snapshot()
        changed = [i for i in range(5) if before[i] != after[i]]
        assert changed == [1, 2, 3], changed  # Connexion itself is never patched
        patches.apply()  # once per process
        assert snapshot()[3] == after[3]
        import email_validator
        assert email_validator.validate_email("a@b.example", check_deliverability=False)
        assert email_validator.validate_email("c@b.example", check_deliverability=False)
    """)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_users_unrelated_run_gets_no_warnings_from_the_plugin(pytester):
    pytester.makepyfile(test_mine="def test_one():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-W", "error")
    result.assert_outcomes(passed=1, warnings=0)
    assert "tenant-sandbox" in result.stdout.str()  # the plugin was loaded
    assert "warnings summary" not in result.stdout.str()


def test_the_plugins_fixtures_work_in_a_users_run(pytester):
    pytester.makepyfile(test_mine="""
        def test_uses_the_sandbox(sandbox_client):
            assert sandbox_client.get("/_sandbox/health").status_code == 200
    """)
    result = pytester.runpytest_subprocess("-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=1)


def test_credentials_name_the_apis_and_roles_that_exist(sandbox):
    import pytest

    with pytest.raises(LookupError, match=r"no API 'walet': this sandbox has .*wallet"):
        sandbox.credentials("walet")
    with pytest.raises(LookupError, match=r"no wallet principal with role 'owner': its roles "
                                          r"are .*platform_admin"):
        sandbox.credentials("wallet", "owner")
    assert sandbox.credentials("wallet", "platform_admin")["headers"]["X-API-KEY"]
