"""Programs of the DSL: a small typed lambda calculus over registered primitives.

Forms and their canonical text (which round-trips exactly through :func:`parse_program`):

- ``$i``                 argument i of the enclosing ``lambda`` or ``fix``
- ``name``               a registered primitive (``zero``, ``concat`` ...)
- ``@name``              an invented primitive from a :class:`~semantics.library.Library`
- ``'TOKEN'`` / ``42``   constants: a token or a natural number
- ``(f e1 ... en)``      application
- ``(lambda K BODY)``    a K-ary function; BODY sees ``$0 .. $K-1``
- ``(fix K BODY)``       a K-ary recursive function; BODY calls itself as ``(recur ...)``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from nsr.errors import ProgramParseError


@dataclass(frozen=True)
class Arg:
    index: int

    def __str__(self) -> str:
        return f"${self.index}"


@dataclass(frozen=True)
class Prim:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Invented:
    name: str

    def __str__(self) -> str:
        return f"@{self.name}"


@dataclass(frozen=True)
class Const:
    value: int | str

    def __str__(self) -> str:
        return str(self.value) if isinstance(self.value, int) else f"'{self.value}'"


@dataclass(frozen=True)
class Recur:
    def __str__(self) -> str:
        return "recur"


@dataclass(frozen=True)
class App:
    head: Program
    args: tuple[Program, ...]

    def __str__(self) -> str:
        return "(" + " ".join(str(p) for p in (self.head, *self.args)) + ")"


@dataclass(frozen=True)
class Lambda:
    arity: int
    body: Program

    def __str__(self) -> str:
        return f"(lambda {self.arity} {self.body})"


@dataclass(frozen=True)
class Fix:
    arity: int
    body: Program

    def __str__(self) -> str:
        return f"(fix {self.arity} {self.body})"


Program = Union[Arg, Prim, Invented, Const, Recur, App, Lambda, Fix]
RESERVED = {"lambda", "fix", "recur"}


def size(p: Program) -> int:
    """Number of nodes: every leaf, head and binder counts one."""
    if isinstance(p, App):
        return size(p.head) + sum(size(a) for a in p.args)
    if isinstance(p, (Lambda, Fix)):
        return 1 + size(p.body)
    return 1


def subterms(p: Program):
    """All subterms, parents before children."""
    yield p
    if isinstance(p, App):
        yield from subterms(p.head)
        for a in p.args:
            yield from subterms(a)
    elif isinstance(p, (Lambda, Fix)):
        yield from subterms(p.body)


def uses_recursion(p: Program) -> bool:
    return any(isinstance(s, Fix) for s in subterms(p))


def arity_of(p: Program) -> int:
    """The number of arguments a symbol's program takes (0 for a plain value)."""
    return p.arity if isinstance(p, (Lambda, Fix)) else 0


_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|'(?P<tok>[^'\s()]*)'|(?P<atom>[^\s()']+)|(?P<bad>\S))")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        kind = m.lastgroup
        start = m.start(kind)
        if kind == "bad":
            raise ProgramParseError(text, start, f"unexpected character {text[start]!r}")
        if kind == "tok" and m.group("tok") == "":
            raise ProgramParseError(text, start, "empty token constant ''")
        out.append((kind, m.group(kind), start))
        pos = m.end()
    return out


def parse_program(text: str) -> Program:
    """Parse canonical program text; malformed text raises :class:`ProgramParseError`."""
    tokens = _tokenize(text)
    if not tokens:
        raise ProgramParseError(text, 0, "empty program")
    program, i = _parse(text, tokens, 0)
    if i != len(tokens):
        raise ProgramParseError(text, tokens[i][2], "unexpected text after the program")
    return program


def _parse(text: str, toks: list[tuple[str, str, int]], i: int) -> tuple[Program, int]:
    if i >= len(toks):
        raise ProgramParseError(text, len(text), "unexpected end of program")
    kind, val, pos = toks[i]
    if kind == "close":
        raise ProgramParseError(text, pos, "unexpected ')'")
    if kind == "tok":
        return Const(val), i + 1
    if kind == "atom":
        return _atom(text, val, pos), i + 1
    # an opening parenthesis
    if i + 1 < len(toks) and toks[i + 1][0] == "atom" and toks[i + 1][1] in ("lambda", "fix"):
        return _parse_binder(text, toks, i + 1)
    head, j = _parse(text, toks, i + 1)
    args = []
    while True:
        if j >= len(toks):
            raise ProgramParseError(text, len(text), "missing ')'")
        if toks[j][0] == "close":
            break
        arg, j = _parse(text, toks, j)
        args.append(arg)
    if not args:
        raise ProgramParseError(text, pos, "an application needs at least one argument")
    return App(head, tuple(args)), j + 1


def _parse_binder(text: str, toks: list[tuple[str, str, int]], i: int) -> tuple[Program, int]:
    word = toks[i][1]
    if i + 1 >= len(toks) or toks[i + 1][0] != "atom" or not toks[i + 1][1].isdecimal():
        at = toks[i + 1][2] if i + 1 < len(toks) else len(text)
        raise ProgramParseError(text, at, f"'{word}' needs its arity as a number")
    arity = int(toks[i + 1][1])
    if arity < 1:
        raise ProgramParseError(text, toks[i + 1][2], f"'{word}' needs an arity >= 1")
    body, j = _parse(text, toks, i + 2)
    if j >= len(toks) or toks[j][0] != "close":
        at = toks[j][2] if j < len(toks) else len(text)
        raise ProgramParseError(text, at, f"'{word}' takes exactly one body; expected ')'")
    node = Lambda(arity, body) if word == "lambda" else Fix(arity, body)
    return node, j + 1


def _atom(text: str, val: str, pos: int) -> Program:
    if val.startswith("$"):
        if not val[1:].isdecimal():
            raise ProgramParseError(text, pos, f"bad argument reference {val!r}")
        return Arg(int(val[1:]))
    if val.startswith("@"):
        if len(val) == 1:
            raise ProgramParseError(text, pos, "'@' needs an invented primitive's name")
        return Invented(val[1:])
    if val.isdecimal():
        return Const(int(val))
    if val[0].isdigit():
        raise ProgramParseError(text, pos, f"bad number {val!r}")
    if val == "recur":
        return Recur()
    if val in RESERVED:
        raise ProgramParseError(text, pos, f"'{val}' must follow '('")
    return Prim(val)
