"""tests/PROMISES.md names only tests (or fixtures) that exist, and covers every doc."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "tests" / "PROMISES.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def test_every_named_test_exists():
    text = TABLE.read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) > 100
    missing = [f"{path}::{name}" for path, name in references
               if not (ROOT / path).is_file()
               or not re.search(rf"^\s*def {name}\(", (ROOT / path).read_text(encoding="utf-8"),
                                re.M)]
    assert missing == []


def test_every_doc_has_its_section():
    headings = re.findall(r"^## (\S+)$", TABLE.read_text(encoding="utf-8"), re.M)
    docs = ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
    assert sorted(headings) == sorted(docs)
