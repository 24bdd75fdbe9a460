"""A user's own task, described by a TOML spec: data files, tokenisation, output type,
primitive sets and priors. ``nsr train --task spec.toml`` reads it.

Every key is checked: an unknown key, a value of the wrong type or a missing file is a
:class:`ConfigError` naming the spec file and the field; a malformed data line is a
:class:`DataError` naming the data file and the line. Paths are relative to the spec's
folder. A spec looks like::

    name = "modulo"
    code = ["ops.py"]                 # optional: files of @primitive functions

    [data]
    train = "train.tsv"               # input<TAB>output, one example per line
    test = "test.tsv"
    input_tokens = "whitespace"       # or "chars"
    output = "int"                    # or "tokens"
    output_tokens = "whitespace"      # for output = "tokens": or "chars"

    [priors]
    primitive_sets = ["nat", "modulo"]
    symbol_budget = 16
    curriculum = "length"             # or "none", or stage lengths such as [1, 3, 5]

    [loop]                            # optional: nsr.config.LoopConfig fields
    max_rounds = 20                   # (the seed is nsr train --seed)

    [model]                           # optional: parser_hidden, parser_embed, ...
"""

from __future__ import annotations

import tomllib
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nsr.config import LoopConfig, Priors, TrainConfig
from nsr.errors import ConfigError, DataError
from nsr.types import Example

TOKENIZERS: dict[str, Callable[[str], tuple[str, ...]]] = {
    "whitespace": lambda text: tuple(text.split()),
    "chars": lambda text: tuple(c for c in text if not c.isspace()),
}
OUTPUTS = ("int", "tokens")
CURRICULA = ("length", "none")
LENGTH_STAGES = LoopConfig().curriculum
"""Stage limits of the ``length`` curriculum; stages that add no example are skipped."""
MAX_EXHAUSTIVE = 6
"""Longest input whose every tree abduction may enumerate (6^5 trees)."""
INT_REESTIMATE_LEN = 1
"""Default ``loop.reestimate_len`` for integer outputs. Under operators such as max or
mod a hidden digit's value is not fixed by its neighbours, so re-estimating leaf
meanings from longer inputs would favour the smallest constant."""

_TOP_KEYS = {"name": str, "code": list, "data": dict, "priors": dict, "loop": dict,
             "model": dict}
_DATA_KEYS = {"train": str, "test": str, "input_tokens": str, "output": str,
              "output_tokens": str}
_PRIOR_KEYS = {"primitive_sets": list, "symbol_budget": int, "curriculum": (str, list)}
_MODEL_KEYS = ("parser_hidden", "parser_embed", "induction_timeout")


@dataclass(frozen=True)
class TaskSpec:
    """A validated task spec; paths are absolute."""

    source: Path
    name: str
    train: Path
    test: Path
    output: str
    input_tokens: str = "whitespace"
    output_tokens: str = "whitespace"
    code: tuple[Path, ...] = ()
    primitive_sets: tuple[str, ...] = ()
    symbol_budget: int = 20
    curriculum: str | tuple[int, ...] = "length"
    loop: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The spec in its TOML layout, paths absolute (stored in the run folder)."""
        return {"name": self.name, "code": [str(p) for p in self.code],
                "data": {"train": str(self.train), "test": str(self.test),
                         "input_tokens": self.input_tokens, "output": self.output,
                         "output_tokens": self.output_tokens},
                "priors": {"primitive_sets": list(self.primitive_sets),
                           "symbol_budget": self.symbol_budget,
                           "curriculum": (self.curriculum if isinstance(self.curriculum, str)
                                          else list(self.curriculum))},
                "loop": dict(self.loop), "model": dict(self.model)}


def load_spec(path: Path) -> TaskSpec:
    """Read and check a spec file; relative paths are taken from its folder."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such task spec") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the task spec ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return spec_from_dict(data, path)


