"""Reading DSL types back from their text form (``int``, ``(int int -> int)``)."""

from __future__ import annotations

from nsr.errors import TypeCheckError
from nsr.types import BASE_TYPES, Arrow, DslType


def parse_type(text: str) -> DslType:
    """Parse a type printed by ``str(type)``; bad text raises :class:`TypeCheckError`."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()
    t, i = _parse(tokens, 0, text)
    if i != len(tokens):
        raise TypeCheckError(f"bad type {text!r}: trailing text")
    return t


def _parse(tokens: list[str], i: int, text: str) -> tuple[DslType, int]:
    if i >= len(tokens):
        raise TypeCheckError(f"bad type {text!r}: unexpected end")
    tok = tokens[i]
    if tok in BASE_TYPES:
        return BASE_TYPES[tok], i + 1
    if tok != "(":
        raise TypeCheckError(f"bad type {text!r}: unknown type {tok!r}")
    args: list[DslType] = []
    i += 1
    while i < len(tokens) and tokens[i] != "->":
        t, i = _parse(tokens, i, text)
        args.append(t)
    if i >= len(tokens):
        raise TypeCheckError(f"bad type {text!r}: missing '->'")
    result, i = _parse(tokens, i + 1, text)
    if i >= len(tokens) or tokens[i] != ")":
        raise TypeCheckError(f"bad type {text!r}: missing ')'")
    return Arrow(tuple(args), result), i + 1
