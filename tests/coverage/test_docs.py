"""docs/coverage-and-drift.md names only options that exist."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from mock_server.cli import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "coverage-and-drift.md").read_text(
    encoding="utf-8")


def _options(parser: argparse.ArgumentParser, command: str) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {o for action in sub.choices[command]._actions for o in action.option_strings}


@pytest.mark.parametrize("command", ["coverage", "drift"])
def test_every_documented_option_of_the_commands_exists(command):
    known = _options(build_parser(), command)
    lines = [line for line in DOC.splitlines() if f"mock-server {command}" in line]
    # the option tables and lists of each command's section
    section = DOC.split(f"### `mock-server {command}`")[1].split("\n## ")[0] \
        if command == "coverage" else DOC.split("## 2. Drift check")[1].split("\n## ")[0]
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", "\n".join(lines) + section))
    named -= {"--sandbox-coverage"} | {n for n in named if n.startswith("--sandbox-coverage-")}
    assert named and named <= known, named - known


def test_every_documented_plugin_option_exists(pytestconfig):
    named = set(re.findall(r"--sandbox-coverage[a-z-]*", DOC))
    for option in named:
        assert pytestconfig.getoption(option, default="missing") != "missing", option
    assert len(named) == 6
