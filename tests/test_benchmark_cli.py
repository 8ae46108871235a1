"""benchmarks/run.py offers the side-by-side run against Stoplight Prism (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_help_lists_the_prism_mode() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    assert "--prism " in done.stdout
    assert "--prism-package" in done.stdout
