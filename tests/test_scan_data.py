"""SCAN data: grammar enumeration, reference interpreter, rule splits, file format.

Tests that take ``shared_data`` compare the regenerated data with the official
files and skip when those are absent.
"""

from __future__ import annotations

import functools
import gzip
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.scan import (
    SPLITS,
    all_commands,
    generate_split,
    interpret,
    load_file,
    load_split,
    official_paths,
    write_file,
)
from benchmarks.scan_grammar import ACTIONS, NUM_COMMANDS, grammar
from nsr.errors import DataError
from nsr.types import Example

RULE_SPLITS = [name for name in SPLITS if name != "simple"]
Pair = tuple[tuple[str, ...], tuple[str, ...]]


def pairs(examples: list[Example]) -> list[Pair]:
    return [(e.inputs, e.target) for e in examples]


@functools.cache
def official(path: Path) -> tuple[Pair, ...]:
    return tuple(pairs(load_file(path)))


@functools.cache
def generated(name: str, seed: int = 0) -> tuple[list[Pair], list[Pair]]:
    train, test = generate_split(name, seed)
    return pairs(train), pairs(test)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- grammar and interpreter --------------------------------------------------


def test_all_commands_count_distinct_and_deterministic() -> None:
    examples = all_commands()
    assert len(examples) == NUM_COMMANDS == 20_910
    assert len({e.inputs for e in examples}) == NUM_COMMANDS
    # Action sequences are not unique: "walk twice" and "walk and walk" share one.
    assert len({e.target for e in examples}) == 9228
    assert examples == all_commands()
    assert all(set(e.target) <= set(ACTIONS) and e.target for e in examples)


def test_grammar_is_an_nltk_cfg_that_parses_every_command() -> None:
    from nltk import ChartParser

    cfg = grammar()
    assert str(cfg.start()) == "C"
    parser = ChartParser(cfg)
    for example in all_commands()[::997]:
        assert next(parser.parse(example.inputs), None) is not None


@pytest.mark.parametrize(
    ("command", "actions"),
    [
        ("walk", "I_WALK"),
        ("turn left", "I_TURN_LEFT"),
        ("turn opposite right", "I_TURN_RIGHT I_TURN_RIGHT"),
        ("jump left", "I_TURN_LEFT I_JUMP"),
        ("look opposite left", "I_TURN_LEFT I_TURN_LEFT I_LOOK"),
        ("run around right", "I_TURN_RIGHT I_RUN " * 4),
        ("turn around left twice", "I_TURN_LEFT " * 8),
        ("walk thrice", "I_WALK I_WALK I_WALK"),
        ("walk and look", "I_WALK I_LOOK"),
        ("walk after look", "I_LOOK I_WALK"),
        (
            "run opposite left after walk right",
            "I_TURN_RIGHT I_WALK I_TURN_LEFT I_TURN_LEFT I_RUN",
        ),
        (
            "jump opposite right twice and turn opposite right thrice",
            "I_TURN_RIGHT I_TURN_RIGHT I_JUMP " * 2 + "I_TURN_RIGHT " * 6,
        ),
    ],
)
def test_interpret_spot_checks(command: str, actions: str) -> None:
    assert interpret(command.split()) == words(actions)


@pytest.mark.parametrize(
    "command",
    [
        "",
        "turn",
        "walk and",
        "walk and look and run",
        "walk twice twice",
        "left walk",
        "walk left opposite",
        "walk around",
        "fly",
        "turn opposite",
    ],
)
def test_interpret_rejects_non_commands(command: str) -> None:
    with pytest.raises(ValueError, match="not a SCAN"):
        interpret(command.split())


SENTENCES = sorted(
    {e.inputs for e in all_commands() if not {"and", "after"} & set(e.inputs)}
)


