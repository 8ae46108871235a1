"""Keep tools/equivalent-mutants.txt pointing at the same code after edits.

An equivalent mutant's id names a line (``path:line:col:operator``); editing the module
above it moves the line. This follows each id from the commit that listed it (git
blame of the list) to the working tree by diffing that version of the file against
the current one, rewrites the ids that moved, and prints those whose own line changed
or went (judge those again by hand). Run from the checkout's root:

    python tools/remap_equivalents.py
"""

from __future__ import annotations

import difflib
import re
import subprocess
from pathlib import Path

EQ = Path("tools/equivalent-mutants.txt")
ENTRY = re.compile(r"^(\S+?):(\d+):(\d+):(\S+)(\s.*)?$")


def _git(*args: str) -> str | None:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def _listing_commits() -> list[str]:
    """The commit that wrote each line of the list (all zeros: not committed yet)."""
    commits: list[str] = []
    current = ""
    for line in (_git("blame", "--line-porcelain", str(EQ)) or "").splitlines():
        if re.match(r"^[0-9a-f]{40} ", line):
            current = line.split()[0]
        elif line.startswith("\t"):
            commits.append(current)
    return commits


def _line_map(commit: str, path: str) -> dict[int, int]:
    """Line numbers of ``path`` at ``commit`` -> the same, unchanged lines now."""
    old = _git("show", f"{commit}:{path}")
    if old is None or not Path(path).exists():
        return {}
    matcher = difflib.SequenceMatcher(a=old.splitlines(),
                                      b=Path(path).read_text(encoding="utf-8").splitlines(),
                                      autojunk=False)
    return {a + k + 1: b + k + 1 for a, b, size in matcher.get_matching_blocks()
            for k in range(size)}


def main() -> int:
    lines = EQ.read_text(encoding="utf-8").splitlines()
    commits = _listing_commits()
    if len(commits) != len(lines):
        print("git blame does not cover the list (not in a git checkout?)")
        return 1
    maps: dict[tuple[str, str], dict[int, int]] = {}
    out: list[str] = []
    moved = 0
    lost: list[str] = []
    for text, commit in zip(lines, commits, strict=True):
        entry = ENTRY.match(text)
        if entry is None or set(commit) == {"0"}:
            out.append(text)
            continue
        path, line, col, operator, rest = entry.groups()
        mapping = maps.setdefault((commit, path), _line_map(commit, path))
        now = mapping.get(int(line))
        if now is None:
            lost.append(text)
            out.append(text)
            continue
        moved += now != int(line)
        out.append(f"{path}:{now}:{col}:{operator}{rest or ''}")
    EQ.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{moved} ids moved with their line; {len(lost)} whose line changed or went "
          f"(kept as they were, judge them again):")
    for text in lost:
        print("   " + text[:120])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
