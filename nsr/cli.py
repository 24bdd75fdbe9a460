"""The ``nsr`` command line: thin commands over plain library functions."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from nsr.errors import ConfigError, NSRError

app = typer.Typer(help="Neural-symbolic recursive machine: learn programs from examples.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks that write JSON results.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console()

CodeOption = Annotated[Optional[list[Path]], typer.Option(
    "--code", help="A Python file of @primitive functions to add (repeatable).")]


def _fail(exc: Exception) -> None:
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(exc))}",
                                               highlight=False)
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


BenchOut = Annotated[Path, typer.Option(help="Where to write the JSON results.")]
Splits = Annotated[str, typer.Option(help="Comma-separated splits.")]
Seeds = Annotated[str, typer.Option(help="Seeds, e.g. 0-4 or 0,2.")]
Workers = Annotated[int, typer.Option(help="Runs in parallel.")]


@bench_app.command("scan")
def bench_scan(
        out: BenchOut, splits: Splits = "simple,length,addprim_jump,addprim_turn_left,"
        "around_right", seeds: Seeds = "0-4", data_dir: DataDir = None,
        workers: Workers = 1) -> None:
    """Train SCAN from scratch on every split and seed; accuracy, time and memory."""
    _bench_splits("scan", out, splits, seeds, data_dir, workers)


@bench_app.command("pcfg")
def bench_pcfg(
        out: BenchOut, splits: Splits = "pcfgset,systematicity,productivity",
        seeds: Seeds = "0-4", data_dir: DataDir = None, workers: Workers = 1) -> None:
    """Train PCFG SET from scratch on every split and seed; accuracy, time and memory."""
    _bench_splits("pcfg", out, splits, seeds, data_dir, workers)


def _write_report(out: Path, report: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    typer.echo(f"wrote {out}")


def _bench_splits(benchmark: str, out: Path, splits: str, seeds: str,
                  data_dir: Path | None, workers: int) -> None:
    from nsr.bench import parse_seeds, run_training_benchmark
    from nsr.tasks import data_dir_or_env

    folder = data_dir_or_env(data_dir)
    report = run_training_benchmark(
        benchmark, [s.strip() for s in splits.split(",") if s.strip()], parse_seeds(seeds),
        data_dir=str(folder) if folder else None, workers=workers,
        progress=lambda r: typer.echo(
            f"{r['split']} seed {r['seed']}: {100 * r['accuracy']:.2f}% "
            f"in {r['wall_seconds']} s, {r['peak_memory_mb']} MB"))
    _write_report(out, report)


@bench_app.command("hint")
def bench_hint(
        out: BenchOut, seeds: Seeds = "0-4", data_dir: DataDir = None,
        workers: Workers = 1,
        input_: Annotated[str, typer.Option(
            "--input", help="symbol, or image / image-cpu (handwritten symbol images "
                            "from --data-dir).")] = "symbol",
        device: Annotated[str, typer.Option(help="Image input: cpu or cuda.")] = "cpu",
        threads: Annotated[int, typer.Option(
            help="Image input: torch CPU threads per run at evaluation (training "
                 "uses the run's own, 1).", min=1)] = 1,
        max_seconds: Annotated[Optional[float], typer.Option(
            help="Image input: each run's training-time budget (as nsr train's).",
            min=0)] = None,
        averaged_copies: Annotated[int, typer.Option(
            help="Image input: jittered copies averaged at evaluation (as nsr eval's).",
            min=0)] = 0,
        runs_dir: Annotated[Optional[Path], typer.Option(
            help="Image input: keep seed S's run in DIR/seedS (and its log in "
                 "DIR/seedS.log); a run already there is resumed.")] = None) -> None:
    """Train HINT from scratch per seed; accuracy per subset, time, memory.

    Image input keeps every run folder (--runs-dir, default runs/bench-hint-INPUT) and
    records the device, GPU, training, consolidation and evaluation times."""
    from nsr.bench import parse_seeds, run_training_benchmark
    from nsr.tasks import data_dir_or_env

    folder = data_dir_or_env(data_dir)
    if input_ in ("image", "image-cpu"):
        return _bench_hint_images(out, parse_seeds(seeds), folder, workers, input_, device,
                                  threads, max_seconds, averaged_copies, runs_dir)
    if input_ != "symbol":
        _fail(ConfigError(f"--input {input_}: must be symbol, image or image-cpu"))
    report = run_training_benchmark(
        "hint", ["symbol"], parse_seeds(seeds),
        data_dir=str(folder) if folder else None, workers=workers,
        progress=lambda r: typer.echo(
            f"seed {r['seed']}: {100 * r['accuracy']:.2f}% (subset average "
            f"{100 * r.get('subset_average', 0):.2f}%) in {r['wall_seconds']} s, "
            f"{r['peak_memory_mb']} MB"))
    _write_report(out, report)


def _bench_hint_images(out: Path, seeds: list[int], folder: Path | None, workers: int,
                       size: str, device: str, threads: int, max_seconds: float | None,
                       averaged_copies: int, runs_dir: Path | None) -> None:
    from nsr.image_bench import ImageJob, run_image_benchmark
    from nsr.image_input import image_data_dir

    try:
        folder = image_data_dir(folder)  # refused here, not in every worker
    except NSRError as exc:
        _fail(exc)
    runs = runs_dir or Path("runs") / f"bench-hint-{size}"
    runs.mkdir(parents=True, exist_ok=True)
    jobs = [ImageJob(seed=s, size=size, device=device, data_dir=str(folder),
                     runs_dir=str(runs), threads=threads, max_seconds=max_seconds,
                     averaged_copies=averaged_copies) for s in seeds]
    typer.echo(f"{len(jobs)} run(s), {workers} at a time; logs in {runs}/seedS.log")
    report = run_image_benchmark(jobs, workers=workers, progress=lambda r: typer.echo(
        f"seed {r['seed']}: subset average {100 * r['subset_average']:.2f}%, symbol "
        f"accuracy {100 * r['symbol_accuracy']:.2f}%; ended by {r['ended']} after "
        f"{r['rounds']} rounds, trained {r['training_seconds']} s, consolidated "
        f"{r['consolidation_seconds']} s, evaluated {r['eval_seconds']} s"))
    _write_report(out, report)


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
    from nsr.report import consolidation_line, priors_table, round_line

    fancy = console.is_terminal and not plain

    def report(event: dict) -> None:
        if event["event"] == "start":
            if fancy:
                console.print(priors_table(event["priors"]))
            else:
                typer.echo(f"priors: {json.dumps(event['priors'])}")
            typer.echo(f"training on {event['examples']} examples"
                       + (f", resumed at round {event['resumed_from']}"
                          if event["resumed_from"] is not None else "")
                       + (f"; the run had ended after round {event['ended_after']}"
                          if event.get("ended_after") is not None else ""))
        elif event["event"] == "round":
            line = round_line(event)
            console.print(f"[cyan]{line}[/]") if fancy else typer.echo(line, err=False)
        elif event["event"] == "consolidated":
            line = consolidation_line(event)
            console.print(f"[green]{line}[/]") if fancy else typer.echo(line, err=False)
    return report


def _recorded_data(run: Path, data_dir: Path | None, train_file: Path | None,
                   test_file: Path | None) -> tuple[Path | None, Path | None, Path | None]:
    """On resume, the data the run recorded, unless given again."""
    from nsr.checkpoint import data_record

    recorded = data_record(run)

    def pick(given: Path | None, key: str) -> Path | None:
        return given if given is not None or not recorded.get(key) else Path(recorded[key])
    return pick(data_dir, "data_dir"), pick(train_file, "train_file"), pick(test_file,
                                                                           "test_file")


def _data_source(data_dir: Path | None, train_file: Path | None,
                 test_file: Path | None) -> dict[str, str | None]:
    from nsr.tasks import data_dir_or_env

    folder = data_dir_or_env(data_dir)
    return {"data_dir": str(folder) if folder else None,
            "train_file": str(train_file) if train_file else None,
            "test_file": str(test_file) if test_file else None}


def _refuse_to_overwrite(run_dir: Path, overwrite: bool) -> None:
    from nsr.errors import ResumeError

    if overwrite or not (run_dir / "state.json").exists():
        return
    raise ResumeError(f"{run_dir} already holds a run; continue it with "
                      f"nsr train --resume {run_dir}, or start again with --overwrite")


@contextmanager
def _data_errors() -> Iterator[None]:
    """A missing file or an unknown split named by a loader, as a one-line error."""
    from nsr.errors import DataError

    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise NSRError(str(exc)) from exc
        raise DataError(exc.filename, None, exc.strerror or str(exc)) from exc
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler's stop) is handled like Ctrl-C: checkpoint, then stop."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupted(run_dir: Path | None) -> None:
    err = Console(stderr=True, soft_wrap=True)
    state = run_dir / "state.json" if run_dir is not None else None
    if state is None or not state.exists():
        err.print("interrupted before any checkpoint was written", highlight=False)
    else:
        try:
            done = json.loads(state.read_text())["progress"]
            what = ("the finished run" if done.get("finished")
                    else f"the checkpoint of round {done.get('round')}")
        except (OSError, ValueError, KeyError, TypeError):
            what = "the last checkpoint"
        err.print(f"interrupted: {what} is kept in {run_dir}; continue with: "
                  f"nsr train --resume {run_dir}", highlight=False)
    raise typer.Exit(code=130)


def _task_options_only(benchmark: str, split: str | None, *paths: Path | None) -> None:
    """With ``--task`` the spec names the data: benchmark options are refused."""
    if benchmark != "scan" or split is not None or any(p is not None for p in paths):
        _fail(ConfigError("--task (or resuming a task run) takes its data from the spec: "
                          "give no benchmark, --split, --data-dir, --train-file or "
                          "--test-file"))


def _train_task(task: Path | None, *, resume: Path | None, out: Path | None, seed: int,
                plain: bool, code: list[Path] | None, checkpoint_every: int | None,
                overwrite: bool, max_seconds: float | None = None) -> None:
    """``nsr train --task spec.toml`` (or ``--resume`` of such a run)."""
    from nsr import task_run
    from nsr.checkpoint import load
    from nsr.run import evaluate, train_run

    run_dir: Path | None = None
    try:
        if task is not None and resume is not None:
            raise ConfigError("give --task for a new run or --resume for an old one, "
                              "not both")
        if resume is not None:
            setup, run_dir = task_run.resume(resume, code), resume
        else:
            setup = task_run.prepare(task, code or [], seed)
            run_dir = out or Path("runs") / f"{setup.spec.name}-seed{seed}"
            _refuse_to_overwrite(run_dir, overwrite)
            task_run.record(run_dir, setup.spec, setup.code)
        config = setup.config if checkpoint_every is None else replace(
            setup.config, checkpoint_every=checkpoint_every)
        with _terminate_as_interrupt():
            summary = train_run(config, run_dir, setup.train, registry=setup.registry,
                                resume=resume is not None, on_event=_reporter(plain),
                                source={"task": str(setup.spec.source),
                                        "train_file": str(setup.spec.train)},
                                max_seconds=max_seconds)
            machine, config, _ = load(run_dir, setup.registry)
            result = evaluate(machine, setup.test)
    except NSRError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _interrupted(run_dir)
    typer.echo(f"test accuracy {100 * result['accuracy']:.2f}% of {result['n']} "
               f"(task {config.split}, seed {config.loop.seed}); trained in "
               f"{summary['seconds']} s; run folder {run_dir}")


@app.command()
def train(
        benchmark: Annotated[str, typer.Argument(help="Benchmark: scan, pcfg or hint.")] = "scan",
        split: Annotated[Optional[str], typer.Option(
            help="Benchmark split (scan: simple; pcfg: pcfgset; hint: symbol).")] = None,
        input_: Annotated[str, typer.Option(
            "--input", help="HINT's input: symbol, or image (handwritten symbol images "
                            "from --data-dir; image-cpu: a configuration reduced for "
                            "2 CPU cores).")] = "symbol",
        device: Annotated[Optional[str], typer.Option(
            help="Image input: cpu (default) or cuda.")] = None,
        seed: int = 0,
        out: Annotated[Optional[Path], typer.Option(help="Run folder.")] = None,
        data_dir: DataDir = None,
        train_file: Annotated[Optional[Path], typer.Option(help="Training file.")] = None,
        test_file: Annotated[Optional[Path], typer.Option(help="Test file.")] = None,
        resume: Annotated[Optional[Path], typer.Option(
            help="Continue the run in this folder from its last checkpoint.")] = None,
        plain: Annotated[bool, typer.Option(help="Plain log lines, no colours.")] = False,
        checkpoint_every: Annotated[Optional[int], typer.Option(
            help="Checkpoint every N rounds (default 1; always on Ctrl-C and at the end).",
            min=1)] = None,
        overwrite: Annotated[bool, typer.Option(
            help="Start afresh in a run folder that already holds a run.")] = False,
        code: CodeOption = None,
        task: Annotated[Optional[Path], typer.Option(
            help="Your own task: a TOML spec naming data files, tokenisation, output "
                 "type, primitive sets and priors (instead of a benchmark).")] = None,
        max_seconds: Annotated[Optional[float], typer.Option(
            help="End the run after the round that brings its training time (all "
                 "sessions of a resumed run) to this many seconds, on its best state of "
                 "the last stage where it has one.", min=0)] = None,
        consolidate_rounds: Annotated[Optional[int], typer.Option(
            help="Image input: rounds of consolidation once training ends (default the "
                 "configuration's, 2); with --resume, an ended run with fewer gets the "
                 "rest.", min=1)] = None
        ) -> None:
    """Train perception, parser and programs jointly from (input, output) pairs."""
    from nsr.checkpoint import load
    from nsr.presets import preset
    from nsr.run import evaluate, train_run
    from nsr.task_run import is_task_run, record, run_registry
    from nsr.tasks import load_examples

    if task is not None or (resume is not None and is_task_run(resume)):
        _task_options_only(benchmark, split, data_dir, train_file, test_file)
        if consolidate_rounds is not None:
            _fail(ConfigError("--consolidate-rounds is for image input (HINT from images)"))
        return _train_task(task, resume=resume, out=out, seed=seed, plain=plain, code=code,
                           checkpoint_every=checkpoint_every, overwrite=overwrite,
                           max_seconds=max_seconds)
    run_dir: Path | None = None
    try:
        registry = run_registry(resume, code) if resume else load_registry(code)
        if resume:
            from nsr.checkpoint import load_config
            config = load_config(resume)
            benchmark, split, seed = config.benchmark, config.split, config.loop.seed
            data_dir, train_file, test_file = _recorded_data(resume, data_dir, train_file,
                                                             test_file)
        else:
            if input_ in ("image", "image-cpu"):
                from nsr.image_input import image_preset
                config = image_preset(benchmark, split=split, seed=seed, size=input_)
            elif input_ != "symbol":
                raise ConfigError(f"--input {input_}: must be symbol, image or image-cpu")
            else:
                config = preset(benchmark, split=split, seed=seed)
            split = config.split
        from nsr.image_input import with_device
        config = with_device(config, device)
        if consolidate_rounds is not None and config.image is None:
            raise ConfigError("--consolidate-rounds is for image input (HINT from images)")
        run_dir = resume or out or Path("runs") / f"{benchmark}-{split}-seed{seed}"
        if not resume:
            _refuse_to_overwrite(run_dir, overwrite)
            record(run_dir, None, code or [])
        if checkpoint_every is not None:
            config = replace(config, checkpoint_every=checkpoint_every)
        images, consolidation = None, []
        with _data_errors():
            if config.image is not None:
                from nsr.image_input import (image_consolidation_sample,
                                             image_training_sample, load_image_data)
                data = load_image_data(data_dir)
                train_set, test_set, images = data.train, data.test, data.pixels
                consolidation = image_consolidation_sample(train_set, config)
                train_set = image_training_sample(train_set, config)
            else:
                train_set, test_set = load_examples(
                    benchmark, split, seed=seed, data_dir=data_dir, train_file=train_file,
                    test_file=test_file)
        with _terminate_as_interrupt():
            summary = train_run(config, run_dir, train_set, registry=registry,
                                resume=resume is not None, on_event=_reporter(plain),
                                source=_data_source(data_dir, train_file, test_file),
                                images=images, consolidation=consolidation,
                                max_seconds=max_seconds,
                                consolidate_rounds=consolidate_rounds)
            machine, _, _ = load(run_dir, registry, device=device)
            if images is not None:
                machine.perception.attach(images)
            result = evaluate(machine, test_set)
    except NSRError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _interrupted(run_dir)
    typer.echo(f"test accuracy {100 * result['accuracy']:.2f}% of {result['n']} "
               f"({benchmark} {split}, seed {seed}); trained in {summary['seconds']} s; "
               f"run folder {run_dir}")


@app.command("eval")
def eval_(run: Annotated[Path, typer.Argument(help="A run folder.")],
          split: Annotated[Optional[str], typer.Option(help="Split to test on.")] = None,
          test_file: Annotated[Optional[Path], typer.Option(help="A test file.")] = None,
          data_dir: DataDir = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
          = False, code: CodeOption = None,
          device: Annotated[Optional[str], typer.Option(
              help="Image runs: cpu or cuda (default: the run's).")] = None,
          threads: Annotated[Optional[int], typer.Option(
              help="CPU threads for torch (default: the run's).")] = None,
          averaged_copies: Annotated[int, typer.Option(
              help="Image runs: average each image's symbol probabilities over it and "
                   "this many randomly jittered copies.", min=0)] = 0) -> None:
    """Exact-match accuracy of a trained run on a split's test set or a file."""
    from nsr.checkpoint import load
    from nsr.report import error_line
    from nsr.run import evaluate
    from nsr.task_run import is_task_run, run_registry, task_test_set
    from nsr.tasks import load_examples

    try:
        machine, config, progress = load(run, run_registry(run, code), device=device)
        if config.image is not None:
            from nsr.image_input import load_image_data
            with _data_errors():
                data = load_image_data(_recorded_data(run, data_dir, None, None)[0])
            machine.perception.attach(data.pixels)
            machine.perception.averaged_copies = averaged_copies
            split, test_file = split or config.split, None
        if is_task_run(run) and split is not None:
            raise ConfigError(f"{run} is a task run: it has no splits; use --test-file")
        split = split or config.split
        with _data_errors():
            if config.image is not None:
                test_set = data.test
            elif is_task_run(run):
                test_set = task_test_set(run, test_file)
            else:
                _, test_set = load_examples(config.benchmark, split, seed=config.loop.seed,
                                            data_dir=data_dir, test_file=test_file)
    except NSRError as exc:
        _fail(exc)
    import torch

    torch.set_num_threads(max(1, threads or config.threads))
    result = {"run": str(run), "benchmark": config.benchmark, "split": split,
              "test_file": str(test_file) if test_file else None,
              **evaluate(machine, test_set), "priors": config.priors.describe()}
    if config.image is not None:
        result["device"] = config.image.device
        result["averaged_copies"] = averaged_copies
    if as_json:
        typer.echo(json.dumps(result))
    else:
        unknown = result["unknown_token_inputs"]
        typer.echo(f"accuracy {100 * result['accuracy']:.2f}% of {result['n']} "
                   f"({config.benchmark} {split}) in {result['seconds']} s"
                   + (f"; {unknown} input(s) with tokens never seen in training counted "
                      "wrong" if unknown else ""))
        for name, sub in result.get("subsets", {}).items():
            typer.echo(f"  {name}: {100 * sub['accuracy']:.2f}% of {sub['n']}")
        if "subset_average" in result:
            typer.echo(f"  average over subsets: {100 * result['subset_average']:.2f}%")
        for key in ("symbol_accuracy", "symbol_accuracy_deduced", "head_accuracy",
                    "head_accuracy_valued"):
            if key in result:
                typer.echo(f"  {key.replace('_', ' ')}: {100 * result[key]:.2f}%")
        if "errors" in result:
            typer.echo(f"  {error_line(result['errors'])}")