@given(st.sampled_from(SENTENCES), st.sampled_from(SENTENCES))
def test_conjunctions_concatenate(x: tuple[str, ...], y: tuple[str, ...]) -> None:
    assert interpret((*x, "and", *y)) == interpret(x) + interpret(y)
    assert interpret((*x, "after", *y)) == interpret(y) + interpret(x)


def test_generated_commands_equal_official_tasks(shared_data: Path) -> None:
    official_pairs = official(shared_data / "scan" / "tasks.txt.gz")
    assert len(official_pairs) == NUM_COMMANDS
    assert dict(official_pairs) == dict(pairs(all_commands()))


# --- splits -------------------------------------------------------------------


def test_no_command_has_23_actions_so_length_split_is_a_partition() -> None:
    assert 23 not in {len(e.target) for e in all_commands()}
    train, test = generated("length")
    assert max(len(t) for _, t in train) == 22
    assert min(len(t) for _, t in test) == 24
    assert len(train) + len(test) == NUM_COMMANDS


@pytest.mark.parametrize("name", RULE_SPLITS)
def test_rule_split_equals_official(shared_data: Path, name: str) -> None:
    train, test = generated(name)
    official_train, official_test = map(official, official_paths(shared_data, name))
    assert set(train) == set(official_train)
    assert set(test) == set(official_test)
    # Duplicates (the oversampled primitive) match too, and the test parts have none.
    assert Counter(train) == Counter(official_train)
    assert len(test) == len(set(test)) == len(official_test)


@pytest.mark.parametrize(
    ("name", "phrase", "copies", "total"),
    [
        ("addprim_jump", "jump", 1467, 14_670),
        ("addprim_turn_left", "turn left", 2189, 21_890),
    ],
)
def test_add_primitive_oversampled_to_a_tenth(
    name: str, phrase: str, copies: int, total: int
) -> None:
    train, test = generated(name)
    counts = Counter(command for command, _ in train)
    assert counts[words(phrase)] == copies and len(train) == total
    assert all(n == 1 for command, n in counts.items() if command != words(phrase))
    assert all(words(phrase) != command for command, _ in test)


def test_template_splits_leave_out_turn_fillers() -> None:
    train, test = generated("around_right")
    assert len(train) + len(test) == NUM_COMMANDS - 1209
    kept = {command for command, _ in train + test}
    assert words("jump around right and turn around right") not in kept
    assert words("turn around left") in kept


def test_simple_split_sizes_and_seeding() -> None:
    train, test = generated("simple", 0)
    assert (len(train), len(test)) == (16_728, 4_182)
    assert set(train).isdisjoint(test)
    assert set(train) | set(test) == set(pairs(all_commands()))
    assert pairs(generate_split("simple", seed=0)[0]) == train
    assert generated("simple", 1)[0] != train


def test_official_simple_split_has_the_same_sizes(shared_data: Path) -> None:
    official_train, official_test = map(official, official_paths(shared_data, "simple"))
    assert (len(official_train), len(official_test)) == (16_728, 4_182)


def test_unknown_split_lists_known_names(tmp_path: Path) -> None:
    for call in (
        lambda: generate_split("nope"),
        lambda: load_split("nope"),
        lambda: official_paths(tmp_path, "nope"),
    ):
        with pytest.raises(ValueError, match="known: simple, length, addprim_jump"):
            call()


# --- paths and loading --------------------------------------------------------


def make_layout(root: Path) -> None:
    write_file(root / "scan/length_split/tasks_train_length.txt", all_commands()[:3])
    write_file(root / "scan/length_split/tasks_test_length.txt.gz", all_commands()[3:5])


def test_official_paths_accepts_both_roots_and_gz(tmp_path: Path) -> None:
    make_layout(tmp_path)
    expected = (
        tmp_path / "scan/length_split/tasks_train_length.txt",
        tmp_path / "scan/length_split/tasks_test_length.txt.gz",
    )
    assert official_paths(tmp_path, "length") == expected
    assert official_paths(tmp_path / "scan", "length") == expected
    with pytest.raises(FileNotFoundError, match="tasks_train_simple.txt"):
        official_paths(tmp_path, "simple")


