"""PCFG SET data: interpreter, grammar generator, split constraints, file loading.

Tests that take ``shared_data`` compare with the official files and skip when
those are absent.
"""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.pcfg import (
    SYSTEMATICITY_PAIRS,
    generate_test,
    generate_train,
    histogram_report,
    interpret,
    load_official,
    load_parallel,
    load_split,
    official_test_inputs,
)
from benchmarks.pcfg_generate import _quotas
from benchmarks.pcfg_grammar import (
    LETTERS,
    STRING_LENGTHS,
    TWIN_SUFFIX,
    PCFGSyntaxError,
    adjacent_pairs,
    base_function,
    build_grammar,
    function_count,
    primitive_applications,
    sample_source,
    string_arguments,
)
from benchmarks.pcfg_stats import (
    DEV_TEST_FUNCTIONS,
    PRODUCTIVITY_TEST_FUNCTIONS,
    SYSTEMATICITY_TEST_FUNCTIONS,
    function_histogram,
)
from nsr.errors import DataError


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("append reverse R11 B10 , E16 F2", "B10 R11 E16 F2"),
        ("copy A1 B2 C3", "A1 B2 C3"),
        ("shift A1 B2 C3", "B2 C3 A1"),
        ("echo A1 B2", "A1 B2 B2"),
        ("swap_first_last A1 B2 C3", "C3 B2 A1"),
        ("swap_first_last A1", "A1"),
        ("repeat A1 B2", "A1 B2 A1 B2"),
        ("prepend A1 , B2 C3", "B2 C3 A1"),
        ("remove_first A1 , B2 C3", "B2 C3"),
        ("remove_second A1 , B2 C3", "A1"),
        (
            "remove_second K3 F20 M4 K2 W15 , reverse echo E19 Y4 G14 H7 W5",
            "K3 F20 M4 K2 W15",
        ),
        ("append append A1 , B1 , prepend C1 , D1", "A1 B1 D1 C1"),
    ],
)
def test_interpret_examples(source: str, target: str) -> None:
    assert interpret(words(source)) == words(target)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "copy",
        "append A1",
        "A1 , B1",
        "append A1 , B1 , C1",
        "append , B1",
        "reverse , A1",
    ],
)
def test_interpret_rejects_malformed(source: str) -> None:
    with pytest.raises(PCFGSyntaxError):
        interpret(words(source))


@pytest.mark.parametrize(
    "stem", ["pcfgset/test", "pcfgset/dev", "systematicity/test", "productivity/test"]
)
def test_interpreter_reproduces_official_targets(shared_data: Path, stem: str) -> None:
    examples = load_parallel(shared_data / "pcfg" / f"{stem}.src")
    wrong = [e.meta["line"] for e in examples if interpret(e.inputs) != e.target]
    assert len(examples) > 4000 and wrong == []


def test_grammar_is_a_pcfg_and_sampling_is_seeded() -> None:
    import random

    from nltk.grammar import PCFG

    grammar = build_grammar()
    assert isinstance(grammar, PCFG)
    assert sample_source(grammar, random.Random(3)) == sample_source(
        grammar, random.Random(3)
    )
    rng = random.Random(0)
    for _ in range(200):
        tokens = sample_source(grammar, rng)
        assert tokens is not None
        interpret(tokens)  # every derivation is well formed
        assert all(
            2 <= len(a) <= 5 and set(a) <= set(LETTERS)
            for a in string_arguments(tokens)
        )


def test_generator_is_deterministic() -> None:
    a = generate_train("pcfgset", 300, seed=1)
    b = generate_train("pcfgset", 300, seed=1)
    c = generate_train("pcfgset", 300, seed=2)
    assert [(e.inputs, e.target) for e in a] == [(e.inputs, e.target) for e in b]
    assert [e.inputs for e in a] != [e.inputs for e in c]
    assert len({e.inputs for e in a}) == 300  # distinct inputs


@pytest.mark.parametrize("split", ["pcfgset", "systematicity", "productivity",
                                   "substitutivity_primitive"])
def test_function_counts_follow_the_quotas(split: str) -> None:
    examples = generate_train(split, 1000, seed=0)
    counts = Counter(function_count(e.inputs) for e in examples)
    quotas = _quotas(function_histogram(split, "train"), 1000)
    assert counts == Counter({k: q for k, q in quotas.items() if q})
    assert all(e.target == interpret(e.inputs) for e in examples)


