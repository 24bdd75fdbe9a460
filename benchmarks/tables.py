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


def training_markdown(report: dict[str, Any]) -> str:
    """A training benchmark: per split, accuracy of every seed, median time and memory."""
    lines = ["| split | seeds | test accuracy per seed | median wall time (s) | "
             "peak memory (MB) | data |", "|---|---|---|---|---|---|"]
    for split, summary in report["summary"].items():
        runs = [r for r in report["runs"] if r["split"] == split]
        accs = " ".join(f"{100 * r['accuracy']:.2f}%" for r in runs)
        seeds = ",".join(str(r["seed"]) for r in runs)
        data = "official" if runs[0]["official_data"] else "generated"
        lines.append(f"| {split} | {seeds} | {accs} | {summary['median_wall_seconds']} | "
                     f"{max(r['peak_memory_mb'] for r in runs)} | {data} |")
    priors = report["runs"][0]["priors"] if report["runs"] else {}
    lines.append("")
    lines.append("Priors: " + "; ".join(f"{k} = {v}" for k, v in priors.items()) + ".")
    lines.append(f"Measured on {report['cpu_count']} CPU cores, {report['workers']} run(s) at "
                 f"a time, Python {report['python']}.")
    return "\n".join(lines)


def subsets_markdown(report: dict[str, Any]) -> str:
    """Runs whose test set has ``eval`` subsets (HINT): one row per run and subset."""
    runs = [r for r in report["runs"] if r.get("subsets")]
    names = sorted({k for r in runs for k in r["subsets"]},
                   key=lambda k: ("I", "SS", "LS", "SL", "LL").index(k)
                   if k in ("I", "SS", "LS", "SL", "LL") else 9)
    lines = ["| seed | " + " | ".join(names) + " | average | symbol acc. | head acc. "
             "(valued tokens) | wall time (s) |",
             "|---" * (len(names) + 5) + "|"]
    for r in runs:
        cells = " | ".join(f"{100 * r['subsets'][k]['accuracy']:.2f}%" for k in names)
        head = r.get("head_accuracy_valued", r.get("head_accuracy"))
        lines.append(f"| {r['seed']} | {cells} | {100 * r.get('subset_average', 0):.2f}% | "
                     f"{100 * r.get('symbol_accuracy', 0):.2f}% | "
                     f"{'-' if head is None else f'{100 * head:.2f}%'} | "
                     f"{r['wall_seconds']} |")
    return "\n".join(lines)


def markdown_for(report: dict[str, Any]) -> str:
    """Pick the renderer from the report's ``benchmark`` field."""
    kind = report.get("benchmark")
    if kind == "induction":
        return induction_markdown(report)
    if kind in ("scan", "pcfg", "hint"):
        table = training_markdown(report)
        if any(r.get("subsets") for r in report["runs"]):
            table = subsets_markdown(report) + "\n\n" + table
        return table
    raise ValueError(f"no table renderer for benchmark {kind!r}")
