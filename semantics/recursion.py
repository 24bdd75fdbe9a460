"""Search for recursive programs: guarded linear recursion through ``fix``.

Candidates have the form ``(fix K (if0 $i BASE STEP))`` where STEP is a term over the
arguments and ``r = (recur $0 .. D .. $K-1)``: the same call with argument i replaced by
a descent D (such as ``(dec $i)``) that is smaller than ``$i`` on every example. This
normal form always terminates, covers structural recursion on naturals, and is cheap
to check: examples whose descended input was also observed test STEP directly, and the
rest are evaluated by iterating the chain of descents, not by deep calls.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence

from nsr.errors import BudgetExceeded
from nsr.registry import Registry
from nsr.types import INT
from semantics.compiled import compile_function
from semantics.enumeration import ERR, MAX_INT_BITS, Component, Enumerator
from semantics.library import Library
from semantics.program import App, Arg, Fix, Lambda, Prim, Program, Recur, size

MAX_CHAIN = 20_000


def _substitute(p: Program, var: int, replacement: Program) -> Program:
    if isinstance(p, Arg) and p.index == var:
        return replacement
    if isinstance(p, App):
        return App(p.head, tuple(_substitute(a, var, replacement) for a in p.args))
    return p


def _mentions(p: Program, var: int) -> bool:
    if isinstance(p, Arg):
        return p.index == var
    if isinstance(p, App):
        return any(_mentions(a, var) for a in p.args)
    return False


def _fn(body: Program, arity: int, registry: Registry, library: Library) -> Callable:
    return compile_function(Lambda(arity, body), registry, library)


def _safe(fn: Callable, args: tuple):
    try:
        return fn(*args)
    except Exception:
        return None


def search_recursive(inputs: list[tuple], outputs: list[Counter], arity: int,
                     enum: Enumerator, comps: Sequence[Component], scorer, registry: Registry,
                     library: Library, config, deadline: float,
                     best_score: float) -> tuple[float, Program, int] | None:
    """The best guarded linear recursion for the examples, as (score, program, matched)."""
    while enum.size < 3:
        for _ in enum.grow():
            pass
    majority = {a: c.most_common(1)[0][0] for a, c in zip(inputs, outputs)}
    int_terms = [e.program for k in (1, 2, 3) for e in enum.bank(INT, k)]
    steps = _step_terms(arity, comps, config, deadline)
    best: tuple[float, Program, int] | None = None
    for i in range(arity):
        if enum.leaves[i][1] != INT:
            continue
        for d_body in _descents(int_terms, i, inputs, arity, registry, library,
                                config.noise):
            d_fn = _fn(d_body, arity, registry, library)
            for b_body in _bases(int_terms, i, inputs, majority, arity, registry, library):
                b_fn = _fn(b_body, arity, registry, library)
                pairs = _pairs(i, d_fn, b_fn, majority)
                for s_body, s_fn in steps:
                    if time.monotonic() > deadline:
                        raise BudgetExceeded("recursion search ran out of its time budget")
                    if not _passes_pairs(s_fn, pairs, config.noise):
                        continue
                    program = _assemble(arity, i, d_body, b_body, s_body)
                    n = size(program)
                    if scorer.best_possible(n) <= max(best_score, best[0] if best else -1e300):
                        continue
                    matched = scorer.matched(_run(i, d_fn, b_fn, s_fn, inputs))
                    score = scorer.score(matched, n)
                    if best is None or score > best[0]:
                        best = (score, program, matched)
    return best


def _assemble(arity: int, i: int, d: Program, base: Program, step: Program) -> Program:
    call = App(Recur(), tuple(d if j == i else Arg(j) for j in range(arity)))
    return Fix(arity, App(Prim("if0"), (Arg(i), base, _substitute(step, arity, call))))


def _allowance(rate: float, n: int) -> int:
    """How many of ``n`` checks may fail at a failure ``rate`` (one more, if any may)."""
    return int(rate * n) + (1 if rate > 0 else 0)


def _descents(terms: list[Program], i: int, inputs: list[tuple], arity: int,
              registry: Registry, library: Library, noise: float) -> list[Program]:
    """Terms that shrink argument i on the examples, all but a noise allowance of them:
    misread inputs (a division by 0) must not rule a descent out; the recursion fails
    on those inputs and the scorer counts them."""
    positive = [a for a in inputs if a[i] > 0]
    allowed = _allowance(noise, len(positive))
    found = []
    for t in terms:
        if not _mentions(t, i) or t == Arg(i):
            continue
        fn = _fn(t, arity, registry, library)
        bad = 0
        for a in positive:
            v = _safe(fn, a)
            if v is None or not 0 <= v < a[i]:
                bad += 1
                if bad > allowed:
                    break
        if bad <= allowed:
            found.append(t)
    return found


def _bases(terms: list[Program], i: int, inputs: list[tuple], majority: dict, arity: int,
           registry: Registry, library: Library) -> list[Program]:
    zeros = [a for a in inputs if a[i] == 0]
    found, seen = [], set()
    for t in terms:
        if size(t) > 3:
            continue
        fn = _fn(t, arity, registry, library)
        values = tuple(_safe(fn, a) for a in zeros)
        if zeros and sum(v == majority[a] for v, a in zip(values, zeros)) * 2 <= len(zeros):
            continue
        probe = values if zeros else tuple(_safe(fn, (0,) * arity) for _ in range(1))
        key = (probe, str(t)) if not zeros else probe
        if key in seen:
            continue
        seen.add(key)
        found.append(t)
    return found[:12]


def _step_terms(arity: int, comps: Sequence[Component], config, deadline: float):
    """Terms over the arguments and r = $arity that use r, deduplicated on probe inputs."""
    rng = random.Random(0)
    probes = [tuple(rng.randint(0, 12) for _ in range(arity + 1)) for _ in range(40)]
    usable = [c for c in comps if all(t == INT for t in c.args) and c.result == INT]
    enum = Enumerator((INT,) * (arity + 1), probes, usable, deadline)
    steps = []
    for _ in range(config.recursion_step_size):
        for t, entry in enum.grow():
            if t == INT and _mentions(entry.program, arity):
                steps.append(entry.program)
    return [(s, _step_fn(s, arity, comps)) for s in steps]


def _step_fn(step: Program, arity: int, comps: Sequence[Component]) -> Callable:
    table = {c.program: c for c in comps}

    def build(p: Program) -> Callable:
        if isinstance(p, Arg):
            k = p.index
            return lambda env: env[k]
        if isinstance(p, App):
            c = table[p.head]
            parts = [build(a) for a in p.args]
            fn, lazy = c.fn, c.lazy
            if any(lazy):
                return lambda env: fn(*[(lambda q=q: q(env)) if lz else q(env)
                                        for q, lz in zip(parts, lazy)])
            return lambda env: fn(*[q(env) for q in parts])
        c = table[p]
        value = c.fn() if c.fn is not None else p.value  # type: ignore[union-attr]
        return lambda env: value

    code = build(step)
    return lambda *env: code(env)


def _pairs(i: int, d_fn: Callable, b_fn: Callable, majority: dict) -> list[tuple]:
    """(args + (r,), expected) where r is known: an observed or base-case smaller input."""
    pairs = []
    for a, out in majority.items():
        if a[i] == 0:
            continue
        v = _safe(d_fn, a)
        if v is None:
            continue
        smaller = a[:i] + (v,) + a[i + 1:]
        if smaller in majority:
            pairs.append((a + (majority[smaller],), out))
        elif v == 0:
            r = _safe(b_fn, smaller)
            if r is not None:
                pairs.append((a + (r,), out))
    return pairs


def _passes_pairs(s_fn: Callable, pairs: list[tuple], noise: float) -> bool:
    """A cheap filter before the recursion is run on every input and scored. A wrong
    example spoils up to two pairs (as the larger input and as the smaller one), and
    pseudo-labels from misread images are often noisier than the scorer's noise rate;
    so the filter lets through twice that rate per pair, and the scorer judges."""
    allowed = _allowance(4 * noise, len(pairs))
    bad = 0
    for env, out in pairs:
        if _safe(s_fn, env) != out:
            bad += 1
            if bad > allowed:
                return False
    return True


def _run(i: int, d_fn: Callable, b_fn: Callable, s_fn: Callable, inputs: list[tuple]
         ) -> list:
    """The recursion's output on every input (``ERR`` where it fails or its value
    grows wider than the enumeration's ``MAX_INT_BITS``)."""
    out = []
    for a in inputs:
        chain = []
        cur = a
        ok = True
        while cur[i] != 0:
            chain.append(cur)
            v = _safe(d_fn, cur)
            if v is None or not 0 <= v < cur[i] or len(chain) > MAX_CHAIN:
                ok = False
                break
            cur = cur[:i] + (v,) + cur[i + 1:]
        r = _safe(b_fn, cur) if ok else None
        for link in reversed(chain):
            if r is None:
                break
            r = _safe(s_fn, link + (r,))
            if type(r) is int and r.bit_length() > MAX_INT_BITS:
                r = None  # a step such as r * r doubles the width on every link
        out.append(ERR if r is None else r)
    return out
