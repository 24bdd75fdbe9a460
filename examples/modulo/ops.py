"""A new operator for nsr: the remainder of a division (primitive set ``modulo``)."""

from nsr.errors import PrimitiveError
from nsr.registry import primitive


@primitive("mod", sets={"modulo"})
def mod(x: int, y: int) -> int:
    """The remainder of x divided by y; undefined when y is 0."""
    if y == 0:
        raise PrimitiveError("mod", (x, y), "division by zero")
    return x % y