def test_systematicity_constraint() -> None:
    train = generate_train("systematicity", 2000, seed=0)
    test = generate_test("systematicity", 300, seed=0)
    assert not any(adjacent_pairs(e.inputs, SYSTEMATICITY_PAIRS) for e in train)
    assert all(adjacent_pairs(e.inputs, SYSTEMATICITY_PAIRS) for e in test)
    # "adjacent" is ordered and immediate: the reverse order and a gap are allowed
    assert not adjacent_pairs(
        words("repeat swap_first_last A1 B1"), SYSTEMATICITY_PAIRS
    )
    assert not adjacent_pairs(
        words("repeat reverse remove_second A1 , B1"), SYSTEMATICITY_PAIRS
    )
    assert adjacent_pairs(
        words("reverse repeat remove_second A1 , B1"), SYSTEMATICITY_PAIRS
    )


def test_synonyms_mean_their_functions() -> None:
    assert interpret(words("append reverse_twin R11 B10 , E16 F2")) == words("B10 R11 E16 F2")
    assert interpret(words("remove_first_twin A1 , copy_twin B2")) == words("B2")
    assert base_function("echo_twin") == "echo" and base_function("A1_twin") is None
    assert function_count(words("append_twin A1 , echo B2")) == 2
    assert string_arguments(words("shift_twin A1 B2 , C3")) == [words("A1 B2"), words("C3")]


def test_primitive_applications_are_functions_of_strings_alone() -> None:
    assert primitive_applications(words("reverse A1 B2")) == {0}
    assert primitive_applications(words("append reverse A1 , echo C3")) == {1, 4}
    assert primitive_applications(words("append A1 , B2")) == {0}
    assert primitive_applications(words("reverse_twin echo A1")) == {1}
    assert primitive_applications(words("append reverse A1 B2 , C3")) == {1}


def test_substitutivity_splits_place_synonyms_as_described() -> None:
    def twins(tokens: tuple[str, ...]) -> set[int]:
        return {i for i, t in enumerate(tokens) if t.endswith(TWIN_SUFFIX)}

    primitive = generate_train("substitutivity_primitive", 1000, seed=0)
    assert all(twins(e.inputs) <= primitive_applications(e.inputs) for e in primitive)
    assert sum(bool(twins(e.inputs)) for e in primitive) > 300
    equal = generate_train("substitutivity_equally_distributed", 1000, seed=0)
    assert any(twins(e.inputs) - primitive_applications(e.inputs) for e in equal)
    for split in ("substitutivity_primitive", "substitutivity_equally_distributed"):
        test = generate_test(split, 300, seed=0)
        assert all(twins(e.inputs) for e in test)
        assert all(e.target == interpret(e.inputs) for e in test)
    test = generate_test("substitutivity_primitive", 300, seed=0)
    assert any(twins(e.inputs) - primitive_applications(e.inputs) for e in test)


def test_productivity_constraint() -> None:
    train = generate_train("productivity", 1000, seed=0)
    test = generate_test("productivity", 200, seed=0)
    assert max(function_count(e.inputs) for e in train) <= 8
    assert min(function_count(e.inputs) for e in test) >= 9


@given(st.integers(0, 2**32))
def test_exclude_is_respected(seed: int) -> None:
    first = generate_train("pcfgset", 60, seed=seed)
    banned = {" ".join(e.inputs) for e in first}
    second = generate_train("pcfgset", 60, seed=seed, exclude=banned)
    assert not banned & {" ".join(e.inputs) for e in second}


def test_generated_train_avoids_official_test_inputs(shared_data: Path) -> None:
    official = official_test_inputs(shared_data)
    assert len(official) > 30_000
    for split in ("pcfgset", "systematicity", "productivity"):
        train, test = load_split(split, data_dir=shared_data / "pcfg", n_train=1500)
        assert len(train) == 1500 and len(test) > 9000
        assert not official & {" ".join(e.inputs) for e in train}


