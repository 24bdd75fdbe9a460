"""Splits by appearance: a symbol whose images look like two kinds and whose examples
two meanings explain is split in two; one meaning written two ways is not; two symbols
that each mix the same two meanings end up one symbol per meaning."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
import torch

from nsr.appearance_splits import Occurrence, apply_splits, find_splits
from nsr.errors import ConfigError
from nsr.registry import Registry
from nsr.symbol_splits import FreshSymbols
from semantics.module import NO_VALUE, SemanticModule, SemanticsConfig
from semantics.program import parse_program

BUDGET = 12


class _Looks:
    """Perception whose hidden features place each token by its kind: ``kind:i`` tokens
    of one kind lie together, far from the other kinds."""

    config = SimpleNamespace(num_symbols=BUDGET)

    def __init__(self, reads: dict[str, int]) -> None:
        self.reads = reads

    def embeddings(self, tokens) -> torch.Tensor:
        g = torch.Generator().manual_seed(0)
        centre = {"plus": 0.0, "times": 8.0, "seven": 16.0, "open": 24.0}
        return torch.stack([torch.full((4,), centre[t.split(":")[0]])
                            + 0.3 * torch.randn(4, generator=g) for t in tokens])

    def table(self) -> torch.Tensor:
        t = torch.full((len(self.reads), BUDGET), -5.0)
        for i, s in enumerate(self.reads.values()):
            t[i, s] = 0.0
        return t


def _machine(reads: dict[str, int]) -> SimpleNamespace:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("nat", "arith"),
                                                            valueless=True))
    return SimpleNamespace(semantics=sem, perception=_Looks(reads))


def _binary(kind: str, symbol: int, fn, n: int = 30) -> list[Occurrence]:
    rng = random.Random(kind)
    out = []
    for i in range(n):
        x, y = rng.randint(2, 9), rng.randint(2, 9)
        out.append(Occurrence(symbol, f"{kind}:{i}", (x, y), fn(x, y), 1.0))
    return out


def _reads(occs: list[Occurrence]) -> dict[str, int]:
    return {o.token: o.symbol for o in occs}


def test_two_operators_read_as_one_symbol_are_split() -> None:
    occs = _binary("plus", 3, lambda x, y: x + y) + _binary("times", 3, lambda x, y: x * y,
                                                              n=25)
    machine = _machine(_reads(occs))
    machine.semantics.set_program(3, parse_program("(lambda 2 (monus $0 $1))"))
    moves = find_splits(machine, occs, FreshSymbols(machine), random.Random(0))
    by_kind = {next(iter(mv.tokens)).split(":")[0]: mv for mv in moves}
    assert set(by_kind) == {"plus", "times"}
    assert by_kind["plus"].target == 3  # the larger side keeps the symbol
    new = by_kind["times"].target
    assert new != 3 and new not in machine.perception.reads.values()
    assert str(by_kind["times"].fit.program) == "(lambda 2 (mul $0 $1))"
    tokens = [[o.token] for o in occs]
    occs2, labels = apply_splits(moves, machine.semantics, occs, tokens,
                                 [(o.symbol,) for o in occs])
    assert {o.symbol for o in occs2 if o.token.startswith("times")} == {new}
    assert {seq[0] for seq, o in zip(labels, occs) if o.token.startswith("plus")} == {3}
    assert str(machine.semantics.program_for(new)) == "(lambda 2 (mul $0 $1))"
    assert str(machine.semantics.program_for(3)) == "(lambda 2 (add $0 $1))"


def test_one_meaning_written_two_ways_is_not_split() -> None:
    occs = [Occurrence(4, f"seven:{i}", (), 7, 1.0) for i in range(30)]
    occs += [Occurrence(4, f"plus:{i}", (), 7, 1.0) for i in range(30)]
    occs += [Occurrence(4, f"times:{i}", (), 5, 1.0) for i in range(10)]  # misread
    machine = _machine(_reads(occs))
    assert find_splits(machine, occs, FreshSymbols(machine), random.Random(0)) == []


def test_a_well_explained_symbol_is_not_examined() -> None:
    occs = _binary("plus", 3, lambda x, y: x + y) + _binary("times", 3, lambda x, y: x * y,
                                                              n=2)
    machine = _machine(_reads(occs))
    machine.semantics.set_program(3, parse_program("(lambda 2 (add $0 $1))"))
    assert find_splits(machine, occs, FreshSymbols(machine), random.Random(0)) == []


def test_two_symbols_mixing_the_same_meanings_become_one_symbol_each() -> None:
    occs = (_binary("plus", 3, lambda x, y: x + y, n=30)
            + _binary("times", 3, lambda x, y: x * y, n=20)
            + [Occurrence(5, f"plus:{i + 100}", o.args, o.value, 1.0) for i, o in
               enumerate(_binary("plus", 5, lambda x, y: x + y, n=15))]
            + [Occurrence(5, f"times:{i + 100}", o.args, o.value, 1.0) for i, o in
               enumerate(_binary("times", 5, lambda x, y: x * y, n=35))])
    machine = _machine(_reads(occs))
    moves = find_splits(machine, occs, FreshSymbols(machine), random.Random(0))
    target = {(mv.origin, next(iter(mv.tokens)).split(":")[0]): mv.target for mv in moves}
    assert target[(3, "plus")] == target[(5, "plus")] == 3
    assert target[(3, "times")] == target[(5, "times")] == 5


def test_a_valueless_kind_inside_a_digit_symbol_gets_its_own_symbol() -> None:
    occs = [Occurrence(6, f"seven:{i}", (), 7, 1.0) for i in range(40)]
    occs += [Occurrence(6, f"open:{i}", (), NO_VALUE, 1.0) for i in range(30)]
    machine = _machine(_reads(occs))
    machine.semantics.set_program(6, parse_program("(inc zero)"))
    moves = find_splits(machine, occs, FreshSymbols(machine), random.Random(0))
    kinds = {next(iter(mv.tokens)).split(":")[0]: mv for mv in moves}
    assert kinds["seven"].target == 6 and kinds["seven"].fit.program is not None
    assert kinds["open"].target != 6 and kinds["open"].fit.program is None


def test_image_runs_split_by_appearance_and_say_so() -> None:
    from nsr.image_input import image_preset
    from nsr.presets import preset
    from nsr.report import round_line

    assert image_preset("hint", split=None, seed=0).loop.appearance_splits
    assert not preset("hint", split="symbol", seed=0).loop.appearance_splits
    event = {"round": 4, "stage": 3, "pool": 10, "accuracy": 0.5, "abduced": 1,
             "revised": 1, "programs": 3, "seconds": 1.0}
    assert "appearance" not in round_line({**event, "appearance_splits": 0})
    assert "split by appearance 2" in round_line({**event, "appearance_splits": 2})


def test_word_perception_is_refused_clearly() -> None:
    occs = _binary("plus", 3, lambda x, y: x + y)
    machine = SimpleNamespace(semantics=_machine(_reads(occs)).semantics,
                              perception=SimpleNamespace(config=_Looks.config))
    with pytest.raises(ConfigError, match="image perception"):
        find_splits(machine, occs, SimpleNamespace(free=[]), random.Random(0))
