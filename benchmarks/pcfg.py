"""PCFG SET (Hupkes et al. 2020): official files -> ``Example``s, and the splits.

Files are parallel: line i of ``X.src`` (the input) pairs with line i of ``X.tgt``
(the output string), tokens separated by spaces, optionally gzip-compressed.
Only the evaluation files survive (every official ``train.src`` is lost), so
:func:`load_split` always generates the training part with
:mod:`benchmarks.pcfg_generate` and reads the test part from the official files
when they are available, never generating an input of any official evaluation
file. Examples carry ``inputs`` = input tokens, ``target`` = output tokens and
``meta = {"line", "functions"}`` (generated ones: ``{"split", "part", "source",
"functions"}``).
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.data_files import read_lines
from benchmarks.pcfg_generate import SYSTEMATICITY_PAIRS, generate_test, generate_train
from benchmarks.pcfg_grammar import PCFGSyntaxError, function_count, interpret
from benchmarks.pcfg_stats import (
    OFFICIAL_SIZES,
    SPLITS,
    SUBSTITUTIVITY_SPLITS,
    function_histogram,
    histogram_report,
)
from nsr.errors import DataError
from nsr.types import Example, Tokens

__all__ = [
    "OFFICIAL_SIZES",
    "SPLITS",
    "SYSTEMATICITY_PAIRS",
    "function_histogram",
    "generate_test",
    "generate_train",
    "has_official_test",
    "histogram_report",
    "interpret",
    "load_official",
    "load_parallel",
    "load_split",
    "load_targets",
    "official_test_inputs",
    "pcfg_root",
]

EVALUATION_FILES = (
    "pcfgset/dev",
    "pcfgset/test",
    "systematicity/test",
    "productivity/test",
)
"""Every official evaluation file (without ``.src``); generated training data avoids them."""


def _target_path(src_path: Path) -> Path:
    name = src_path.name
    for suffix in (".src.gz", ".src"):
        if name.endswith(suffix):
            return src_path.with_name(
                name[: -len(suffix)] + suffix.replace("src", "tgt")
            )
    raise DataError(
        str(src_path), None, "a source file's name must end in .src or .src.gz"
    )


def _nonempty_lines(path: Path) -> list[tuple[int, str]]:
    lines = list(read_lines(path))
    for number, text in lines:
        if not text.strip():
            raise DataError(str(path), number, "empty line")
    return lines


def load_parallel(src_path: str | Path, *, check: bool = False) -> list[Example]:
    """Read ``X.src`` and the ``X.tgt`` beside it (``.src.gz``/``.tgt.gz`` too).

    Args:
        src_path: The source file.
        check: Also run the reference interpreter on every input and require it
            to give the target (slower; finds malformed inputs).

    Returns:
        One example per line, in file order.

    Raises:
        FileNotFoundError: A file is missing.
        DataError: Naming the file and line: an empty line, a different number of
            lines in the two files, bytes that are not UTF-8, a corrupt gzip
            stream, or (with ``check``) an input that does not parse or whose
            value differs from its target.
    """
    src_path = Path(src_path)
    tgt_path = _target_path(src_path)
    sources, targets = _nonempty_lines(src_path), _nonempty_lines(tgt_path)
    if len(sources) != len(targets):
        shorter = tgt_path if len(targets) < len(sources) else src_path
        problem = (
            f"{src_path.name} has {len(sources)} lines, {tgt_path.name} {len(targets)}"
        )
        raise DataError(str(shorter), min(len(sources), len(targets)) + 1, problem)
    examples = []
    for (number, src), (_, tgt) in zip(sources, targets):
        inputs, target = tuple(src.split()), tuple(tgt.split())
        if check:
            _check_line(src_path, number, inputs, target)
        examples.append(
            Example(
                inputs, target, {"line": number, "functions": function_count(inputs)}
            )
        )
    return examples


def _check_line(path: Path, number: int, inputs: Tokens, target: Tokens) -> None:
    try:
        value = interpret(inputs)
    except PCFGSyntaxError as error:
        raise DataError(str(path), number, f"malformed input: {error}") from error
    if value != target:
        raise DataError(
            str(path),
            number,
            f"target {' '.join(target)!r} but the "
            f"input evaluates to {' '.join(value)!r}",
        )


def load_targets(tgt_path: str | Path) -> list[Tokens]:
    """Read a target file alone (e.g. an official ``train.tgt`` whose source is lost).

    Args:
        tgt_path: A ``.tgt`` or ``.tgt.gz`` file.

    Returns:
        One token tuple per line.

    Raises:
        DataError: An empty line, or bytes that are not UTF-8.
    """
    return [tuple(text.split()) for _, text in _nonempty_lines(Path(tgt_path))]


def pcfg_root(data_dir: str | Path) -> Path:
    """The official ``pcfg/`` folder: ``data_dir/pcfg`` or ``data_dir`` itself.

    Raises:
        FileNotFoundError: Neither holds the split folders.
    """
    root = Path(data_dir)
    for candidate in (root / "pcfg", root):
        if (candidate / "pcfgset").is_dir():
            return candidate
    raise FileNotFoundError(f"no PCFG SET data (a pcfg/pcfgset folder) under {root}")


def _source_file(root: Path, stem: str) -> Path:
    plain = root / f"{stem}.src"
    gz = plain.with_name(plain.name + ".gz")
    return gz if not plain.exists() and gz.exists() else plain


def load_official(
    split: str, part: str = "test", *, data_dir: str | Path | None = None
) -> list[Example]:
    """An official evaluation file: ``part`` ``test`` of a split, or the shared ``dev``.

    Args:
        split: ``pcfgset``, ``systematicity`` or ``productivity``.
        part: ``test``, or ``dev`` (the same file, ``pcfgset/dev``, for every split).
        data_dir: Folder holding ``pcfg/`` (or ``pcfg/`` itself); defaults to
            ``$NSR_DATA``.

    Returns:
        The examples in file order.
    """
    if split not in SPLITS or part not in ("test", "dev"):
        raise ValueError(f"unknown split/part {split!r}/{part!r}")
    root = _root(data_dir)
    return load_parallel(_source_file(root, _stem(split, part)))


def _stem(split: str, part: str) -> str:
    if part == "dev":
        return "pcfgset/dev"
    if split in SUBSTITUTIVITY_SPLITS:  # the official release's test with synonyms
        return f"substitutivity/{split.removeprefix('substitutivity_')}/test_twin"
    return f"{split}/test"


def has_official_test(split: str, data_dir: str | Path | None = None) -> bool:
    """Whether the data folder holds the split's official test file (the substitutivity
    tests are not in every copy of the data)."""
    try:
        return _source_file(_root(data_dir), _stem(split, "test")).exists()
    except FileNotFoundError:
        return False


def _present_twin_tests(root: Path) -> tuple[str, ...]:
    stems = (_stem(split, "test") for split in SUBSTITUTIVITY_SPLITS)
    return tuple(stem for stem in stems if _source_file(root, stem).exists())


def official_test_inputs(data_dir: str | Path | None = None) -> set[str]:
    """The inputs of every official evaluation file, space-joined.

    These are ``pcfgset`` dev and test and the systematicity and productivity test
    sets; generated training data of any split must avoid all of them.

    Args:
        data_dir: Folder holding ``pcfg/`` (or ``pcfg/`` itself); defaults to
            ``$NSR_DATA``.

    Returns:
        A set of inputs such as ``"copy R11 B10"``.
    """
    root = _root(data_dir)
    return {
        " ".join(text.split())
        for stem in EVALUATION_FILES + _present_twin_tests(root)
        for _, text in read_lines(_source_file(root, stem))
    }


def _data_dir(data_dir: str | Path | None) -> str | Path | None:
    return data_dir if data_dir is not None else os.environ.get("NSR_DATA") or None


def _root(data_dir: str | Path | None) -> Path:
    found = _data_dir(data_dir)
    if found is None:
        raise FileNotFoundError("no data folder given and $NSR_DATA is not set")
    return pcfg_root(found)


def load_split(
    split: str,
    *,
    data_dir: str | Path | None = None,
    seed: int = 0,
    n_train: int | None = None,
    n_test: int | None = None,
) -> tuple[list[Example], list[Example]]:
    """The (train, test) examples of a PCFG SET split.

    Args:
        split: ``pcfgset`` (i.i.d.), ``systematicity``, ``productivity``, or a
            substitutivity split (``<function>_twin`` synonyms).
        data_dir: Folder holding ``pcfg/`` (or ``pcfg/`` itself); defaults to
            ``$NSR_DATA``. With it, test is the official ``test.src`` (for the
            substitutivity splits ``test_twin.src``, where the folder has it); without,
            a generated stand-in of ``n_test`` examples.
        seed: Seed of the generated parts.
        n_train: Training examples to generate; defaults to the official size.
        n_test: Size of a generated test set; defaults to the official size.

    Returns:
        ``(train, test)``. Train is always generated and shares no input with
        the test set (nor, with data, with any official evaluation file).
    """
    if split not in SPLITS:
        raise ValueError(f"unknown PCFG SET split {split!r}; expected one of {SPLITS}")
    data_dir = _data_dir(data_dir)
    if data_dir is not None and (split not in SUBSTITUTIVITY_SPLITS
                                 or has_official_test(split, data_dir)):
        test = load_official(split, "test", data_dir=data_dir)
        exclude = official_test_inputs(data_dir)
    else:
        test = generate_test(split, n_test, seed=seed)
        exclude = {" ".join(e.inputs) for e in test}
    return generate_train(split, n_train, seed=seed, exclude=exclude), test
