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
from nsr.errors import TypeCheckError
from semantics.library import InventedPrimitive, Library
from semantics.literals import Literals
from semantics.markers import NO_VALUE, UNDEFINED
from semantics.native import NATIVE
from semantics.program import Program, arity_of, parse_program, uses_recursion
from semantics.typecheck import infer_type
from semantics.verify import native_equivalent
from semantics.search import InductionConfig, induce


@dataclass
class Meaning:
    """A symbol's current program and how well it explains its examples."""

    program: Program | None
    """``None`` for a valueless symbol."""
    arity: int
    matched: float
    total: float
    fn: Callable[..., Value] = field(repr=False, compare=False, default=None)  # type: ignore
    native: str | None = None
    """The native operation the program was verified to equal (its fast path)."""

    @property
    def valueless(self) -> bool:
        return self.program is None


@dataclass(frozen=True)
class SemanticsConfig:
    """Which primitives programs may use and how hard to search."""

    primitive_sets: tuple[str, ...] = ("list",)
    induction: InductionConfig = InductionConfig(timeout=5.0)
    min_examples: int = 1
    keep_threshold: float = 0.97
    """Keep a program while it explains at least this fraction of its examples."""
    max_examples_per_symbol: int = 400
    valueless: bool = False
    """Whether a symbol may carry no value (a declared prior)."""
    library_size: int = 8
    """Established recursive programs join the library, for other programs to call."""
    invent_threshold: float = 0.97
    """The fraction of its examples a recursive program must explain to join it."""


