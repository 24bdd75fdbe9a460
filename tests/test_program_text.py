"""Program text: ``parse_program(str(p)) == p``, and malformed text is located exactly.

Programs are saved and shown as canonical S-expressions, so printing then parsing must
give the same tree back for every form (``lambda``, ``fix``, ``recur``, ``@name``,
token and number constants). A malformed text raises :class:`ProgramParseError` whose
``position`` is the character at fault.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from nsr.errors import ProgramParseError
from nsr.registry import Registry
from semantics.program import (
    App,
    Arg,
    Const,
    Fix,
    Invented,
    Lambda,
    Prim,
    Recur,
    parse_program,
)
from tests import strategies as s

REGISTRY = Registry.default()


@given(s.programs(REGISTRY))
def test_print_parse_round_trip(program) -> None:
    assert parse_program(str(program)) == program


@given(s.programs(REGISTRY))
def test_printing_is_canonical(program) -> None:
    text = str(program)
    assert str(parse_program(text)) == text


@given(s.well_typed_programs(REGISTRY, "list", s.list_library(REGISTRY)))
def test_round_trip_of_well_typed_list_programs(tp) -> None:
    assert parse_program(str(tp.program)) == tp.program


@given(s.recursive_nat_programs(REGISTRY, s.nat_library(REGISTRY)))
def test_round_trip_of_recursive_nat_programs(tp) -> None:
    assert parse_program(str(tp.program)) == tp.program


@pytest.mark.parametrize(
    "text, program",
    [
        ("$3", Arg(3)),
        ("concat", Prim("concat")),
        ("@add", Invented("add")),
        ("'I_WALK'", Const("I_WALK")),
        ("42", Const(42)),
        ("'42'", Const("42")),
        ("recur", Recur()),
        (
            "(lambda 1 (cons (car $0) $0))",
            Lambda(1, App(Prim("cons"), (App(Prim("car"), (Arg(0),)), Arg(0)))),
        ),
        (
            "(fix 2 (if0 $1 $0 (inc (recur $0 (dec $1)))))",
            Fix(
                2,
                App(
                    Prim("if0"),
                    (
                        Arg(1),
                        Arg(0),
                        App(
                            Prim("inc"),
                            (App(Recur(), (Arg(0), App(Prim("dec"), (Arg(1),)))),),
                        ),
                    ),
                ),
            ),
        ),
        (
            "((lambda 1 (@twice $0)) empty)",
            App(Lambda(1, App(Invented("twice"), (Arg(0),))), (Prim("empty"),)),
        ),
    ],
)
def test_known_texts(text: str, program) -> None:
    assert parse_program(text) == program
    assert str(program) == text


def test_whitespace_is_not_significant() -> None:
    assert parse_program("  ( concat\n\t$0   $1 )  ") == parse_program("(concat $0 $1)")


# (text, position of the problem, a word of the message)
MALFORMED = [
    ("(concat $0 $0", 13, "missing ')'"),  # unbalanced: unclosed at the end
    ("(car $0))", 8, "after the program"),  # unbalanced: one ')' too many
    (")", 0, "unexpected ')'"),
    ("(lambda x $0)", 8, "arity"),  # the arity is not a number
    ("(lambda 0 $0)", 8, "arity >= 1"),
    ("(lambda 1 $0 $1)", 13, "exactly one body"),
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("(foo)", 0, "at least one argument"),  # application with no argument
    ("(cons 'a $0)", 6, "unexpected character"),  # stray quote
    ("(car $0) extra", 9, "after the program"),  # trailing text
    ("$0 $1", 3, "after the program"),
    ("(", 1, "end of program"),
    ("()", 1, "unexpected ')'"),
    ("lambda", 0, "must follow '('"),
    ("(concat fix $0)", 8, "must follow '('"),
    ("$x", 0, "argument reference"),
    ("@", 0, "invented primitive"),
    ("(cons '' $0)", 7, "empty token"),
]


@pytest.mark.parametrize("text, position, words", MALFORMED)
def test_malformed_text_points_at_the_problem(
    text: str, position: int, words: str
) -> None:
    with pytest.raises(ProgramParseError) as info:
        parse_program(text)
    err = info.value
    assert err.position == position, str(err)
    assert words in err.problem
    assert err.text == text
    # the message repeats the text with a caret under the position
    assert str(err).splitlines()[-1] == "  " + " " * position + "^"


@pytest.mark.parametrize("text", ["²", "$²", "(lambda ² $0)"])
def test_non_ascii_digits_are_a_parse_error(text: str) -> None:
    """``str.isdigit`` accepts '²' but ``int`` rejects it: no ValueError may leak."""
    with pytest.raises(ProgramParseError):
        parse_program(text)