def spec_from_dict(data: dict[str, Any], source: Path, *, check_files: bool = True
                   ) -> TaskSpec:
    """Check a parsed spec; ``source`` names it in errors and anchors relative paths.

    With ``check_files=False`` (a run folder's stored spec) files need not exist."""
    source = Path(source)
    base = source.resolve().parent
    check = _Checker(source, check_files)
    check.keys(data, _TOP_KEYS, "")
    for section in ("data", "priors"):
        if section not in data:
            raise check.error(section, "missing section")
    d, p = data["data"], data["priors"]
    check.keys(d, _DATA_KEYS, "data.")
    check.keys(p, _PRIOR_KEYS, "priors.")
    for key in ("train", "test", "output"):
        if key not in d:
            raise check.error(f"data.{key}", "missing")
    if "primitive_sets" not in p:
        raise check.error("priors.primitive_sets", "missing (for example [\"nat\"] or "
                          "[\"list\"]; see nsr primitives)")
    check.choice(d, "input_tokens", TOKENIZERS, "data.")
    check.choice(d, "output_tokens", TOKENIZERS, "data.")
    check.choice(d, "output", OUTPUTS, "data.")
    sets = check.strings(p["primitive_sets"], "priors.primitive_sets")
    if not sets:
        raise check.error("priors.primitive_sets", "empty: name at least one set")
    code = check.strings(data.get("code", []), "code")
    name = data.get("name", source.stem)
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise check.error("name", f"{name!r} cannot name a run folder")
    if "seed" in data.get("loop", {}):
        raise check.error("loop.seed", "the seed is not part of the task: give it with "
                          "nsr train --seed N")
    budget = p.get("symbol_budget", 20)
    if budget < 1:
        raise check.error("priors.symbol_budget", f"must be at least 1, got {budget}")
    return TaskSpec(
        source=source, name=name,
        train=check.file(base, d["train"], "data.train"),
        test=check.file(base, d["test"], "data.test"),
        output=d["output"], input_tokens=d.get("input_tokens", "whitespace"),
        output_tokens=d.get("output_tokens", "whitespace"),
        code=tuple(check.file(base, c, f"code[{i}]") for i, c in enumerate(code)),
        primitive_sets=tuple(sets), symbol_budget=budget,
        curriculum=check.curriculum(p.get("curriculum", "length")),
        loop=check.section(data.get("loop", {}), "loop", LoopConfig, [
            f.name for f in fields(LoopConfig) if f.name not in ("curriculum", "seed")]),
        model=check.section(data.get("model", {}), "model", TrainConfig, list(_MODEL_KEYS)))


