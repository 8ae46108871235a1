"""``mock-server scaffold``: a new API package that works from the first run. Scaffolded
into a copy of the project, its own tests pass, its spec passes both spec checks, and
it refuses bad names and existing packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_scaffolded_api_passes_its_own_tests_and_the_spec_checks(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.pyc", ".ruff_cache", ".pytest_cache", ".mypy_cache"))
    env = {**os.environ, "PYTHONPATH": str(project)}
    made = subprocess.run([sys.executable, "-m", "mock_server", "scaffold", "acme_billing",
                           "--base-path", "/acme/v1"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert "mock_server/apis/acme_billing/models.py" in made.stdout
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/acme_billing", "tests/test_specs.py", "tests/test_spec_lint.py",
                            "-k", "acme_billing"], cwd=project, env=env, capture_output=True,
                           text=True, timeout=300)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout
    again = subprocess.run([sys.executable, "-m", "mock_server", "scaffold", "acme_billing"],
                           cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "exists already" in again.stderr
    bad = subprocess.run([sys.executable, "-m", "mock_server", "scaffold", "Not-A-Name"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "lower-case" in bad.stderr
