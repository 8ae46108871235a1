"""docs/pytest.md's example runs, through the installed pytest plugin, and passes."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "pytest.md"


def test_pytest_doc_example_passes(pytester):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    pytester.makepyfile(test_partner_client=code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
