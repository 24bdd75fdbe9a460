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


@bench_app.command("scan")
def bench_scan(
        out: Annotated[Path, typer.Option(help="Where to write the JSON results.")],
        splits: Annotated[str, typer.Option(help="Comma-separated splits.")] =
        "simple,length,addprim_jump,addprim_turn_left,around_right",
        seeds: Annotated[str, typer.Option(help="Seeds, e.g. 0-4 or 0,2.")] = "0-4",
        data_dir: DataDir = None,
        workers: Annotated[int, typer.Option(help="Runs in parallel.")] = 1) -> None:
    """Train SCAN from scratch on every split and seed; accuracy, time and memory."""
    from nsr.bench import parse_seeds, run_training_benchmark
    from nsr.tasks import data_dir_or_env

    folder = data_dir_or_env(data_dir)
    report = run_training_benchmark(
        "scan", [s.strip() for s in splits.split(",") if s.strip()], parse_seeds(seeds),
        data_dir=str(folder) if folder else None, workers=workers,
        progress=lambda r: typer.echo(
            f"{r['split']} seed {r['seed']}: {100 * r['accuracy']:.2f}% "
            f"in {r['wall_seconds']} s, {r['peak_memory_mb']} MB"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    typer.echo(f"wrote {out}")


@bench_app.command("table")
def bench_table(result: Annotated[Path, typer.Argument(help="A benchmark JSON file.")]) -> None:
    """Print the README's markdown table for a benchmark JSON file."""
    from benchmarks.tables import markdown_for

    try:
        report = json.loads(result.read_text())
        typer.echo(markdown_for(report))
    except (OSError, ValueError, KeyError) as exc:
        _fail(ValueError(f"{result}: {exc}"))


DataDir = Annotated[Optional[Path], typer.Option(
    "--data-dir", help="Folder of the official data (else $NSR_DATA, else generated).")]


def _reporter(plain: bool):
    from nsr.report import priors_table, round_line

    fancy = console.is_terminal and not plain

    def report(event: dict) -> None:
        if event["event"] == "start":
            if fancy:
                console.print(priors_table(event["priors"]))
            else:
                typer.echo(f"priors: {json.dumps(event['priors'])}")
            typer.echo(f"training on {event['examples']} examples"
                       + (f", resumed at round {event['resumed_from']}"
                          if event["resumed_from"] is not None else ""))
        elif event["event"] == "round":
            line = round_line(event)
            console.print(f"[cyan]{line}[/]") if fancy else typer.echo(line, err=False)
    return report


@app.command()
def train(
        benchmark: Annotated[str, typer.Argument(help="Benchmark: scan.")] = "scan",
        split: Annotated[str, typer.Option(help="Benchmark split.")] = "simple",
        seed: int = 0,
        out: Annotated[Optional[Path], typer.Option(help="Run folder.")] = None,
        data_dir: DataDir = None,
        train_file: Annotated[Optional[Path], typer.Option(help="Training file.")] = None,
        test_file: Annotated[Optional[Path], typer.Option(help="Test file.")] = None,
        resume: Annotated[Optional[Path], typer.Option(
            help="Continue the run in this folder from its last checkpoint.")] = None,
        plain: Annotated[bool, typer.Option(help="Plain log lines, no colours.")] = False,
        code: CodeOption = None) -> None:
    """Train perception, parser and programs jointly from (input, output) pairs."""
    from nsr.presets import preset
    from nsr.run import evaluate, train_run
    from nsr.tasks import load_examples

    try:
        registry = load_registry(code)
        run_dir = resume or out or Path("runs") / f"{benchmark}-{split}-seed{seed}"
        if resume:
            from nsr.checkpoint import load_config
            config = load_config(run_dir)
            benchmark, split, seed = config.benchmark, config.split, config.loop.seed
        else:
            config = preset(benchmark, split=split, seed=seed)
        train_set, test_set = load_examples(benchmark, split, seed=seed, data_dir=data_dir,
                                            train_file=train_file, test_file=test_file)
        summary = train_run(config, run_dir, train_set, registry=registry,
                            resume=resume is not None, on_event=_reporter(plain))
    except NSRError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        Console(stderr=True).print(f"interrupted: the last checkpoint in {run_dir} is kept; "
                                   f"continue with: nsr train --resume {run_dir}")
        raise typer.Exit(code=130)
    from nsr.checkpoint import load
    machine, _, _ = load(run_dir, registry)
    result = evaluate(machine, test_set)
    typer.echo(f"test accuracy {100 * result['accuracy']:.2f}% of {result['n']} "
               f"({benchmark} {split}, seed {seed}); trained in {summary['seconds']} s; "
               f"run folder {run_dir}")


@app.command("eval")
def eval_(run: Annotated[Path, typer.Argument(help="A run folder.")],
          split: Annotated[Optional[str], typer.Option(help="Split to test on.")] = None,
          test_file: Annotated[Optional[Path], typer.Option(help="A test file.")] = None,
          data_dir: DataDir = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
          = False) -> None:
    """Exact-match accuracy of a trained run on a split's test set or a file."""
    from nsr.checkpoint import load
    from nsr.run import evaluate
    from nsr.tasks import load_examples

    try:
        machine, config, progress = load(run)
        split = split or config.split
        _, test_set = load_examples(config.benchmark, split, seed=config.loop.seed,
                                    data_dir=data_dir, test_file=test_file)
    except NSRError as exc:
        _fail(exc)
    result = {"run": str(run), "benchmark": config.benchmark, "split": split,
              "test_file": str(test_file) if test_file else None,
              **evaluate(machine, test_set), "priors": config.priors.describe()}
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(f"accuracy {100 * result['accuracy']:.2f}% of {result['n']} "
                   f"({config.benchmark} {split}) in {result['seconds']} s")


@app.command()
def inspect(run: Annotated[Path, typer.Argument(help="A run folder (may still train).")],
            input_: Annotated[Optional[str], typer.Option(
                "--input", help="Show the grounded symbol tree of this input.")] = None
            ) -> None:
    """Show every symbol's program and, for an input, its grounded symbol tree."""
    from nsr.checkpoint import load
    from nsr.report import gss_tree, priors_table, symbols_table
    from nsr.run import explain, symbol_rows

    try:
        machine, config, progress = load(run)
        console.print(priors_table(config.priors.describe()))
        console.print(symbols_table(symbol_rows(machine)))
        if input_ is not None:
            node, deduction = explain(machine, input_.split())
            console.print(gss_tree(node, render_value=_show_value))
            typer.echo(f"output: {_show_value(deduction.output)}")
    except NSRError as exc:
        _fail(exc)


def _show_value(value) -> str:
    if isinstance(value, tuple):
        return " ".join(value) if value else "(empty)"
    return "undefined" if value is None else str(value)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
