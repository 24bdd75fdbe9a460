"""Checking an induced numeric program against the native operations it may equal."""

from __future__ import annotations

from nsr.registry import Registry
from nsr.types import DslType
from semantics.compiled import compile_function
from semantics.interpreter import Budget, Interpreter
from semantics.library import Library
from semantics.native import verify_native
from semantics.program import Program


def native_equivalent(program: Program, typ: DslType, registry: Registry,
                      library: Library, *, steps: int = 50_000) -> str | None:
    """The native operation ``program`` agrees with on every grid input, if any.

    Each grid input runs under a small step budget, so a program that loops on some
    input (division by zero) counts as undefined there, as the native one is.
    """
    interp = Interpreter(registry, library, budget=Budget(steps=steps, seconds=2.0))
    fn = compile_function(program, registry, library, interp)
    return verify_native(lambda args: fn(*args), typ)