@dataclass(frozen=True)
class Fit:
    """What a set of examples says a symbol means (see :meth:`SemanticModule.fit`)."""

    program: Program | None
    """``None``: the symbol carries no value."""
    matched: float
    total: float


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
        self.literals = Literals()
        """Symbols of tokens that denote themselves (see :mod:`semantics.literals`)."""
        self._interp = Interpreter(registry, self.library,
                                   budget=Budget(steps=1_000_000, seconds=5.0))
        self._native_cache: dict[tuple, str | None] = {}

    # -- deduction ---------------------------------------------------------------------
    def arity(self, symbol: int) -> int | None:
        m = self.meanings.get(symbol)
        return None if m is None else m.arity

    def known(self, symbol: int) -> bool:
        """Whether the symbol has a meaning: a program, no value, or a literal's."""
        return symbol in self.meanings or self.literals.is_literal(symbol)

    def program_for(self, symbol: int) -> Program | None:
        m = self.meanings.get(symbol)
        return None if m is None else m.program

    def apply(self, symbol: int, args: Sequence[Any]) -> Any:
        """The symbol's program on ``args``, or ``UNDEFINED``."""
        m = self.meanings.get(symbol)
        if m is None or m.arity != len(args) or any(a is UNDEFINED for a in args):
            return UNDEFINED
        if m.program is None:
            return NO_VALUE
        try:
            return m.fn(*args)
        except (PrimitiveError, BudgetExceeded, RecursionError):
            return UNDEFINED

    # -- learning ----------------------------------------------------------------------
    def collect(self, symbol: int, args: tuple, value: Value, weight: float = 1.0,
                group: Any = None) -> None:
        """Add an example; examples sharing a ``group`` are alternative readings of one
        observation, and a program explaining any of them explains the observation.
        Literal symbols have a fixed meaning and collect nothing."""
        if self.literals.is_literal(symbol):
            return
        self.examples.setdefault(symbol, Counter())[(tuple(args), value, group)] += weight

    def clear_examples(self) -> None:
        self.examples = {}

    def learn(self, symbols: Iterable[int] | None = None) -> dict[int, str]:
        """Re-induce programs whose examples they no longer explain; returns changes.

        A program that joins the library on the way (see :meth:`_maybe_invent`) gives
        the other symbols this pass left poorly explained another induction at once,
        with it callable: multiplication need not wait a round for the addition it
        recurses over. This repeats while the library grows (it is bounded in size)."""
        changes: dict[int, str] = {}
        pending = list(symbols if symbols is not None else self.examples)
        while pending:
            size = len(self.library.items)
            unsettled = []
            for s in pending:
                before = len(self.library.items)
                settled = self._learn_symbol(s, changes)
                # a symbol whose own program joined the library would only find it again
                if not settled and len(self.library.items) == before:
                    unsettled.append(s)
            if len(self.library.items) == size:
                break
            pending = unsettled
        return changes

    def _learn_symbol(self, s: int, changes: dict[int, str]) -> bool:
        """One symbol's step of :meth:`learn`; whether its examples are now explained
        (``False``: a larger library might do better)."""
        counter = self.examples.get(s)
        if not counter:
            return True
        if self.config.valueless and self._mostly_valueless(counter):
            if s not in self.meanings or not self.meanings[s].valueless:
                self.set_valueless(s)
                changes[s] = "no value"
            return True
        valued = self._valued_examples(counter)
        if valued is None:
            return True
        arity, examples, total = valued
        current = self.meanings.get(s)
        if current is not None and current.arity == arity and not current.valueless:
            matched = self._matches(current, examples)
            if matched >= self.config.keep_threshold * total:
                current.matched, current.total = matched, total
                self._maybe_invent(current, total)
                return True
        result = self._induce(examples, arity)
        if result.program is None:
            if current is not None and (current.arity != arity or current.valueless):
                del self.meanings[s]
                changes[s] = "forgotten"
            return False
        changes[s] = str(result.program)
        self.set_program(s, result.program, result.matched, result.total)
        self._maybe_invent(self.meanings[s], result.total)
        return result.matched >= self.config.keep_threshold * total

    def fit(self, counter: Counter) -> Fit | None:
        """What examples in :attr:`examples`' form say a symbol means, without changing
        any symbol: no value, or the program induction finds (``None``: neither)."""
        if self.config.valueless and self._mostly_valueless(counter):
            silent = sum(n for (_, v, _), n in counter.items() if v is NO_VALUE)
            return Fit(None, silent, sum(counter.values()))
        valued = self._valued_examples(counter)
        if valued is None:
            return None
        arity, examples, _ = valued
        result = self._induce(examples, arity)
        return None if result.program is None else Fit(result.program, result.matched,
                                                       result.total)

    def explained(self, fit: Fit, counter: Counter) -> float:
        """The weight of the examples (in :attr:`examples`' form) ``fit`` explains."""
        if fit.program is None:
            return self._explained_by(Meaning(None, 0, 0, 0), counter)
        fn = compile_function(fit.program, self.registry, self.library, self._interp)
        return self._explained_by(Meaning(fit.program, arity_of(fit.program), 0, 0, fn),
                                  counter)

    def explained_now(self, symbol: int, counter: Counter) -> float:
        """What :meth:`explained` gives for ``symbol``'s current meaning (0 without
        one), through its compiled function and native fast path."""
        meaning = self.meanings.get(symbol)
        return 0.0 if meaning is None else self._explained_by(meaning, counter)

    def _explained_by(self, meaning: Meaning, counter: Counter) -> float:
        if meaning.valueless:
            return sum(n for (_, v, _), n in counter.items() if v is NO_VALUE)
        return sum(n for (a, v, _), n in counter.items() if len(a) == meaning.arity
                   and v is not NO_VALUE and self._safe(meaning, a) == v)

    def _valued_examples(self, counter: Counter) -> tuple[int, list[tuple], float] | None:
        """(arity, examples, total) of the examples that carry a value, at the most
        supported arity; a group of alternative readings counts once."""
        by_arity: Counter = Counter()
        for (args, value, _), n in counter.items():
            if value is not NO_VALUE:
                by_arity[len(args)] += n
        if not by_arity:
            return None
        arity = by_arity.most_common(1)[0][0]
        examples = [(a, v, n, g) for (a, v, g), n in counter.most_common(
            self.config.max_examples_per_symbol) if len(a) == arity and v is not NO_VALUE]
        total = sum(n for _, _, n, g in examples if g is None)
        total += len({g for *_, g in examples if g is not None})
        return arity, examples, total

    def _induce(self, examples: list[tuple], arity: int):
        return induce(examples, arity, primitives=self.primitives, registry=self.registry,
                      library=self.library, config=self.config.induction)

    @staticmethod
    def _mostly_valueless(counter: Counter) -> bool:
        silent = sum(n for (_, v, _), n in counter.items() if v is NO_VALUE)
        return silent > 0.5 * sum(counter.values())

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

    def _maybe_invent(self, meaning: Meaning, total: float) -> None:
        """Let an established recursive program join the library as an invention.

        The library keeps a snapshot, so a program calling it stays valid when the
        symbol that first owned it later changes meaning."""
        program = meaning.program
        if (program is None or not uses_recursion(program) or total < 8
                or meaning.matched < self.config.invent_threshold * total
                or len(self.library.items) >= self.config.library_size
                or any(str(inv.program) == str(program) for inv in self.library)):
            return
        try:
            typ = infer_type(program, self.registry, self.library)
        except TypeCheckError:
            return
        native = self._native(program, typ)
        name = self.library.fresh_name(native or "f")
        self.library.add(InventedPrimitive(name, program, typ, native))
        self._interp = Interpreter(self.registry, self.library, budget=self._interp.budget)

    def _native(self, program: Program, typ) -> str | None:
        key = (str(program), tuple(sorted(self.library.items)))
        if key not in self._native_cache:
            self._native_cache[key] = native_equivalent(program, typ, self.registry,
                                                        self.library)
        return self._native_cache[key]

    def set_valueless(self, symbol: int) -> None:
        """Give ``symbol`` no value: its nodes are leaves their parents skip."""
        self.meanings[symbol] = Meaning(None, 0, 0, 0, lambda: NO_VALUE)

    def set_program(self, symbol: int, program: Program, matched: float = 0,
                    total: float = 0) -> None:
        native = None
        fn = compile_function(program, self.registry, self.library, self._interp)
        if uses_recursion(program):
            try:
                native = self._native(program,
                                      infer_type(program, self.registry, self.library))
            except TypeCheckError:
                native = None
            if native is not None:
                fast = NATIVE[native]
                fn = lambda *args, _op=fast: _op.call(args)  # noqa: E731
        arity = arity_of(program)
        if arity == 0:  # a pure constant: computed once, not at every node
            try:
                value = fn()
                fn = lambda _v=value: _v  # noqa: E731
            except (PrimitiveError, BudgetExceeded, RecursionError):
                pass
        self.meanings[symbol] = Meaning(program, arity, matched, total, fn, native)

    # -- persistence -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "programs": {str(s): {"program": None if m.valueless else str(m.program),
                                  "matched": m.matched, "total": m.total}
                         for s, m in sorted(self.meanings.items())},
            "library": self.library.to_json(),
            **({"literals": self.literals.to_json()} if self.literals else {}),
        }

    def load_json(self, data: dict[str, Any]) -> None:
        self.library = Library.from_json(data.get("library", []))
        self._interp = Interpreter(self.registry, self.library,
                                   budget=self._interp.budget)
        self.meanings = {}
        self.literals = Literals.from_json(data.get("literals"))
        for s, d in data.get("programs", {}).items():
            if d["program"] is None:
                self.set_valueless(int(s))
                continue
            self.set_program(int(s), parse_program(d["program"]), d.get("matched", 0),
                             d.get("total", 0))
