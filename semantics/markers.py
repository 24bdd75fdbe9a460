"""Markers that stand in for a node's value where it has none."""

from __future__ import annotations


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNDEFINED = _Marker("UNDEFINED")
"""The value of a node that cannot be computed (no program, wrong arity, an error)."""

NO_VALUE = _Marker("NO_VALUE")
"""The value of a node whose symbol carries no value (a parenthesis, say): its parent's
program is applied to the other children."""
