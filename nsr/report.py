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


def priors_table(priors: dict[str, Any]) -> Table:
    """The declared priors of a run, one per row."""
    table = Table(title="Declared priors")
    table.add_column("prior")
    table.add_column("value")
    for key, value in priors.items():
        table.add_row(key, escape(", ".join(value) if isinstance(value, (list, tuple))
                                  else str(value)))
    return table


def round_line(event: dict[str, Any]) -> str:
    """One plain line per training round."""
    return (f"round {event['round']:3d}  stage<= {event['stage']:<5} pool {event['pool']:6d}  "
            f"train acc {100 * event['accuracy']:6.2f}%  abduced {event['abduced']:5d} "
            f"revised {event['revised']:5d}  programs {event['programs']:3d}  "
            f"{event['seconds']:.1f}s"
            + (f"  split by appearance {event['appearance_splits']}"
               if event.get("appearance_splits") else "")
            + (f"  (no better accuracy in {event['schedule']['since_best']} rounds: stop"
               + _kept(event.get("kept")) + ")" if event.get("stalled") else "")
            + ("  (training time budget spent: stop" + _kept(event.get("kept")) + ")"
               if event.get("out_of_time") else ""))


def error_line(errors: dict[str, Any]) -> str:
    """The wrong outputs by cause, with the most frequent misreadings."""
    causes = ", ".join(f"{k} {v}" for k, v in errors.items()
                       if k not in ("wrong", "misreadings", "misread_tokens"))
    tokens = errors.get("misread_tokens", {})
    misread = ", ".join(f"{k} x{v} ({tokens.get(k, '?')} inputs)"
                        for k, v in list(errors["misreadings"].items())[:5])
    return (f"wrong outputs {errors['wrong']}: {causes}"
            + (f"; most misread: {misread}" if misread else ""))


def consolidation_line(event: dict[str, Any]) -> str:
    """What consolidating image perception, and then the parser, did
    (:mod:`nsr.consolidation`); one line each."""
    lines = []
    rounds = event.get("rounds", 1)
    of = f" (round {event.get('round', 1)} of {rounds})" if rounds > 1 else ""
    if not event.get("parser_only"):
        votes = event.get("votes")
        if votes:
            then = f", then {votes['explained']} explained" if "explained" in votes else ""
            lines.append(
                f"images read again{of}: {votes['changed']} of {votes['doubted']} doubted "
                f"images take another symbol{then}; {votes['tried']} readings tried, "
                f"{votes['seconds']:.1f}s")
        lines.append(
            f"consolidated perception{of}: {event['explained_before']} of "
            f"{event['examples']} "
            f"training expressions explained, {event.get('parsed_otherwise', 0)} parsed "
            f"and {event['read_otherwise']} read otherwise to give their targets, "
            f"{event['labels']} symbols of {event['images']} images relabelled, "
            f"{event['steps']} steps; then {event['explained_after']} explained "
            f"({_consolidation_kept(event['kept'], 'classifier')}); "
            f"{event['seconds']:.1f}s")
        merged = event.get("synonyms")
        if merged:
            lines.append("symbols with one program learned as one: " + ", ".join(
                f"{s} as {into}" + (" (dropped)" if dropped else "")
                for s, into, dropped in merged))
    parser = event.get("parser")
    if parser:
        lines.append(
            f"consolidated parser{of}: {parser['explained_before']} of {event['examples']} "
            f"explained, {parser['parsed_otherwise']} parsed and "
            f"{parser['read_otherwise']} read otherwise; {parser['trees']} trees, "
            f"{parser['epochs']} epochs; then {parser['explained_after']} explained "
            f"({_consolidation_kept(parser['kept'], 'parser')}); "
            f"{parser['seconds']:.1f}s")
    return "\n".join(lines)


def _consolidation_kept(kept: str, what: str) -> str:
    return "kept" if kept == "consolidated" else f"not better: the {what} before it is kept"


def _kept(kept: dict[str, Any] | None) -> str:
    if not kept:
        return ""
    return (f"; keeps the state of round {kept['measured_in_round']}, "
            f"{100 * kept['train_accuracy']:.2f}%")


def symbols_table(rows: list[dict[str, Any]]) -> Table:
    """Every symbol: tokens it grounds, arity, program, its sympy form (numeric programs
    only) and how many of its collected examples the program explains."""
    table = Table(title="Symbols")
    for col in ("symbol", "tokens", "arity", "program", "sympy", "explains"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["symbol"]), escape(" ".join(r["tokens"]) or "-"),
                      "-" if r["arity"] is None else str(r["arity"]),
                      escape(r["program"] or ("(no value)" if r.get("valueless")
                                              else "(none)")),
                      escape(r.get("sympy") or ""),
                      r.get("explains", ""))
    return table


def gss_tree(node, render_value=repr):
    """A grounded symbol tree as a ``rich.tree.Tree``: token, symbol, program, value."""
    from rich.tree import Tree

    def label(n) -> str:
        if getattr(n, "valueless", False):
            return escape(f"{n.token} ▸ s{n.symbol} (no value)")
        prog = ("literal" if getattr(n, "literal", False) else "(no program)"
                if n.program is None else str(n.program))
        value = "undefined" if n.value is None else render_value(n.value)
        return escape(f"{n.token} ▸ s{n.symbol} {prog} = {value}")

    root = Tree(label(node))
    stack = [(node, root)]
    while stack:
        n, t = stack.pop()
        for child in n.children:
            sub = t.add(label(child))
            stack.append((child, sub))
    return root
