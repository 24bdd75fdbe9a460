"""A library of invented primitives: programs found by induction, reusable by name.

Once a program is learned for a symbol it can join the library (``@add``), so a later
search can build on it (multiplication as a recursion over a learned addition). A
library serialises to plain JSON-able data: names, program text, types and, where an
equivalence to a native operation was verified, that operation's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nsr.errors import RegistryError
from nsr.types import Arrow, DslType
from semantics.program import Program, parse_program
from semantics.types_text import parse_type


@dataclass(frozen=True)
class InventedPrimitive:
    """A named program of a known type; ``native`` names a verified-equivalent operation."""

    name: str
    program: Program
    type: DslType
    native: str | None = None

    @property
    def arity(self) -> int:
        return len(self.type.args) if isinstance(self.type, Arrow) else 0


@dataclass
class Library:
    """Invented primitives by name; a duplicate name is an error."""

    items: dict[str, InventedPrimitive] = field(default_factory=dict)

    def add(self, item: InventedPrimitive) -> None:
        if item.name in self.items:
            raise RegistryError(f"duplicate invented primitive @{item.name}")
        self.items[item.name] = item

    def get(self, name: str) -> InventedPrimitive:
        try:
            return self.items[name]
        except KeyError:
            raise RegistryError(f"unknown invented primitive @{name}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def __iter__(self):
        return iter(list(self.items.values()))

    def fresh_name(self, stem: str) -> str:
        """A name not yet taken: ``stem``, else ``stem2``, ``stem3`` ..."""
        name, k = stem, 1
        while name in self.items:
            k += 1
            name = f"{stem}{k}"
        return name

    def to_json(self) -> list[dict[str, Any]]:
        return [{"name": i.name, "program": str(i.program), "type": str(i.type),
                 "native": i.native} for i in self.items.values()]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Library:
        lib = cls()
        for d in data:
            lib.add(InventedPrimitive(d["name"], parse_program(d["program"]),
                                      parse_type(d["type"]), d.get("native")))
        return lib
