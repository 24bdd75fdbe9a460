"""The program-induction benchmark: every SCAN word, PCFG SET function and HINT operator.

For each target, examples are generated from a reference implementation, a program is
induced from them alone, and the program is run (by the interpreter) on 1,000 held-out
inputs, many far larger than any example. HINT's ``+ - * /`` are induced from
``{zero, inc, dec, if0, fix}`` in order, each joining the library for the next.
"""

from __future__ import annotations

import platform
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.pcfg_grammar import BINARY, LETTERS, UNARY
from nsr.types import INT, LIST, Arrow, BaseType, Value

ACTIONS = ("I_WALK", "I_LOOK", "I_RUN", "I_JUMP", "I_TURN_LEFT", "I_TURN_RIGHT")
STRINGS = LETTERS


@dataclass(frozen=True)
class Target:
    """One meaning to induce: its reference and how to draw its inputs."""

    domain: str
    name: str
    arity: int
    reference: Callable[..., Value]
    draw: Callable[[random.Random, int], tuple]
    """Draws one argument tuple; the int is a scale (small for examples, large held out)."""
    primitive_sets: tuple[str, ...]


def _tokens(vocab: tuple[str, ...], lo: int = 1):
    def draw(rng: random.Random, scale: int) -> tuple:
        return tuple(rng.choice(vocab) for _ in range(rng.randint(lo, scale)))
    return draw


def _scan_args(arity: int, turned: bool = False):
    base = _tokens(ACTIONS)

    def draw(rng: random.Random, scale: int) -> tuple:
        args = []
        for _ in range(arity):
            x = base(rng, scale)
            if turned:  # opposite/around take a value a direction word already turned
                x = (rng.choice(ACTIONS[4:]),) + x
            args.append(x)
        return tuple(args)
    return draw


def _nat_pairs(nonzero_divisor: bool = False, cap: int | None = None):
    def draw(rng: random.Random, scale: int) -> tuple:
        while True:
            x, y = rng.randint(0, scale), rng.randint(0, scale)
            if nonzero_divisor and y == 0:
                continue
            if cap is not None and scale <= 20 and x * y > cap:
                continue
            return (x, y)
    return draw


def _unary_strings(rng: random.Random, scale: int) -> tuple:
    return (_tokens(STRINGS)(rng, scale),)


def _binary_strings(rng: random.Random, scale: int) -> tuple:
    return (_tokens(STRINGS)(rng, scale), _tokens(STRINGS)(rng, scale))


