"""The ``nsr`` command line: thin commands over plain library functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from nsr.errors import NSRError

app = typer.Typer(help="Neural-symbolic recursive machine: learn programs from examples.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks that write JSON results.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console()

CodeOption = Annotated[Optional[list[Path]], typer.Option(
    "--code", help="A Python file of @primitive functions to add (repeatable).")]


def _fail(exc: Exception) -> None:
    Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(code=2)


def load_registry(code: list[Path] | None):
    """The default registry plus any ``--code`` files."""
    from nsr.registry import Registry

    registry = Registry.default()
    for path in code or []:
        registry.load_code_file(path)
    return registry


@app.command()
def primitives(code: CodeOption = None,
               set_: Annotated[Optional[list[str]], typer.Option(
                   "--set", help="Show only these primitive sets.")] = None) -> None:
    """List every primitive with its type and origin."""
    from nsr.report import primitives_table

    try:
        registry = load_registry(code)
        prims = registry.in_sets(set_) if set_ else list(registry)
    except NSRError as exc:
        _fail(exc)
    console.print(primitives_table(prims))


@bench_app.command("induction")
def bench_induction(
        out: Annotated[Path, typer.Option(help="Where to write the JSON results.")],
        seed: int = 0,
        timeout: Annotated[float, typer.Option(help="Seconds allowed per target.")] = 10.0,
        examples: Annotated[int, typer.Option(help="Examples per target.")] = 40) -> None:
    """Induce every SCAN word, PCFG SET function and HINT operator from examples."""
    from benchmarks.induction import run_benchmark
    from nsr.report import induction_table

    with console.status("inducing programs...") as status:
        report = run_benchmark(seed=seed, timeout=timeout, n_examples=examples,
                               progress=lambda r: status.update(f"done: {r['name']}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    console.print(induction_table(report))
    console.print(f"all found: {report['all_found']}, all correct: {report['all_correct']}, "
                  f"slowest target {report['max_target_seconds']} s; wrote {out}")


@bench_app.command("table")
def bench_table(result: Annotated[Path, typer.Argument(help="A benchmark JSON file.")]) -> None:
    """Print the README's markdown table for a benchmark JSON file."""
    from benchmarks.tables import markdown_for

    try:
        report = json.loads(result.read_text())
        typer.echo(markdown_for(report))
    except (OSError, ValueError, KeyError) as exc:
        _fail(ValueError(f"{result}: {exc}"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
