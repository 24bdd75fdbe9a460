"""The primitive registry: stable names -> typed Python functions.

A primitive is one decorated, type-annotated function. The decorator only marks the
function; a :class:`Registry` collects marked functions from modules it is told to load
(the built-in sets, the ``nsr.primitives`` entry-point group, a ``--code FILE.py``), so
nothing is registered as a side effect of importing. A duplicate name is an error.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import typing
from collections.abc import Callable as AbcCallable
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from nsr.errors import RegistryError
from nsr.types import PYTHON_TYPES, Arrow, BaseType, DslType

ENTRY_POINT_GROUP = "nsr.primitives"
BUILTIN_MODULES = ("semantics.primitives.lists", "semantics.primitives.naturals",
                   "semantics.primitives.arith")
_MARK = "__nsr_primitive__"


@dataclass(frozen=True)
class Primitive:
    """A named DSL operator with its type, read from the function's annotations."""

    name: str
    fn: Callable[..., Any] | None
    type: DslType
    lazy: tuple[bool, ...] = ()
    sets: frozenset[str] = frozenset()
    origin: str = "?"
    doc: str = ""
    special: bool = False
    """A special form (``fix``) handled by the interpreter and the search, not called."""

    @property
    def arity(self) -> int:
        return len(self.type.args) if isinstance(self.type, Arrow) else 0

    @property
    def result(self) -> BaseType:
        t = self.type.result if isinstance(self.type, Arrow) else self.type
        assert isinstance(t, BaseType)
        return t


@dataclass(frozen=True)
class _Mark:
    name: str
    sets: frozenset[str]
    special_type: DslType | None


def primitive(name: str, *, sets: Iterable[str] = (),
              special_type: DslType | None = None) -> Callable[[Callable], Callable]:
    """Mark a function as the DSL primitive ``name``; a registry collects it on load.

    Args:
        name: the stable name programs use; never reuse it for other behaviour.
        sets: the named primitive sets it belongs to (``list``, ``nat``, ...).
        special_type: for special forms only, their displayed type.
    """
    bad = (not isinstance(name, str) or not name or name.isdecimal()
           or any(c.isspace() or c in "()'\"$@" for c in name)
           or (name in ("lambda", "fix", "recur") and special_type is None))
    if bad:
        raise RegistryError(f"bad primitive name {name!r}: no whitespace, quotes, $, @ or "
                            "parentheses, not a number and not lambda/fix/recur")

    def mark(fn: Callable) -> Callable:
        setattr(fn, _MARK, _Mark(name, frozenset(sets), special_type))
        return fn

    return mark


def _dsl_type(annotation: Any, where: str) -> tuple[BaseType, bool]:
    """Map one annotation to (DSL base type, lazy?)."""
    if annotation in PYTHON_TYPES:
        return PYTHON_TYPES[annotation], False
    if typing.get_origin(annotation) is AbcCallable:
        params, result = typing.get_args(annotation)
        if params == [] and result in PYTHON_TYPES:
            return PYTHON_TYPES[result], True
    raise RegistryError(f"{where}: unsupported type annotation {annotation!r} "
                        "(use int, str, bool, nsr.types.Tokens or Lazy[...] of those)")


def primitive_from_function(fn: Callable, origin: str) -> Primitive:
    """Build a :class:`Primitive` from a marked function, reading its annotations."""
    mark: _Mark = getattr(fn, _MARK)
    where = f"primitive {mark.name!r} ({origin})"
    doc = inspect.getdoc(fn) or ""
    if mark.special_type is not None:
        return Primitive(mark.name, None, mark.special_type, (), mark.sets, origin, doc, True)
    try:
        sig = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError) as exc:
        raise RegistryError(f"{where}: cannot read its annotations: {exc}") from exc
    arg_types, lazy = [], []
    for param in sig.parameters.values():
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            raise RegistryError(f"{where}: parameter {param.name!r} must be positional")
        if param.annotation is param.empty:
            raise RegistryError(f"{where}: parameter {param.name!r} has no type annotation")
        t, is_lazy = _dsl_type(param.annotation, f"{where}, parameter {param.name!r}")
        arg_types.append(t)
        lazy.append(is_lazy)
    if sig.return_annotation is sig.empty:
        raise RegistryError(f"{where}: the return type has no annotation")
    result, is_lazy = _dsl_type(sig.return_annotation, f"{where}, return type")
    if is_lazy:
        raise RegistryError(f"{where}: the return type cannot be lazy")
    typ: DslType = Arrow(tuple(arg_types), result) if arg_types else result
    return Primitive(mark.name, fn, typ, tuple(lazy), mark.sets, origin, doc)


