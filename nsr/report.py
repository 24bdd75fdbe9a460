"""Rich renderings: tables of primitives and benchmark results. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.markup import escape
from rich.table import Table

from nsr.registry import Primitive


def primitives_table(primitives: Iterable[Primitive]) -> Table:
    """One row per primitive: name, type, sets, origin and the first line of its doc."""
    table = Table(title="Primitives", show_lines=False)
    for col in ("name", "type", "sets", "origin", "description"):
        table.add_column(col, overflow="fold")
    for p in primitives:
        kind = " (special form)" if p.special else ""
        lazy = " [lazy: " + ", ".join(str(i) for i, z in enumerate(p.lazy) if z) + "]" \
            if any(p.lazy) else ""
        table.add_row(p.name, escape(str(p.type) + lazy), ", ".join(sorted(p.sets)) or "-",
                      p.origin + kind, (p.doc.splitlines() or [""])[0])
    return table


def induction_table(report: dict[str, Any]) -> Table:
    """The induction benchmark: program found, time and held-out accuracy per target."""
    table = Table(title=f"Program induction (total {report['total_seconds']} s)")
    for col in ("domain", "target", "program", "shown as", "s", "held-out"):
        table.add_column(col, overflow="fold")
    for r in report["targets"]:
        acc = r.get("heldout_accuracy")
        table.add_row(r["domain"], r["name"], r["program"] or "[red]not found[/]",
                      r.get("rendered") or "", f"{r['seconds']:.2f}",
                      "-" if acc is None else f"{100 * acc:.1f}% of {r['heldout_n']}")
    return table
