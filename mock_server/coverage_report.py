"""Coverage documents (``GET /_sandbox/coverage``) as a table, JSON, Markdown or JUnit,
and the threshold check CI gates on. Pure functions of the document: used by the CLI
and the pytest plugin, no server needed."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

METRICS = ("operations", "statuses", "queryParameters", "bodyMembers")
FORMATS = ("table", "json", "markdown", "junit")


def below(report: dict[str, Any], fail_under: float | None,
          metric: str = "operations") -> str | None:
    """Why the report misses the threshold, or None when it meets it (or there is none)."""
    if fail_under is None:
        return None
    if not any(api["inScope"] for api in report["apis"]):
        return "no calls to any API were counted"
    total = report["totals"][metric]
    if total["percent"] < fail_under:
        return (f"{metric} coverage {total['percent']:.1f}% is below {fail_under:g}% "
                f"({total['covered']}/{total['documented']})")
    return None


def _pct(fraction: dict[str, Any]) -> str:
    return f"{fraction['covered']}/{fraction['documented']} ({fraction['percent']:.1f}%)"


def _scoped(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [api for api in report["apis"] if api["inScope"]]


def render_table(report: dict[str, Any]) -> str:
    """Plain text: per API, per operation, with the statuses never seen."""
    lines = [f"Contract coverage of sandbox(es): {', '.join(report['sandboxes']) or '-'}"]
    for api in _scoped(report):
        t = api["totals"]
        lines += ["", f"{api['title']} ({api['api']}): operations {_pct(t['operations'])}, "
                      f"statuses {_pct(t['statuses'])}, query parameters "
                      f"{_pct(t['queryParameters'])}, body members {_pct(t['bodyMembers'])}"]
        rows = [("calls", "method", "path", "operation", "statuses never seen")]
        for op in api["operations"]:
            rows.append((str(op["calls"]), op["method"], op["path"], op["name"],
                         ", ".join(op["statuses"]["neverSeen"]) or "-"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            lines.append("  " + "  ".join(c.rjust(widths[0]) if i == 0 else c.ljust(widths[i])
                                          for i, c in enumerate(row[:4])) + "  " + row[4])
        unrouted = api["unroutedCalls"]
        if unrouted["calls"]:
            lines.append(f"  {unrouted['calls']} call(s) matched no operation "
                         f"(statuses {json.dumps(unrouted['statuses'])})")
    unused = [api["api"] for api in report["apis"] if not api["inScope"]]
    if unused:
        lines += ["", f"Not called (not counted in the totals): {', '.join(unused)}"]
    t = report["totals"]
    lines += ["", f"Total: operations {_pct(t['operations'])}, statuses {_pct(t['statuses'])}, "
                  f"query parameters {_pct(t['queryParameters'])}, "
                  f"body members {_pct(t['bodyMembers'])}"]
    return "\n".join(lines) + "\n"


def render_markdown(report: dict[str, Any]) -> str:
    """A summary for CI pages (e.g. ``$GITHUB_STEP_SUMMARY``)."""
    t = report["totals"]
    lines = ["## Contract coverage", "",
             "| API | Operations | Statuses | Query parameters | Body members |",
             "|---|---|---|---|---|"]
    for api in _scoped(report):
        a = api["totals"]
        lines.append(f"| {api['title']} | {_pct(a['operations'])} | {_pct(a['statuses'])} | "
                     f"{_pct(a['queryParameters'])} | {_pct(a['bodyMembers'])} |")
    lines.append(f"| **Total** | {_pct(t['operations'])} | {_pct(t['statuses'])} | "
                 f"{_pct(t['queryParameters'])} | {_pct(t['bodyMembers'])} |")
    for api in _scoped(report):
        lines += ["", f"### {api['title']}", "",
                  "| Calls | Operation | Statuses never seen | Query parameters never sent |",
                  "|---:|---|---|---|"]
        for op in api["operations"]:
            never = ", ".join(op["statuses"]["neverSeen"]) or "-"
            params = ", ".join(f"`{q}`" for q in op["queryParameters"]["neverSent"]) or "-"
            lines.append(f"| {op['calls']} | `{op['method']} {op['path']}` | {never} | "
                         f"{params} |")
    return "\n".join(lines) + "\n"


def render_junit(report: dict[str, Any], fail_under: float | None = None,
                 metric: str = "operations") -> str:
    """JUnit XML: a suite per API, a test case per operation (skipped when never called),
    plus one test case for the threshold that fails below it."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="contract-coverage">']
    for api in _scoped(report):
        ops = api["operations"]
        skipped = sum(1 for op in ops if not op["calls"])
        out.append(f"  <testsuite name={quoteattr('coverage.' + api['api'])} "
                   f'tests="{len(ops)}" skipped="{skipped}" failures="0">')
        for op in ops:
            name = quoteattr(f"{op['method']} {op['path']} ({op['name']})")
            out.append(f"    <testcase classname={quoteattr('coverage.' + api['api'])} "
                       f"name={name}>")
            if not op["calls"]:
                out.append('      <skipped message="never called"/>')
            else:
                never = ", ".join(op["statuses"]["neverSeen"]) or "none"
                out.append(f"      <system-out>{escape(str(op['calls']))} call(s); statuses "
                           f"never seen: {escape(never)}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    failed = below(report, fail_under, metric)
    out.append('  <testsuite name="coverage.threshold" tests="1" skipped="0" '
               f'failures="{int(failed is not None)}">')
    label = f"{metric} >= {fail_under:g}%" if fail_under is not None else metric
    out.append(f'    <testcase classname="coverage.threshold" name={quoteattr(label)}>')
    if failed:
        out.append(f"      <failure message={quoteattr(failed)}/>")
    out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def render(report: dict[str, Any], fmt: str = "table", fail_under: float | None = None,
           metric: str = "operations") -> str:
    """The report in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "junit":
        return render_junit(report, fail_under, metric)
    return render_table(report)