class _Checker:
    """Type and value checks that raise errors naming the spec file and the field."""

    def __init__(self, source: Path, check_files: bool = True) -> None:
        self.source, self.check_files = source, check_files

    def error(self, where: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {where}: {problem}")

    def keys(self, table: dict[str, Any], allowed: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            if key not in allowed:
                raise self.error(prefix + key, "unknown field; expected one of "
                                 + ", ".join(allowed))
            self.type(value, allowed[key], prefix + key)

    def type(self, value: Any, expected: Any, where: str) -> None:
        kinds = expected if isinstance(expected, tuple) else (expected,)
        ok = any(isinstance(value, k) and not (k is int and isinstance(value, bool))
                 for k in kinds)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            names = " or ".join(_TOML_NAMES.get(k, k.__name__) for k in kinds)
            raise self.error(where, f"expected {names}, got {value!r}")

    def choice(self, table: dict[str, Any], key: str, allowed, prefix: str) -> None:
        if key in table and table[key] not in allowed:
            raise self.error(prefix + key, f"{table[key]!r} is not one of "
                             + ", ".join(repr(a) for a in allowed))

    def strings(self, value: list, where: str) -> list[str]:
        for i, item in enumerate(value):
            self.type(item, str, f"{where}[{i}]")
        return list(value)

    def file(self, base: Path, name: str, where: str) -> Path:
        path = base / name
        if self.check_files and not path.is_file():
            raise self.error(where, f"no such file {path}")
        return path

    def curriculum(self, value: str | list) -> str | tuple[int, ...]:
        if isinstance(value, str):
            if value not in CURRICULA:
                raise self.error("priors.curriculum", f"{value!r} is not one of 'length', "
                                 "'none' or a list of stage lengths such as [1, 3, 5]")
            return value
        for i, item in enumerate(value):
            self.type(item, int, f"priors.curriculum[{i}]")
        if not value or any(a < 1 for a in value) or list(value) != sorted(set(value)):
            raise self.error("priors.curriculum", "stage lengths must be positive and "
                             f"increasing, got {value!r}")
        return tuple(value)

    def section(self, table: dict[str, Any], name: str, owner: type,
                allowed: list[str]) -> dict[str, Any]:
        hints = typing.get_type_hints(owner)
        for key, value in table.items():
            if key not in allowed:
                raise self.error(f"{name}.{key}", "unknown field; expected one of "
                                 + ", ".join(allowed))
            self.type(value, _plain(hints[key]), f"{name}.{key}")
            if isinstance(value, (int, float)) and value < 0:
                raise self.error(f"{name}.{key}", f"must not be negative, got {value}")
        if table.get("exhaustive_len", 0) > MAX_EXHAUSTIVE:
            raise self.error("loop.exhaustive_len", f"at most {MAX_EXHAUSTIVE} (every tree "
                             "of longer inputs is too many to try)")
        if not 0 <= table.get("target_accuracy", 0) <= 1:
            raise self.error("loop.target_accuracy", "must lie between 0 and 1")
        return dict(table)


def _plain(hint: Any) -> Any:
    return hint if isinstance(hint, type) else (typing.get_origin(hint) or object)


_TOML_NAMES = {str: "a string", int: "an integer", float: "a number", list: "an array",
               dict: "a table", bool: "true or false"}


def tokenize(text: str, how: str) -> tuple[str, ...]:
    """Split ``text`` into tokens: ``whitespace`` or ``chars`` (spaces dropped)."""
    return TOKENIZERS[how](text)


def parse_output(text: str, spec: TaskSpec) -> int | tuple[str, ...]:
    """An output field as the spec's value type; a bad value raises ``ValueError``."""
    if spec.output == "tokens":
        return tokenize(text, spec.output_tokens)
    value = text.strip()
    if not value.isdecimal() or not value.isascii():
        raise ValueError(f"output {value!r} is not a natural number (data.output = \"int\")")
    return int(value)


def read_examples(path: Path, spec: TaskSpec) -> list[Example]:
    """The examples of a tab-separated file ``input<TAB>output``; blank lines are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(path, None, f"cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise DataError(path, None, f"not UTF-8 text ({exc.reason} at byte "
                                    f"{exc.start})") from exc
    examples = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise DataError(path, lineno, f"expected input<TAB>output, found {len(parts)} "
                                          "tab-separated fields")
        inputs = tokenize(parts[0], spec.input_tokens)
        if not inputs:
            raise DataError(path, lineno, "the input has no tokens")
        try:
            target = parse_output(parts[1], spec)
        except ValueError as exc:
            raise DataError(path, lineno, str(exc)) from None
        examples.append(Example(inputs, target, {"line": lineno}))
    if not examples:
        raise DataError(path, None, "no examples")
    return examples


def curriculum_stages(choice: str | tuple[int, ...], lengths: list[int]) -> tuple[int, ...]:
    """Stage limits for the loop; each stage adds examples, the last covers all."""
    longest = max(lengths)
    if choice == "none":
        return (longest,)
    limits = LENGTH_STAGES if choice == "length" else choice
    stages, covered = [], 0
    for limit in limits:
        n = sum(1 for x in lengths if x <= limit)
        if n > covered:
            stages.append(min(limit, longest))
            covered = n
    if covered < len(lengths):
        stages.append(longest)
    return tuple(stages)


def train_config(spec: TaskSpec, train: list[Example], seed: int | None = None
                 ) -> TrainConfig:
    """The run's configuration: the spec's priors and loop, for these training examples.

    Raises:
        ConfigError: the training data has more distinct tokens than the symbol budget.
    """
    vocab = {t for e in train for t in e.inputs}
    if len(vocab) > spec.symbol_budget:
        raise ConfigError(f"{spec.source}: priors.symbol_budget: {spec.symbol_budget} is "
                          f"smaller than the {len(vocab)} distinct input tokens of "
                          f"{spec.train}; give at least {len(vocab) + 2}")
    stages = curriculum_stages(spec.curriculum, [len(e.inputs) for e in train])
    loop = dict(spec.loop)
    if spec.output == "int":
        loop.setdefault("reestimate_len", INT_REESTIMATE_LEN)
    if seed is not None:
        loop["seed"] = seed
    described = (spec.curriculum if isinstance(spec.curriculum, str)
                 else "lengths " + ", ".join(map(str, spec.curriculum)))
    priors = Priors(symbol_budget=spec.symbol_budget, primitive_sets=spec.primitive_sets,
                    curriculum=described, arity="learned", perception_init="distinct",
                    input_rewriting="none")
    return replace(TrainConfig(), benchmark="task", split=spec.name, priors=priors,
                   loop=replace(LoopConfig(), curriculum=stages, **loop), **spec.model)