@dataclass
class Registry:
    """Primitives by stable name. ``add`` raises on a duplicate name."""

    _items: dict[str, Primitive] = field(default_factory=dict)
    _entry_points_loaded: bool = True

    @classmethod
    def default(cls, *, entry_points: bool = True) -> Registry:
        """The built-in sets, plus (lazily, on first look-up) the entry-point group."""
        reg = cls()
        for module_name in BUILTIN_MODULES:
            reg.load_module(importlib.import_module(module_name), origin="builtin")
        reg._entry_points_loaded = not entry_points
        return reg

    def add(self, prim: Primitive) -> None:
        """Register ``prim``; a name already taken is a :class:`RegistryError`."""
        old = self._items.get(prim.name)
        if old is not None:
            raise RegistryError(f"duplicate primitive name {prim.name!r}: "
                                f"defined by {old.origin} and again by {prim.origin}")
        self._items[prim.name] = prim

    def load_module(self, module: ModuleType, origin: str) -> list[Primitive]:
        """Register every marked function of ``module``, in definition order."""
        found = [v for v in vars(module).values() if callable(v) and hasattr(v, _MARK)]
        prims = [primitive_from_function(fn, origin) for fn in found]
        for prim in prims:
            self.add(prim)
        return prims

    def load_code_file(self, path: str | Path) -> list[Primitive]:
        """Import a user's Python file (``--code FILE.py``) and register its primitives."""
        path = Path(path)
        if not path.is_file():
            raise RegistryError(f"{path}: no such code file")
        module_name = f"nsr_user_code_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise RegistryError(f"{path}: not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the user's code may raise anything
            sys.modules.pop(module_name, None)
            line = _user_line(exc, path)
            raise RegistryError(f"{path}{line}: importing it raised "
                                f"{type(exc).__name__}: {exc}") from exc
        return self.load_module(module, origin=f"file {path}")

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                module = importlib.import_module(ep.module)
            except Exception as exc:
                raise RegistryError(f"entry point {ep.name!r} ({ep.value}) failed to "
                                    f"import: {type(exc).__name__}: {exc}") from exc
            self.load_module(module, origin=f"entry point {ep.name} ({ep.value})")

    def get(self, name: str) -> Primitive:
        """The primitive called ``name``; unknown names raise :class:`RegistryError`."""
        self._load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            raise RegistryError(f"unknown primitive {name!r}") from None

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._items

    def names(self) -> list[str]:
        self._load_entry_points()
        return list(self._items)

    def __iter__(self) -> Iterator[Primitive]:
        self._load_entry_points()
        return iter(list(self._items.values()))

    def in_sets(self, sets: Iterable[str]) -> list[Primitive]:
        """Primitives belonging to any of the named sets (a name may also be a primitive)."""
        wanted = set(sets)
        chosen = [p for p in self if p.sets & wanted or p.name in wanted]
        unknown = wanted - {s for p in self for s in p.sets} - {p.name for p in self}
        if unknown:
            raise RegistryError(f"unknown primitive set(s): {', '.join(sorted(unknown))}")
        return chosen


def _user_line(exc: BaseException, path: Path) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(exc, SyntaxError) and exc.lineno:
        line = exc.lineno
    return f":{line}" if line else ""
