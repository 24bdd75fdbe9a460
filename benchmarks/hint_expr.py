"""HINT expressions: the reference evaluator and the official dependency-tree convention.

An expression is a string of one-character tokens: digits ``0-9``, operators
``+ - * /`` and parentheses. Semantics (Li et al. 2023): ``a - b = max(0, a - b)``,
``a / b = ceil(a / b)`` (undefined for b = 0); ``*`` and ``/`` bind tighter than
``+`` and ``-``; all operators are left-associative. The few-shot concepts are
understood too: leaves ``x`` = 11, ``y`` = 12; ``a`` = max and ``b`` = min at the
level of ``+``; ``c`` = ceil of the mean and ``d`` = ceil of the harmonic mean at the
level of ``*``.

The tree the official data annotates (``head``, ``res_all``), checked against
every val/test record: an operator's dependents are its two operands' roots;
a digit is a leaf; both parentheses of a group depend on the root of the
expression they enclose; the root's head is -1. ``res_all`` holds each token's
value: a digit's value, the value of the subexpression an operator roots, and
-1 for parentheses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = [
    "LEAVES",
    "OPERATORS",
    "PAREN_VALUE",
    "ExpressionError",
    "count_operators",
    "evaluate",
    "infix",
]

PAREN_VALUE = -1
"""``res_all`` entry of a parenthesis (it carries no value)."""

LEAVES: dict[str, int] = {str(d): d for d in range(10)} | {"x": 11, "y": 12}


def _sub(u: int, v: int) -> int:
    return max(0, u - v)


def _div(u: int, v: int) -> int:
    if v == 0:
        raise ExpressionError("division by zero")
    return -(-u // v)


def _mean(u: int, v: int) -> int:
    return -(-(u + v) // 2)


def _harmonic(u: int, v: int) -> int:
    if u + v == 0:
        raise ExpressionError("harmonic mean of 0 and 0")
    return -(-(2 * u * v) // (u + v))


OPERATORS: dict[str, tuple[int, Callable[[int, int], int]]] = {
    "+": (1, lambda u, v: u + v),
    "-": (1, _sub),
    "*": (2, lambda u, v: u * v),
    "/": (2, _div),
    "a": (1, max),
    "b": (1, min),
    "c": (2, _mean),
    "d": (2, _harmonic),
}
"""Operator -> (precedence, function). ``a``-``d`` are the few-shot concepts."""


class ExpressionError(ValueError):
    """A malformed expression, or one whose value is undefined (x / 0)."""


def count_operators(expr: Sequence[str]) -> int:
    """The number of operator tokens of an expression."""
    return sum(1 for t in expr if t in OPERATORS)


def evaluate(expr: Sequence[str]) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Evaluate an expression and annotate it the way the official data does.

    Args:
        expr: The tokens, e.g. ``"7/2*(9*5)"`` or ``list("7/2*(9*5)")``.

    Returns:
        ``(res, head, res_all)``: the value; each token's head (-1 for the
        root), e.g. ``(1, 3, 1, -1, 6, 6, 3, 6, 6)``; each token's value, -1 for
        parentheses, e.g. ``(7, 4, 2, 180, -1, 9, 45, 5, -1)``.

    Raises:
        ExpressionError: Unknown token, missing operand or operator, unbalanced
            parentheses, empty input, or an undefined value (division by zero).
    """
    n = len(expr)
    head = [-1] * n
    value = [PAREN_VALUE] * n
    operands: list[int] = []  # token index of each finished operand's root
    pending: list[int] = []  # token indices of operators and open parentheses
    want_operand = True

    def reduce() -> None:
        op = pending.pop()
        right, left = operands.pop(), operands.pop()
        head[left] = head[right] = op
        value[op] = OPERATORS[expr[op]][1](value[left], value[right])
        operands.append(op)

    for i, token in enumerate(expr):
        if token in LEAVES or token == "(":
            if not want_operand:
                raise ExpressionError(f"operator expected at {i}, found {token!r}")
            if token == "(":
                pending.append(i)
            else:
                value[i] = LEAVES[token]
                operands.append(i)
                want_operand = False
        elif token in OPERATORS:
            if want_operand:
                raise ExpressionError(f"operand expected at {i}, found {token!r}")
            precedence = OPERATORS[token][0]
            while (
                pending
                and expr[pending[-1]] != "("
                and OPERATORS[expr[pending[-1]]][0] >= precedence
            ):
                reduce()
            pending.append(i)
            want_operand = True
        elif token == ")":
            if want_operand:
                raise ExpressionError(f"operand expected at {i}, found ')'")
            while pending and expr[pending[-1]] != "(":
                reduce()
            if not pending:
                raise ExpressionError(f"unbalanced ')' at {i}")
            opening = pending.pop()
            head[opening] = head[i] = operands[-1]
        else:
            raise ExpressionError(f"unknown token {token!r} at {i}")
    if want_operand:
        raise ExpressionError("expression is empty or ends with an operator")
    while pending:
        if expr[pending[-1]] == "(":
            raise ExpressionError(f"unbalanced '(' at {pending[-1]}")
        reduce()
    root = operands.pop()
    head[root] = -1
    return value[root], tuple(head), tuple(value)


def infix(tree: str | tuple) -> str:
    """Write a tree ``(op, left, right)`` (leaves are digit strings) as an expression.

    Parentheses are added only where the tree needs them: around a left operand
    whose operator binds less tightly, and around a right operand whose operator
    binds less or equally tightly (operators are left-associative). This is the
    official convention: ``5*(5*4)`` keeps its parentheses.
    """
    if isinstance(tree, str):
        return tree
    op, left, right = tree
    precedence = OPERATORS[op][0]
    left_text, right_text = infix(left), infix(right)
    if not isinstance(left, str) and OPERATORS[left[0]][0] < precedence:
        left_text = f"({left_text})"
    if not isinstance(right, str) and OPERATORS[right[0]][0] <= precedence:
        right_text = f"({right_text})"
    return left_text + op + right_text
