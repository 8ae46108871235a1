"""Mutation testing: how many small changes to a module does a test subset notice?

    python tools/mutate.py mock_server/apis/wallet/models.py tests/wallet
    python tools/mutate.py mock_server/store.py tests/sandbox tests/test_persistence.py \\
        --sample 80 --jobs 2

Each mutant is one change (a flipped comparison, ``and``/``or`` swapped, a negated
condition, a constant off by one, ``True``/``False`` swapped, a removed ``raise`` or
call statement, ``return x`` -> ``return None``, ``+``/``-`` swapped) made to a copy
of the project; the test subset runs against the copy (``pytest -x``) and kills the
mutant when it fails or hangs. Prints the score and every survivor (line, change).

Mutants judged equivalent (no behaviour can tell them apart) are listed in a file
given with ``--equivalent`` (default ``tools/equivalent-mutants.txt``), one id per
line (``path:line:col:operator``) followed by ``#`` and the reason; they do not count.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
        ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
        ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass(frozen=True)
class Mutant:
    id: str
    line: int
    description: str
    source: str


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _points(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, operator name, description) for every place a mutant can be made."""
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in FLIP:
                    yield node, f"compare{i}", \
                        f"{type(op).__name__} -> {FLIP[type(op)].__name__}"
        elif isinstance(node, ast.BoolOp):
            yield node, "boolop", "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "drop-not", "not x -> x"
        elif isinstance(node, ast.If | ast.While) or isinstance(node, ast.IfExp):
            yield node, "negate", "condition negated"
        elif isinstance(node, ast.Constant) and id(node) not in docstrings:
            if isinstance(node.value, bool):
                yield node, "bool", f"{node.value} -> {not node.value}"
            elif isinstance(node.value, int):
                yield node, "int", f"{node.value} -> {node.value + 1}"
        elif isinstance(node, ast.Raise):
            yield node, "drop-raise", "raise removed"
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            yield node, "drop-call", "call statement removed"
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            yield node, "return-none", "return x -> return None"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            yield node, "arith", "+ <-> -"


def _mutate(node: ast.AST, operator: str) -> ast.AST:
    """A copy of ``node`` with the change made (statements become ``pass``)."""
    if operator.startswith("compare"):
        i = int(operator[len("compare"):])
        new = copy.copy(node)
        new.ops = list(node.ops)
        new.ops[i] = FLIP[type(node.ops[i])]()
        return new
    if operator == "boolop":
        new = copy.copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return new
    if operator == "drop-not":
        return node.operand
    if operator == "negate":
        new = copy.copy(node)
        new.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return new
    if operator == "bool":
        return ast.Constant(value=not node.value)
    if operator == "int":
        return ast.Constant(value=node.value + 1)
    if operator in ("drop-raise", "drop-call"):
        return ast.Pass()
    if operator == "return-none":
        return ast.Return(value=ast.Constant(value=None))
    if operator == "arith":
        new = copy.copy(node)
        new.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        return new
    raise ValueError(operator)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST) -> None:
        self.target, self.replacement = target, replacement

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if node is self.target:
            return self.replacement
        return super().generic_visit(node)


def mutants(path: Path) -> list[Mutant]:
    text = path.read_text(encoding="utf-8")
    rel = path.resolve().relative_to(ROOT)
    found = []
    for node, operator, description in list(_points(ast.parse(text))):
        tree = ast.parse(text)  # a fresh tree per mutant: find the same node in it
        twin = next(n for n, op, _ in _points(tree)
                    if op == operator and n.lineno == node.lineno
                    and n.col_offset == node.col_offset and type(n) is type(node))
        mutated = _Replace(twin, _mutate(twin, operator)).visit(tree)
        ast.fix_missing_locations(mutated)
        found.append(Mutant(f"{rel}:{node.lineno}:{node.col_offset}:{operator}", node.lineno,
                            description, ast.unparse(mutated)))
    return found


def _copy_project(into: Path) -> Path:
    target = into / "project"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.pyc", ".ruff_cache", ".pytest_cache"))
    return target


def _run_tests(project: Path, tests: list[str], timeout: float) -> str:
    env = {**os.environ, "PYTHONPATH": str(project), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                               "no:cacheprovider", *tests], cwd=project, env=env,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    return "survived" if done.returncode == 0 else "killed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="the module to mutate, e.g. mock_server/store.py")
    parser.add_argument("tests", nargs="+", help="the test files or folders to run")
    parser.add_argument("--sample", type=int, default=0,
                        help="test a random sample of this many mutants (0: all)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds per run (default: 5 x the unmutated run + 10)")
    parser.add_argument("--equivalent", default=str(ROOT / "tools" / "equivalent-mutants.txt"))
    args = parser.parse_args(argv)

    module = (ROOT / args.module).resolve()
    known = {}
    if Path(args.equivalent).exists():
        for line in Path(args.equivalent).read_text(encoding="utf-8").splitlines():
            mutant_id, _, reason = line.partition("#")
            if mutant_id.strip():
                known[mutant_id.strip()] = reason.strip()
    everything = [m for m in mutants(module) if m.id not in known]
    chosen = everything
    if args.sample and args.sample < len(everything):
        chosen = sorted(random.Random(args.seed).sample(everything, args.sample),
                        key=lambda m: m.line)
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder:
        projects = [_copy_project(Path(folder) / str(i)) for i in range(max(1, args.jobs))]
        started = time.monotonic()
        if _run_tests(projects[0], args.tests, 1800) != "survived":
            print("the tests fail without any mutant: fix them first", file=sys.stderr)
            return 2
        timeout = args.timeout or 5 * (time.monotonic() - started) + 10
        rel = module.relative_to(ROOT)
        free = list(projects)

        def test(mutant: Mutant) -> tuple[Mutant, str]:
            project = free.pop()
            try:
                (project / rel).write_text(mutant.source, encoding="utf-8")
                return mutant, _run_tests(project, args.tests, timeout)
            finally:
                shutil.copyfile(module, project / rel)
                free.append(project)

        with ThreadPoolExecutor(max_workers=len(projects)) as pool:
            results = list(pool.map(test, chosen))
    killed = [m for m, r in results if r.startswith("killed")]
    survivors = [m for m, r in results if r == "survived"]
    score = 100 * len(killed) / len(results) if results else 100.0
    print(f"{rel}: {len(killed)}/{len(results)} mutants killed = {score:.1f}% "
          f"({len(everything)} possible, {len(known)} listed as equivalent)")
    for m in survivors:
        print(f"  survived {m.id}  {m.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