@app.command()
def inspect(run: Annotated[Path, typer.Argument(help="A run folder (may still train).")],
            input_: Annotated[Optional[list[str]], typer.Option(
                "--input", help="Draw the grounded symbol tree of this input "
                                "(repeatable).")] = None,
            inputs_file: Annotated[Optional[Path], typer.Option(
                help="More inputs for a .conll export: one per line, or a TSV's first "
                     "column.")] = None,
            export: Annotated[Optional[list[Path]], typer.Option(
                help="Write trees.conll (the inputs' trees) or programs.json (every "
                     "symbol); repeatable.")] = None,
            data_dir: DataDir = None,
            code: CodeOption = None) -> None:
    """Show every symbol's program, the trees of inputs, and export them.

    An image run's symbols are listed with the true classes of the training images
    perceived as each (read from the run's data, or --data-dir; shown, never learned)."""
    from nsr.checkpoint import load
    from nsr.export import check_exports, write_export
    from nsr.inspection import about, file_trees, input_tokenizer, progress_line
    from nsr.report import gss_tree, priors_table, symbols_table
    from nsr.run import explain, symbol_rows
    from nsr.task_run import run_code, run_registry

    try:
        check_exports(export or [], bool(input_ or inputs_file))
        # an image run's classifier is loaded on the CPU: inspection shows programs and
        # trees, so a run trained on a GPU can be inspected on a machine without one
        machine, config, progress = load(run, run_registry(run, code), device="cpu")
        classes = None
        if config.image is not None:
            from nsr.image_input import image_classes, load_image_data
            with _data_errors():
                data = load_image_data(_recorded_data(run, data_dir, None, None)[0])
            machine.perception.attach(data.pixels)
            classes = image_classes(data.train)
        rows, tokenize, trees = symbol_rows(machine, classes), input_tokenizer(run), []
        typer.echo(progress_line(run, progress))
        console.print(priors_table(config.priors.describe()))
        console.print(symbols_table(rows))
        for text in input_ or []:
            node, deduction = explain(machine, tokenize(text))
            console.print(gss_tree(node, render_value=_show_value))
            typer.echo(f"output: {_show_value(deduction.output)}")
            trees.append(node)
        trees += file_trees(machine, inputs_file, tokenize) if inputs_file else []
        for path in export or []:
            what = write_export(path, trees=trees, rows=rows, about=about(
                run, config, progress, code or run_code(run)))
            typer.echo(f"wrote {what} to {path}")
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