def targets() -> list[Target]:
    """The 13 SCAN words, the 10 PCFG SET functions and HINT's 4 operators."""
    out = []
    for word, act in (("walk", "I_WALK"), ("look", "I_LOOK"), ("run", "I_RUN"),
                      ("jump", "I_JUMP")):
        out.append(Target("scan", word, 0, lambda a=act: (a,), lambda r, s: (), ("list",)))
    out.append(Target("scan", "turn", 0, lambda: (), lambda r, s: (), ("list",)))
    for word, act in (("left", "I_TURN_LEFT"), ("right", "I_TURN_RIGHT")):
        out.append(Target("scan", word, 1, lambda x, a=act: (a, *x), _scan_args(1),
                          ("list",)))
    scan_unary = {
        "opposite": (lambda x: (x[0], *x), True),
        "around": (lambda x: x * 4, True),
        "twice": (lambda x: x * 2, False),
        "thrice": (lambda x: x * 3, False),
    }
    for word, (fn, turned) in scan_unary.items():
        out.append(Target("scan", word, 1, fn, _scan_args(1, turned), ("list",)))
    out.append(Target("scan", "and", 2, lambda x, y: x + y, _scan_args(2), ("list",)))
    out.append(Target("scan", "after", 2, lambda x, y: y + x, _scan_args(2), ("list",)))
    for name, fn in UNARY.items():
        out.append(Target("pcfg", name, 1, fn, _unary_strings, ("list",)))
    for name, fn in BINARY.items():
        out.append(Target("pcfg", name, 2, fn, _binary_strings, ("list",)))
    hint = (("add", lambda x, y: x + y, _nat_pairs(cap=None)),
            ("minus", lambda x, y: max(0, x - y), _nat_pairs()),
            ("mul", lambda x, y: x * y, _nat_pairs(cap=100)),
            ("div", lambda x, y: -(-x // y), _nat_pairs(nonzero_divisor=True)))
    for name, fn, draw in hint:
        out.append(Target("hint", name, 2, fn, draw, ("nat",)))
    return out


def run_benchmark(*, n_examples: int = 40, n_heldout: int = 1000, seed: int = 0,
                  timeout: float = 10.0, progress: Callable[[dict], None] | None = None
                  ) -> dict[str, Any]:
    """Induce every target and measure it; returns the JSON-able report."""
    from nsr.registry import Registry
    from semantics.interpreter import Budget, Interpreter
    from semantics.library import InventedPrimitive, Library
    from semantics.render import render
    from semantics.search import InductionConfig, induce
    from semantics.typecheck import infer_type
    from semantics.verify import native_equivalent

    registry = Registry.default()
    library = Library()
    config = InductionConfig(timeout=timeout)
    rows = []
    start = time.monotonic()
    for target in targets():
        rng = random.Random(f"{seed}:{target.domain}:{target.name}")
        small = 20 if target.domain == "hint" else 5
        large = 1000 if target.domain == "hint" else 40
        examples = []
        seen_inputs = set()
        while len(examples) < n_examples:
            args = target.draw(rng, small)
            examples.append((args, target.reference(*args)))
            seen_inputs.add(args)
            if target.arity == 0:
                break
        prims = registry.in_sets(target.primitive_sets)
        t0 = time.monotonic()
        result = induce(examples, target.arity, primitives=prims, registry=registry,
                        library=library, config=config)
        seconds = time.monotonic() - t0
        row: dict[str, Any] = {
            "domain": target.domain, "name": target.name, "arity": target.arity,
            "examples": len(examples), "seconds": round(seconds, 3),
            "found": result.program is not None,
            "program": str(result.program) if result.program is not None else None,
            "examples_matched": result.matched, "enumerated": result.enumerated,
        }
        if result.program is not None:
            typ = infer_type(result.program, registry, library)
            native = native_equivalent(result.program, typ, registry, library)
            interp = Interpreter(registry, library, budget=Budget(steps=5_000_000))
            heldout = [target.draw(rng, large) for _ in range(n_heldout)]
            if target.arity == 0:
                heldout = [()]
            correct = 0
            for args in heldout:
                try:
                    correct += interp.run(result.program, args) == target.reference(*args)
                except Exception:
                    pass
            row.update(type=str(typ), native=native,
                       rendered=render(result.program, typ, library, native),
                       heldout_n=len(heldout), heldout_accuracy=correct / len(heldout),
                       largest_heldout_input=_largest(heldout),
                       largest_example_input=_largest(list(seen_inputs)))
            if target.domain == "hint":
                library.add(InventedPrimitive(target.name, result.program, typ, native))
        rows.append(row)
        if progress is not None:
            progress(row)
    total = time.monotonic() - start
    return {
        "benchmark": "induction", "seed": seed, "targets": rows,
        "all_found": all(r["found"] for r in rows),
        "all_correct": all(r.get("heldout_accuracy") == 1.0 for r in rows),
        "max_target_seconds": max(r["seconds"] for r in rows),
        "total_seconds": round(total, 2),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": sys.version.split()[0], "platform": platform.platform(),
    }


def _largest(inputs: list[tuple]) -> int:
    best = 0
    for args in inputs:
        for a in args:
            best = max(best, a if isinstance(a, int) else len(a))
    return best


def arg_types_of(target: Target) -> tuple[BaseType, ...]:
    return (INT,) * target.arity if target.domain == "hint" else (LIST,) * target.arity


__all__ = ["Target", "targets", "run_benchmark", "Arrow"]
