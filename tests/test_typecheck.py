"""Type checking: generated well-typed programs get the type they were built with, and
ill-typed ones are rejected with a :class:`TypeCheckError` that says why."""

from __future__ import annotations

import pytest
from hypothesis import given

from nsr.errors import PrimitiveError, TypeCheckError
from nsr.registry import Registry
from nsr.types import INT, LIST, TOK, Arrow, BaseType
from semantics.interpreter import Budget, Interpreter
from semantics.program import parse_program
from semantics.typecheck import infer_type
from tests import strategies as s

REGISTRY = Registry.default()
NAT_LIB = s.nat_library(REGISTRY)
LIST_LIB = s.list_library(REGISTRY)


def _fits(inferred, expected) -> bool:
    """``inferred`` equals ``expected`` except where it is an unknown type variable."""
    if isinstance(expected, BaseType):
        return inferred == expected or not isinstance(inferred, (BaseType, Arrow))
    return (
        isinstance(inferred, Arrow)
        and len(inferred.args) == len(expected.args)
        and all(_fits(a, b) for a, b in zip(inferred.args, expected.args))
        and _fits(inferred.result, expected.result)
    )


@given(s.well_typed_programs(REGISTRY, "list", LIST_LIB))
def test_well_typed_list_programs_check(tp) -> None:
    assert infer_type(tp.program, REGISTRY, LIST_LIB, expected=tp.type) == tp.type
    assert _fits(infer_type(tp.program, REGISTRY, LIST_LIB), tp.type)


@given(s.well_typed_programs(REGISTRY, "nat", NAT_LIB))
def test_well_typed_nat_programs_check(tp) -> None:
    assert infer_type(tp.program, REGISTRY, NAT_LIB, expected=tp.type) == tp.type
    assert _fits(infer_type(tp.program, REGISTRY, NAT_LIB), tp.type)


@given(s.recursive_nat_programs(REGISTRY, NAT_LIB))
def test_recursive_nat_programs_check(tp) -> None:
    assert infer_type(tp.program, REGISTRY, NAT_LIB, expected=tp.type) == tp.type


@given(s.well_typed_programs(REGISTRY, "list"))
def test_a_wrong_expected_type_is_rejected(tp) -> None:
    wrong = INT if tp.result != INT else LIST
    bad = Arrow(tp.arg_types, wrong) if tp.arg_types else wrong
    with pytest.raises(TypeCheckError):
        infer_type(tp.program, REGISTRY, LIST_LIB, expected=bad)


@given(s.ill_typed_programs(REGISTRY, "list", LIST_LIB))
def test_ill_typed_list_programs_are_rejected_with_the_reason(case) -> None:
    program, defect, fragment = case
    with pytest.raises(TypeCheckError) as info:
        infer_type(program, REGISTRY, LIST_LIB)
    assert fragment in str(info.value), (defect, str(program))


@given(s.ill_typed_programs(REGISTRY, "nat", NAT_LIB))
def test_ill_typed_nat_programs_are_rejected_with_the_reason(case) -> None:
    program, defect, fragment = case
    with pytest.raises(TypeCheckError) as info:
        infer_type(program, REGISTRY, NAT_LIB)
    assert fragment in str(info.value), (defect, str(program))


@pytest.mark.parametrize(
    "text, typ",
    [
        ("(lambda 1 (concat $0 $0))", Arrow((LIST,), LIST)),
        ("(lambda 2 (cons $0 $1))", Arrow((TOK, LIST), LIST)),
        ("(lambda 1 (cons (car $0) $0))", Arrow((LIST,), LIST)),
        ("(singleton 'I_JUMP')", LIST),
        ("empty", LIST),
        ("(fix 2 (if0 $1 $0 (inc (recur $0 (dec $1)))))", Arrow((INT, INT), INT)),
        ("(fix 2 (if0 $1 zero (@add (recur $0 (dec $1)) $0)))", Arrow((INT, INT), INT)),
        ("((lambda 1 (inc $0)) 3)", INT),
    ],
)
def test_known_types(text: str, typ) -> None:
    assert infer_type(parse_program(text), REGISTRY, NAT_LIB) == typ


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("(car 'a')", "has type tok but list is required"),  # wrong argument type
        ("(lambda 1 (inc (car $0)))", "has type tok but int is required"),
        ("(lambda 1 (cons $0 $0))", "is required"),  # one var, two types
        ("(concat $0 $0)", "$0 is out of scope"),  # $0 with no binder
        ("(lambda 1 (concat $0))", "takes 2 argument(s) but is given 1"),  # wrong arity
        ("(inc 1 2)", "takes 1 argument(s) but is given 2"),
        ("(zero 1)", "not a function but is applied"),
        ("(lambda 1 (foo $0))", "unknown primitive 'foo'"),  # unknown primitive
        ("(lambda 1 (recur $0))", "recur used outside a fix"),  # recur outside fix
        ("(lambda 1 $1)", "$1 is out of scope"),  # out-of-scope $i
        ("(fix 2 (if0 $2 $0 $1))", "$2 is out of scope"),
        (
            "(lambda 1 (@nope $0))",
            "unknown invented primitive @nope",
        ),  # unknown invention
        ("(inc (lambda 1 $0))", "only allowed at the top"),
        ("(lambda 1 ($0 1))", "not a function but is applied"),
        ("(lambda 1 (if0 $0 'a' 'b'))", "has type tok but int is required"),
    ],
)
def test_ill_typed_examples(text: str, fragment: str) -> None:
    with pytest.raises(TypeCheckError) as info:
        infer_type(parse_program(text), REGISTRY, NAT_LIB)
    assert fragment in str(info.value)


def test_an_invented_primitive_is_unknown_without_its_library() -> None:
    with pytest.raises(TypeCheckError, match="unknown invented primitive @add"):
        infer_type(parse_program("(lambda 2 (@add $0 $1))"), REGISTRY)


def test_recur_inside_a_lambda_head_within_a_fix_checks_only_if_it_runs() -> None:
    """The checker and the interpreter must agree on ``recur`` in a nested lambda.

    The checker lets a ``lambda`` head inside a ``fix`` body call ``recur`` (it passes
    the enclosing fix's type down), but the interpreter runs a lambda body with no
    fix, so the program fails at run time with "recur outside a fix".
    """
    program = parse_program("(fix 1 (if0 $0 zero ((lambda 1 (recur (dec $0))) $0)))")
    try:
        infer_type(program, REGISTRY)
    except TypeCheckError:
        return  # rejected statically: consistent with the interpreter
    interp = Interpreter(REGISTRY, budget=Budget(steps=10_000))
    try:
        assert interp.run(program, (3,)) == 0
    except PrimitiveError as exc:
        pytest.fail(
            f"type-checked as {infer_type(program, REGISTRY)} but running it "
            f"raised: {exc}"
        )
