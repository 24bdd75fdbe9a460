"""Markdown tables for README.md, regenerated from benchmark JSON results."""

from __future__ import annotations

from typing import Any


def induction_markdown(report: dict[str, Any]) -> str:
    """The induction benchmark as a markdown table, one row per target."""
    lines = ["| domain | target | program found | shown as | time (s) | held-out accuracy |",
             "|---|---|---|---|---|---|"]
    for t in report["targets"]:
        shown = t.get("rendered") or ""
        shown = "" if shown == t["program"] else f"`{shown}`"
        acc = t.get("heldout_accuracy")
        held = "not found" if acc is None else (
            f"{100 * acc:.1f}% of {t['heldout_n']} (largest input "
            f"{t['largest_heldout_input']}; examples up to {t['largest_example_input']})")
        program = f"`{t['program']}`" if t["program"] else "-"
        lines.append(f"| {t['domain']} | {t['name']} | {program} | {shown} | "
                     f"{t['seconds']:.2f} | {held} |")
    lines.append("")
    lines.append(f"Total {report['total_seconds']} s (held-out evaluation included), slowest "
                 f"target {report['max_target_seconds']} s, peak memory "
                 f"{report['peak_memory_mb']} MB, Python {report['python']}.")
    return "\n".join(lines)


def markdown_for(report: dict[str, Any]) -> str:
    """Pick the renderer from the report's ``benchmark`` field."""
    kind = report.get("benchmark")
    if kind == "induction":
        return induction_markdown(report)
    raise ValueError(f"no table renderer for benchmark {kind!r}")
