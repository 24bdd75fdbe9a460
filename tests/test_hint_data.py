"""HINT data: reference evaluator and head convention, JSON loader, generator.

Tests that take ``shared_data`` compare with the official files and skip when
those are absent.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.hint import (
    ExpressionError,
    HintGenConfig,
    count_operators,
    evaluate,
    generate,
    hint_root,
    load_json,
    load_split,
    validate,
)
from benchmarks.hint_expr import infix
from benchmarks.hint_generate import sample_tree
from nsr.errors import DataError

SYMBOL = Path("hint") / "symbol"


@pytest.mark.parametrize(
    ("expr", "res", "head", "res_all"),
    [
        ("7", 7, [-1], [7]),
        (
            "7/2*(9*5)",
            180,
            [1, 3, 1, -1, 6, 6, 3, 6, 6],
            [7, 4, 2, 180, -1, 9, 45, 5, -1],
        ),
        ("6*(5-2)", 18, [1, -1, 4, 4, 1, 4, 4], [6, 18, -1, 5, 3, 2, -1]),
        (
            "(6+4)/(3-1)",
            5,
            [2, 2, 5, 2, 2, -1, 8, 8, 5, 8, 8],
            [-1, 6, 10, 4, -1, 5, -1, 3, 2, 1, -1],
        ),
        ("2-7", 0, [1, -1, 1], [2, 0, 7]),  # a - b = max(0, a - b)
        ("7/2", 4, [1, -1, 1], [7, 4, 2]),  # a / b = ceil(a / b)
        ("8-2-3", 3, [1, 3, 1, -1, 3], [8, 6, 2, 3, 3]),  # left-associative
        (
            "1d(5*6*7)",
            2,
            [1, -1, 6, 4, 6, 4, 1, 6, 6],
            [1, 2, -1, 5, 30, 6, 210, 7, -1],
        ),
        ("(8+2)c0", 5, [2, 2, 5, 2, 2, -1, 5], [-1, 8, 10, 2, -1, 5, 0]),
    ],
)
def test_evaluate_examples(
    expr: str, res: int, head: list[int], res_all: list[int]
) -> None:
    assert evaluate(expr) == (res, tuple(head), tuple(res_all))


@pytest.mark.parametrize(
    "expr", ["", "1/0", "1+", "+1", "(1+2", "1+2)", "12", "1(2)", "()", "1+?"]
)
def test_evaluate_rejects(expr: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expr)


@given(st.integers(0, 2**32), st.integers(0, 12))
def test_infix_round_trips_through_the_parser(seed: int, n_ops: int) -> None:
    tree = sample_tree(random.Random(seed), n_ops)
    text = infix(tree)
    assert count_operators(text) == n_ops
    try:
        evaluate(text)
    except ExpressionError:  # division by zero somewhere
        return
    # the minimal parenthesisation is unambiguous: re-render from the parse
    assert infix(_tree_from_heads(text)) == text


def _tree_from_heads(text: str) -> str | tuple:
    _, head, _ = evaluate(text)
    children: dict[int, list[int]] = {}
    for i, h in enumerate(head):
        if text[i] not in "()":
            children.setdefault(h, []).append(i)

    def build(i: int) -> str | tuple:
        if text[i].isdigit():
            return text[i]
        left, right = children[i]
        return (text[i], build(left), build(right))

    return build(head.index(-1))


def test_official_val_and_test_match_the_evaluator(shared_data: Path) -> None:
    val = load_json(shared_data / SYMBOL / "expr_val.json.gz")
    test = load_json(shared_data / SYMBOL / "expr_test.json.gz")
    assert (len(val), len(test)) == (4698, 46620)
    assert validate(val) == [] and validate(test) == []
    assert Counter(e.meta["eval"] for e in test) == {
        "I": 9980,
        "SS": 8000,
        "LS": 10000,
        "SL": 8640,
        "LL": 10000,
    }
    assert test[5000].inputs == tuple("7/2*(9*5)")
    assert test[5000].meta["head"] == (1, 3, 1, -1, 6, 6, 3, 6, 6)


def test_official_train_sample_matches_the_evaluator(shared_data: Path) -> None:
    train = load_json(shared_data / SYMBOL / "expr_train.json.gz")  # about 4 s
    assert len(train) == 998_000 and train[0].meta["id"] == "train_00000000"
    assert validate(random.Random(0).sample(train, 5000)) == []
    hundred = [e.meta["id"] for e in train if e.target == 100]
    assert len(hundred) == 1063 and hundred[:3] == [
        "train_00100950",
        "train_00103988",
        "train_00111752",
    ]
    prefix = load_json(
        shared_data / SYMBOL / "expr_train.json.gz", limit=1000, max_ops=0
    )
    assert [e.inputs for e in prefix] == [e.inputs for e in train[:1000]]


def test_fast_and_general_json_paths_agree(shared_data: Path, tmp_path: Path) -> None:
    fast = load_json(shared_data / SYMBOL / "expr_val.json.gz")
    with gzip.open(shared_data / SYMBOL / "expr_val.json.gz", "rt") as stream:
        records = json.load(stream)
    (tmp_path / "pretty.json").write_text(json.dumps(records, indent=1))
    general = load_json(tmp_path / "pretty.json")
    assert [(e.inputs, e.target, dict(e.meta)) for e in fast] == [
        (e.inputs, e.target, dict(e.meta)) for e in general
    ]


def test_load_split_reads_official_files(shared_data: Path) -> None:
    assert hint_root(shared_data) == hint_root(shared_data / "hint")
    splits = load_split("fewshot_d", data_dir=shared_data / "hint")
    assert [len(s) for s in splits] == [1000, 470, 4700]
    assert validate(splits.train) == [] and validate(splits.test) == []


RECORD = {
    "id": "t_0",
    "expr": "1+2",
    "head": [1, -1, 1],
    "res": 3,
    "res_all": [1, 3, 2],
}


def dump(path: Path, records: list, *, compress: bool = False) -> Path:
    data = json.dumps(records).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_loader_formats_limit_and_filter(tmp_path: Path) -> None:
    records = [
        RECORD,
        {
            **RECORD,
            "id": "t_1",
            "expr": "(1+2)*3",
            "head": [2, 2, 5, 2, 2, -1, 5],
            "res": 9,
            "res_all": [-1, 1, 3, 2, -1, 9, 3],
            "eval": "SS",
        },
    ]
    plain = load_json(dump(tmp_path / "a.json", records))
    packed = load_json(dump(tmp_path / "a.json.gz", records, compress=True))
    assert [(e.inputs, e.target, dict(e.meta)) for e in plain] == [
        (e.inputs, e.target, dict(e.meta)) for e in packed
    ]
    assert plain[1].meta["eval"] == "SS" and "eval" not in plain[0].meta
    assert plain[1].meta["head"] == (2, 2, 5, 2, 2, -1, 5) and plain[1].target == 9
    assert len(load_json(tmp_path / "a.json.gz", limit=1)) == 1
    assert len(load_json(tmp_path / "a.json", max_ops=1)) == 1
    assert load_json(dump(tmp_path / "e.json", [])) == []


@pytest.mark.parametrize(
    ("records", "index"),
    [
        ([RECORD, {**RECORD, "head": [1, -1]}], 1),  # official layout: fast path
        ([RECORD, RECORD, {k: v for k, v in RECORD.items() if k != "res"}], 2),
        ([RECORD, {**RECORD, "res": "3"}], 1),
        ([RECORD, {**RECORD, "expr": "1+x2"}], 1),
        ([RECORD, {**RECORD, "res_all": [1, 3, True]}], 1),
        ([RECORD, [1, 2]], 1),
    ],
)
def test_malformed_records_name_file_and_index(
    tmp_path: Path, records: list, index: int
) -> None:
    path = dump(tmp_path / "bad.json", records)
    with pytest.raises(DataError) as caught:
        load_json(path)
    assert caught.value.path == str(path) and caught.value.line == index
    assert f"record {index}" in str(caught.value)


def test_invalid_json_and_bytes(tmp_path: Path) -> None:
    text = json.dumps([RECORD, RECORD])
    (tmp_path / "cut.json").write_text(text[:-10])
    with pytest.raises(DataError) as caught:
        load_json(tmp_path / "cut.json")
    assert caught.value.line == 1
    (tmp_path / "bytes.json").write_bytes(text.encode().replace(b"t_0", b"t_\xff", 2))
    with pytest.raises(DataError) as caught:
        load_json(tmp_path / "bytes.json")
    assert caught.value.line == 0 and "UTF-8" in caught.value.problem
    packed = gzip.compress(text.encode())
    (tmp_path / "cut.json.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataError, match="decompress"):
        load_json(tmp_path / "cut.json.gz")
    (tmp_path / "two.json.gz").write_bytes(packed + gzip.compress(b" "))  # two members
    assert len(load_json(tmp_path / "two.json.gz")) == 2
    (tmp_path / "obj.json").write_text("{}")
    with pytest.raises(DataError):
        load_json(tmp_path / "obj.json")


@pytest.fixture(scope="module")
def small() -> tuple:
    return generate(
        HintGenConfig(n_train_per_count=200, n_val_per_count=5, n_test_per_count=30),
        seed=3,
    )


def test_generator_is_deterministic(small: tuple) -> None:
    again = generate(
        HintGenConfig(n_train_per_count=200, n_val_per_count=5, n_test_per_count=30),
        seed=3,
    )
    assert [e.inputs for e in again.test] == [e.inputs for e in small.test]
    other = generate(
        HintGenConfig(n_train_per_count=200, n_val_per_count=5, n_test_per_count=30),
        seed=4,
    )
    assert [e.inputs for e in other.train] != [e.inputs for e in small.train]


def test_generator_constraints(small: tuple) -> None:
    train, val, test = small
    assert len(train) == 11 * 200
    assert validate(train) == [] and validate(val) == [] and validate(test) == []
    seen = {e.inputs for e in train}
    for e in train:
        assert count_operators(e.inputs) <= 10 and max(e.meta["res_all"]) <= 100
        if count_operators(e.inputs) >= 3:
            assert e.target != 0
    for e in [*val, *test]:
        n_ops, top = count_operators(e.inputs), max(e.meta["res_all"])
        label = e.meta["eval"]
        assert (label == "I") == (e.inputs in seen)
        if label != "I":
            assert (n_ops <= 10) == (label[0] == "S") and n_ops <= 20
            assert (top <= 100) == (label[1] == "S") and top <= 10_000
    labels = Counter(e.meta["eval"] for e in test)
    assert (
        labels["LS"] == labels["LL"] == 10 * 30
        and labels["SL"] > 0
        and labels["SS"] > 0
    )
    for n_ops in range(3, 11):  # the per-result cap: at most 5 % of a pool, at least 1
        results = Counter(e.target for e in train if count_operators(e.inputs) == n_ops)
        assert max(results.values()) <= max(1, int(0.05 * 235))


def test_load_split_generates_without_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NSR_DATA", raising=False)
    splits = load_split(
        config=HintGenConfig(
            n_train_per_count=50, n_val_per_count=2, n_test_per_count=5, max_ops=12
        )
    )
    assert len(splits.train) == 11 * 50 and {e.meta["id"][:5] for e in splits.test} == {
        "test_"
    }
    with pytest.raises(ValueError):
        load_split("fewshot_x")