def test_official_paths_in_shared_data(shared_data: Path) -> None:
    for name in SPLITS:
        assert all(p.is_file() for p in official_paths(shared_data, name))
    assert official_paths(shared_data / "scan", "length")[0] == (
        shared_data / "scan/length_split/tasks_train_length.txt"
    )


def test_load_split_reads_files_or_generates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_layout(tmp_path)
    monkeypatch.delenv("NSR_DATA", raising=False)
    train, test = load_split("length", data_dir=tmp_path)
    assert (pairs(train), pairs(test)) == (
        pairs(all_commands()[:3]),
        pairs(all_commands()[3:5]),
    )
    assert train[0].meta["source"] == "tasks_train_length.txt:1"
    assert len(load_split("length")[0]) == 16_990
    monkeypatch.setenv("NSR_DATA", str(tmp_path))
    assert len(load_split("length")[0]) == 3


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("IN: walk OUT: I_WALK\nwalk OUT: I_WALK\n", 2, "start with 'IN:'"),
        ("IN: walk OUT: I_WALK\nIN: walk I_WALK\n", 2, "one 'OUT:'"),
        ("IN: walk OUT: I_WALK OUT: I_WALK\n", 1, "one 'OUT:'"),
        ("IN: walk OUT: I_WALK\n\nIN: OUT: I_WALK\n", 3, "empty command"),
        ("IN: walk OUT:\n", 1, "empty action"),
        ("", None, "empty"),
        ("\n  \n", None, "empty"),
    ],
)
def test_malformed_lines_name_file_and_line(
    tmp_path: Path, content: str, line: int | None, problem: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=problem) as caught:
        load_file(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(caught.value).startswith(where)


@pytest.mark.parametrize("name", ["latin1.txt", "latin1.txt.gz"])
def test_non_utf8_names_the_line(tmp_path: Path, name: str) -> None:
    data = b"IN: walk OUT: I_WALK\nIN: jump OUT: I_JUMP\nIN: caf\xe9 OUT: I_WALK\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(DataError, match="not valid UTF-8") as caught:
        load_file(path)
    assert caught.value.line == 3 and caught.value.path == str(path)


def test_corrupt_gzip_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt.gz"
    path.write_bytes(gzip.compress(b"IN: walk OUT: I_WALK\n" * 100)[:-12])
    with pytest.raises(DataError, match="cannot decompress"):
        load_file(path)


def test_crlf_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"IN: walk twice OUT: I_WALK I_WALK\r\n")
    assert pairs(load_file(path)) == [(words("walk twice"), words("I_WALK I_WALK"))]


@pytest.mark.parametrize("name", ["out.txt", "nested/out.txt.gz"])
def test_write_load_round_trip(tmp_path: Path, name: str) -> None:
    examples = all_commands()[::500] + all_commands()[:2]  # duplicates survive
    path = tmp_path / name
    write_file(path, examples)
    assert load_file(path) == examples


def test_write_matches_official_line_format(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    write_file(
        path,
        [
            Example(
                words("run opposite left after walk right"),
                interpret(words("run opposite left after walk right")),
            )
        ],
    )
    assert path.read_text() == (
        "IN: run opposite left after walk right "
        "OUT: I_TURN_RIGHT I_WALK I_TURN_LEFT I_TURN_LEFT I_RUN\n"
    )


@pytest.mark.parametrize(
    "example",
    [
        Example((), ("I_WALK",)),
        Example(("walk",), ()),
        Example(("wa lk",), ("I_WALK",)),
        Example(("OUT:",), ("I_WALK",)),
        Example(("walk",), "I_WALK"),
    ],
)
def test_write_rejects_unreadable_examples(tmp_path: Path, example: Example) -> None:
    with pytest.raises(ValueError):
        write_file(tmp_path / "x.txt", [example])
