"""Data types that cross package boundaries: values, DSL types, trees and examples.

Every package may import this module; it imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NewType, TypeVar, Union

SymbolId = NewType("SymbolId", int)

Tokens = tuple[str, ...]
"""A token list, the value type of SCAN actions and PCFG SET strings."""

Value = Union[int, str, Tokens, bool, None]
"""A value computed by a program. ``None`` is the value of a node that carries none."""

T = TypeVar("T")
Lazy = Callable[[], T]
"""Annotation of a lazily evaluated primitive argument (``if0``'s branches)."""


@dataclass(frozen=True)
class BaseType:
    """A DSL base type: ``int`` (naturals), ``tok``, ``list`` (of tokens) or ``bool``."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Arrow:
    """A function type ``(a1 a2 ... -> r)``."""

    args: tuple[DslType, ...]
    result: DslType

    def __str__(self) -> str:
        return "(" + " ".join(str(a) for a in self.args) + " -> " + str(self.result) + ")"


DslType = Union[BaseType, Arrow]

INT = BaseType("int")
TOK = BaseType("tok")
LIST = BaseType("list")
BOOL = BaseType("bool")
BASE_TYPES: dict[str, BaseType] = {t.name: t for t in (INT, TOK, LIST, BOOL)}

PYTHON_TYPES: dict[Any, BaseType] = {int: INT, str: TOK, Tokens: LIST, bool: BOOL}
"""How Python annotations of primitives map to DSL base types."""


def type_of_value(value: Value) -> BaseType:
    """The DSL type of a runtime value (``bool`` is checked before ``int``)."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, str):
        return TOK
    if isinstance(value, tuple):
        return LIST
    raise TypeError(f"not a DSL value: {value!r}")


@dataclass(frozen=True)
class DependencyTree:
    """A dependency tree: ``heads[i]`` is the parent of position i, -1 for the root.

    Non-projective trees are allowed (SCAN's are); there is exactly one root and no cycle.
    """

    heads: tuple[int, ...]

    def __post_init__(self) -> None:
        n = len(self.heads)
        roots = [i for i, h in enumerate(self.heads) if h == -1]
        if n and len(roots) != 1:
            raise ValueError(f"a tree needs exactly one root, got {len(roots)}: {self.heads}")
        for i, h in enumerate(self.heads):
            if h != -1 and not 0 <= h < n or h == i:
                raise ValueError(f"bad head {h} for position {i}: {self.heads}")
        for i in range(n):
            seen, j = 0, i
            while j != -1:
                j, seen = self.heads[j], seen + 1
                if seen > n:
                    raise ValueError(f"cycle through position {i}: {self.heads}")

    @property
    def root(self) -> int:
        return self.heads.index(-1)

    def children(self, i: int) -> tuple[int, ...]:
        """Dependents of position i, in input order."""
        return tuple(j for j, h in enumerate(self.heads) if h == i)

    def is_projective(self) -> bool:
        """True when no arc crosses another (every span is contiguous)."""
        for d, h in enumerate(self.heads):
            if h == -1:
                continue
            lo, hi = min(d, h), max(d, h)
            for k in range(lo + 1, hi):
                j = k
                while j not in (-1, h):
                    j = self.heads[j]
                if j != h:
                    return False
        return True


@dataclass(frozen=True)
class Example:
    """One (input, output) pair. ``inputs`` are tokens (or image keys); meta is free text.

    ``meta`` may hold gold annotations (``head``, ``symbols``) used only to measure.
    """

    inputs: tuple[str, ...]
    target: Value
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
