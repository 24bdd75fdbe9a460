"""The semantic module: one program per latent symbol, induced from collected examples.

Each symbol gathers (children values -> node value) examples from deductions that were
right and from abductions. :meth:`SemanticModule.learn` re-induces the programs of symbols
whose examples changed, keeping a program while it still explains its examples. Arity is
learned, not given: examples are grouped by their number of arguments and the most
supported arity wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nsr.errors import BudgetExceeded, PrimitiveError
from nsr.registry import Registry
from nsr.types import Value
from semantics.compiled import compile_function
from semantics.interpreter import Budget, Interpreter
from semantics.library import Library
from semantics.program import Program, arity_of, parse_program
from semantics.search import InductionConfig, induce

UNDEFINED = object()
"""The value of a node that cannot be computed (no program, wrong arity, an error)."""


@dataclass
class Meaning:
    """A symbol's current program and how well it explains its examples."""

    program: Program
    arity: int
    matched: float
    total: float
    fn: Callable[..., Value] = field(repr=False, compare=False, default=None)  # type: ignore


@dataclass(frozen=True)
class SemanticsConfig:
    """Which primitives programs may use and how hard to search."""

    primitive_sets: tuple[str, ...] = ("list",)
    induction: InductionConfig = InductionConfig(timeout=5.0)
    min_examples: int = 1
    keep_threshold: float = 0.97
    """Keep a program while it explains at least this fraction of its examples."""
    max_examples_per_symbol: int = 400


class SemanticModule:
    """Programs of the latent symbols, plus the examples they were induced from."""

    def __init__(self, registry: Registry, config: SemanticsConfig,
                 library: Library | None = None) -> None:
        self.registry = registry
        self.config = config
        self.library = library or Library()
        self.primitives = registry.in_sets(config.primitive_sets)
        self.meanings: dict[int, Meaning] = {}
        self.examples: dict[int, Counter] = {}
        self._interp = Interpreter(registry, self.library,
                                   budget=Budget(steps=1_000_000, seconds=5.0))

    # -- deduction ---------------------------------------------------------------------
    def arity(self, symbol: int) -> int | None:
        m = self.meanings.get(symbol)
        return None if m is None else m.arity

    def program_for(self, symbol: int) -> Program | None:
        m = self.meanings.get(symbol)
        return None if m is None else m.program

    def apply(self, symbol: int, args: Sequence[Any]) -> Any:
        """The symbol's program on ``args``, or ``UNDEFINED``."""
        m = self.meanings.get(symbol)
        if m is None or m.arity != len(args) or any(a is UNDEFINED for a in args):
            return UNDEFINED
        try:
            return m.fn(*args)
        except (PrimitiveError, BudgetExceeded, RecursionError):
            return UNDEFINED

    # -- learning ----------------------------------------------------------------------
    def collect(self, symbol: int, args: tuple, value: Value, weight: float = 1.0,
                group: Any = None) -> None:
        """Add an example; examples sharing a ``group`` are alternative readings of one
        observation, and a program explaining any of them explains the observation."""
        self.examples.setdefault(symbol, Counter())[(tuple(args), value, group)] += weight

    def clear_examples(self) -> None:
        self.examples = {}

    def learn(self, symbols: Iterable[int] | None = None) -> dict[int, str]:
        """Re-induce programs whose examples they no longer explain; returns changes."""
        changes = {}
        for s in list(symbols if symbols is not None else self.examples):
            counter = self.examples.get(s)
            if not counter:
                continue
            by_arity: Counter = Counter()
            for (args, _, _), n in counter.items():
                by_arity[len(args)] += n
            arity = by_arity.most_common(1)[0][0]
            examples = [(a, v, n, g) for (a, v, g), n in counter.most_common(
                self.config.max_examples_per_symbol) if len(a) == arity]
            current = self.meanings.get(s)
            total = sum(n for _, _, n, g in examples if g is None)
            total += len({g for *_, g in examples if g is not None})
            if current is not None and current.arity == arity:
                matched = self._matches(current, examples)
                if matched >= self.config.keep_threshold * total:
                    current.matched, current.total = matched, total
                    continue
            result = induce(examples, arity, primitives=self.primitives,
                            registry=self.registry, library=self.library,
                            config=self.config.induction)
            if result.program is None:
                if current is not None and current.arity != arity:
                    del self.meanings[s]
                    changes[s] = "forgotten"
                continue
            self.set_program(s, result.program, result.matched, result.total)
            changes[s] = str(result.program)
        return changes

    def _matches(self, meaning: Meaning, examples: list[tuple]) -> float:
        plain, groups = 0.0, set()
        for args, value, n, group in examples:
            if self._safe(meaning, args) == value:
                if group is None:
                    plain += n
                else:
                    groups.add(group)
        return plain + len(groups)

    def _safe(self, meaning: Meaning, args: tuple) -> Any:
        try:
            return meaning.fn(*args)
        except (PrimitiveError, BudgetExceeded, RecursionError):
            return UNDEFINED

    def set_program(self, symbol: int, program: Program, matched: int = 0,
                    total: int = 0) -> None:
        fn = compile_function(program, self.registry, self.library, self._interp)
        self.meanings[symbol] = Meaning(program, arity_of(program), matched, total, fn)

    # -- persistence -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "programs": {str(s): {"program": str(m.program), "matched": m.matched,
                                  "total": m.total} for s, m in sorted(self.meanings.items())},
            "library": self.library.to_json(),
        }

    def load_json(self, data: dict[str, Any]) -> None:
        self.library = Library.from_json(data.get("library", []))
        self._interp = Interpreter(self.registry, self.library,
                                   budget=self._interp.budget)
        self.meanings = {}
        for s, d in data.get("programs", {}).items():
            self.set_program(int(s), parse_program(d["program"]), d.get("matched", 0),
                             d.get("total", 0))