def test_histogram_constants_match_official_files(shared_data: Path) -> None:
    def counts(*stems: str) -> tuple[Counter, Counter]:
        functions, lengths = Counter(), Counter()
        for stem in stems:
            for e in load_parallel(shared_data / "pcfg" / f"{stem}.src"):
                functions[function_count(e.inputs)] += 1
                lengths.update(len(a) for a in string_arguments(e.inputs))
        return functions, lengths

    functions, lengths = counts("pcfgset/dev", "pcfgset/test")
    assert functions == Counter(DEV_TEST_FUNCTIONS) and lengths == Counter(
        STRING_LENGTHS
    )
    assert counts("systematicity/test")[0] == Counter(SYSTEMATICITY_TEST_FUNCTIONS)
    assert counts("productivity/test")[0] == Counter(PRODUCTIVITY_TEST_FUNCTIONS)


def test_histogram_report_against_official(shared_data: Path) -> None:
    generated = generate_train("pcfgset", 3000, seed=0)
    official = load_official("pcfgset", "test", data_dir=shared_data)
    report = histogram_report(generated, official)
    assert report["n_generated"] == 3000 and report["n_official"] == len(official)
    assert report["functions"]["tvd"] < 0.05
    assert report["string_length"]["tvd"] < 0.05
    assert report["source_length"]["tvd"] < 0.15
    assert report["target_length"]["tvd"] < 0.1


def test_load_split_without_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NSR_DATA", raising=False)
    train, test = load_split("productivity", n_train=400, n_test=100, seed=5)
    assert len(train) == 400 and len(test) == 100
    assert not {e.inputs for e in train} & {e.inputs for e in test}
    with pytest.raises(ValueError):
        load_split("nosuchsplit")


def write(path: Path, lines: list[str], *, compress: bool = False) -> None:
    data = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if compress else data)


def test_loader_reads_plain_and_gzip(tmp_path: Path) -> None:
    src, tgt = ["copy A1 B2", "reverse A1 B2"], ["A1 B2", "B2 A1"]
    write(tmp_path / "x.src", src)
    write(tmp_path / "x.tgt", tgt)
    write(tmp_path / "y.src.gz", src, compress=True)
    write(tmp_path / "y.tgt.gz", tgt, compress=True)
    plain = load_parallel(tmp_path / "x.src", check=True)
    packed = load_parallel(tmp_path / "y.src.gz", check=True)
    assert [(e.inputs, e.target) for e in plain] == [
        (e.inputs, e.target) for e in packed
    ]
    assert plain[1].target == ("B2", "A1") and plain[1].meta["line"] == 2


@pytest.mark.parametrize(
    ("src", "tgt", "bad_file", "line"),
    [
        (["copy A1", "copy B1", "copy C1"], ["A1", "B1"], "x.tgt", 3),
        (["copy A1"], ["A1", "B1"], "x.src", 2),
        (["copy A1", "", "copy C1"], ["A1", "B1", "C1"], "x.src", 2),
        (["copy A1", "copy B1"], ["A1", "   "], "x.tgt", 2),
        (["copy A1", "append B1"], ["A1", "B1"], "x.src", 2),  # check=True: malformed
        (["copy A1", "reverse B1 C1"], ["A1", "B1 C1"], "x.src", 2),  # wrong target
    ],
)
def test_loader_errors_name_file_and_line(
    tmp_path: Path, src: list[str], tgt: list[str], bad_file: str, line: int
) -> None:
    write(tmp_path / "x.src", src)
    write(tmp_path / "x.tgt", tgt)
    with pytest.raises(DataError) as caught:
        load_parallel(tmp_path / "x.src", check=True)
    assert Path(caught.value.path).name == bad_file and caught.value.line == line


def test_loader_rejects_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "x.src").write_bytes(b"copy A1\ncopy \xff1\n")
    write(tmp_path / "x.tgt", ["A1", "B1"])
    with pytest.raises(DataError) as caught:
        load_parallel(tmp_path / "x.src")
    assert caught.value.path.endswith("x.src") and caught.value.line == 2


def test_loader_needs_src_name_and_target(tmp_path: Path) -> None:
    write(tmp_path / "x.txt", ["copy A1"])
    with pytest.raises(DataError):
        load_parallel(tmp_path / "x.txt")
    write(tmp_path / "z.src", ["copy A1"])
    with pytest.raises(FileNotFoundError):
        load_parallel(tmp_path / "z.src")
