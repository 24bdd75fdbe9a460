"""Measuring learned structure against gold annotations (never used for learning).

Symbol accuracy: each learned symbol is read as the gold class it is most often
perceived for, and a position counts as right when its symbol reads back as its own
class (the gold class is ``meta["symbols"]`` where examples carry it, else the token
itself). It measures perception's own reading; where deduction settled on another
reading of some inputs (``Machine.symbol_fallback``), ``symbol_accuracy_deduced``
measures the symbols deduction used in the same way. Head accuracy: the fraction of positions whose deduced head equals
``meta["head"]``, over all positions and over positions that carry a value (the
official trees hang parentheses under the expression they enclose, a convention a
learner whose parentheses carry no value need not share).

Errors: where :func:`nsr.run.evaluate` passes whether each output was right, the wrong
ones are sorted by their first cause against the gold fields: ``no deduction`` (no tree
at all), ``misread`` (a symbol deduction used reads back as another class), ``tree``
(every symbol right, a valued position's head wrong), ``program`` (symbols and tree
right, the value wrong), or ``tree or program`` where examples carry no gold heads; with
the most frequent misreadings (``"* as +"``: a ``*`` read as the symbol that reads back
as ``+``) among the wrong outputs and how many distinct input tokens (images, for image
input) were misread so: a few images shared by many test expressions show as a large
count behind a small one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from nsr.machine import Deduction
from nsr.types import Example


class GoldTally:
    """Counts gathered over deductions, turned into metrics by :meth:`result`."""

    def __init__(self) -> None:
        self.pairs: Counter = Counter()  # (symbol, gold class) -> positions
        self.deduced_pairs: Counter = Counter()  # the same for the symbols deduced
        self.heads = [0, 0]
        self.valued_heads = [0, 0]
        # each wrong output: (symbols deduction used or None, inputs, gold classes,
        # heads right?)
        self.wrong: list[tuple[tuple[int, ...] | None, tuple[str, ...], tuple[str, ...],
                               bool | None]] = []

    def add(self, example: Example, deduced: Deduction | None,
            correct: bool | None = None) -> None:
        meta = example.meta or {}
        classes = meta.get("symbols") or example.inputs
        named = all(isinstance(c, str) for c in classes)
        heads_right = None if deduced is None else self._add_heads(meta, deduced)
        if correct is False and named:
            self.wrong.append((None if deduced is None else deduced.symbols,
                               tuple(example.inputs), tuple(classes), heads_right))
        if deduced is not None and named:
            for s, c in zip(deduced.read, classes):
                self.pairs[(s, c)] += 1
            for s, c in zip(deduced.symbols, classes):
                self.deduced_pairs[(s, c)] += 1

    def _add_heads(self, meta: dict[str, Any], deduced: Deduction) -> bool | None:
        """Count the deduced heads against the gold ones; whether every valued
        position's head is right (``None``: no gold heads)."""
        gold = meta.get("head")
        if gold is None or len(gold) != len(deduced.tree.heads):
            return None
        res_all = meta.get("res_all")
        valued_right = True
        for i, (h, g) in enumerate(zip(deduced.tree.heads, gold)):
            self.heads[0] += h == g
            self.heads[1] += 1
            if res_all is None or res_all[i] != -1:
                self.valued_heads[0] += h == g
                self.valued_heads[1] += 1
                valued_right = valued_right and h == g
        return valued_right

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.pairs:
            out["symbol_accuracy"] = _read_back(self.pairs)
            if self.deduced_pairs != self.pairs:
                out["symbol_accuracy_deduced"] = _read_back(self.deduced_pairs)
        if self.heads[1]:
            out["head_accuracy"] = self.heads[0] / self.heads[1]
        if self.valued_heads[1] and self.valued_heads[1] != self.heads[1]:
            out["head_accuracy_valued"] = self.valued_heads[0] / self.valued_heads[1]
        if self.wrong:
            out["errors"] = self._errors()
        return out

    def _errors(self) -> dict[str, Any]:
        reads_as = _majority_class(self.deduced_pairs)
        causes: Counter = Counter()
        misreadings: Counter = Counter()
        behind: dict[str, set[str]] = {}  # misreading -> the input tokens misread so
        for symbols, inputs, classes, heads_right in self.wrong:
            if symbols is None:
                causes["no deduction"] += 1
                continue
            misread = {(f"{c} as {reads_as.get(s)}", token)
                       for s, token, c in zip(symbols, inputs, classes)
                       if reads_as.get(s) != c}
            if misread:
                causes["misread"] += 1
                misreadings.update({name for name, _ in misread})
                for name, token in misread:
                    behind.setdefault(name, set()).add(token)
            elif heads_right is None:
                causes["tree or program"] += 1
            else:
                causes["program" if heads_right else "tree"] += 1
        top = dict(misreadings.most_common(10))
        return {"wrong": len(self.wrong), **dict(causes.most_common()),
                "misreadings": top, "misread_tokens": {k: len(behind[k]) for k in top}}


def _majority_class(pairs: Counter) -> dict[int, str]:
    """Each symbol's most frequent gold class."""
    best: dict[int, tuple[int, str]] = {}
    for (s, c), n in pairs.items():
        if n > best.get(s, (0, ""))[0]:
            best[s] = (n, c)
    return {s: c for s, (_, c) in best.items()}


def _read_back(pairs: Counter) -> float:
    """The share of positions whose symbol's most frequent gold class is their own."""
    best = _majority_class(pairs)
    right = sum(n for (s, c), n in pairs.items() if best[s] == c)
    return right / sum(pairs.values())


def gold_metrics(examples: Sequence[Example], deductions: Sequence[Deduction | None]
                 ) -> dict[str, Any]:
    """Symbol and head accuracy of ``deductions`` against the examples' gold fields."""
    tally = GoldTally()
    for e, d in zip(examples, deductions):
        tally.add(e, d)
    return tally.result()
