"""The interpreter against plain-Python references (micrograd's oracle test), compiled
closures against the interpreter, deep recursion without ``RecursionError``, budgets,
and errors raised by primitives."""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsr.errors import BudgetExceeded, PrimitiveError
from nsr.registry import Registry
from semantics.compiled import compile_function
from semantics.interpreter import Budget, Interpreter
from semantics.library import Library
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
NAT_LIB = s.nat_library(REGISTRY)
LIST_LIB = s.list_library(REGISTRY)
SMALL = Budget(steps=200_000, seconds=5.0)


# ------------------------------------------------------------ a plain-Python reference


class Undefined(Exception):
    """The reference's 'no value here' (car of an empty list ...)."""


def _nonempty(xs: tuple) -> tuple:
    if not xs:
        raise Undefined
    return xs


REFERENCE = {
    "empty": lambda: (),
    "singleton": lambda t: (t,),
    "cons": lambda t, xs: (t,) + xs,
    "car": lambda xs: _nonempty(xs)[0],
    "cdr": lambda xs: _nonempty(xs)[1:],
    "last": lambda xs: _nonempty(xs)[-1],
    "init": lambda xs: _nonempty(xs)[:-1],
    "concat": lambda xs, ys: xs + ys,
    "reverse": lambda xs: tuple(reversed(xs)),
    "zero": lambda: 0,
    "inc": lambda n: n + 1,
    "dec": lambda n: max(0, n - 1),
}


def reference(program, args: tuple, library: Library, fix=None):
    """Evaluate by Python recursion over the tree: simple enough to trust."""
    if isinstance(program, (Lambda, Fix)):
        assert len(args) == program.arity
        return _ref(
            program.body, args, library, program if isinstance(program, Fix) else None
        )
    return _ref(program, args, library, fix)


def _ref(p, env: tuple, library: Library, fix):
    if isinstance(p, Arg):
        return env[p.index]
    if isinstance(p, Const):
        return p.value
    if isinstance(p, Prim):
        return REFERENCE[p.name]()
    if isinstance(p, Invented):
        return reference(library.get(p.name).program, (), library)
    assert isinstance(p, App)
    head = p.head
    if head == Prim("if0"):  # lazy: only the branch taken
        cond = _ref(p.args[0], env, library, fix)
        return _ref(p.args[1] if cond == 0 else p.args[2], env, library, fix)
    args = tuple(_ref(a, env, library, fix) for a in p.args)
    if isinstance(head, Prim):
        return REFERENCE[head.name](*args)
    if isinstance(head, Recur):
        return reference(fix, args, library)
    if isinstance(head, Invented):
        return reference(library.get(head.name).program, args, library)
    return reference(head, args, library)


def outcome(fn, *args):
    """('ok', value) or ('undefined',): the comparable result of one run."""
    try:
        return ("ok", fn(*args))
    except (PrimitiveError, Undefined):
        return ("undefined",)


# ------------------------------------------------------------ fixed programs vs Python

LIST_CASES = [
    ("(lambda 1 (concat $0 $0))", lambda x: x + x),
    ("(lambda 1 (reverse $0))", lambda x: x[::-1]),
    ("(lambda 1 (cons (car $0) $0))", lambda x: x[:1] + x),
    ("(lambda 1 (cdr (concat $0 (singleton (car $0)))))", lambda x: x[1:] + x[:1]),
    ("(lambda 1 (concat $0 (singleton (last $0))))", lambda x: x + x[-1:]),
    ("(lambda 1 (init (reverse $0)))", lambda x: x[::-1][:-1]),
    ("(lambda 2 (concat $1 $0))", lambda x, y: y + x),
    ("(lambda 2 (cons (last $0) (cdr $1)))", lambda x, y: x[-1:] + y[1:]),
    (
        "(lambda 2 (reverse (concat (init $0) (reverse $1))))",
        lambda x, y: (x[:-1] + y[::-1])[::-1],
    ),
]


@pytest.mark.parametrize("text, ref", LIST_CASES)
@settings(max_examples=30)
@given(data=st.data())
def test_list_programs_match_python(text: str, ref, data) -> None:
    program = parse_program(text)
    args = tuple(data.draw(s.token_lists(min_size=1)) for _ in range(program.arity))
    assert Interpreter(REGISTRY, budget=SMALL).run(program, args) == ref(*args)


@pytest.mark.parametrize("name", ["car", "cdr", "last", "init"])
def test_partial_list_primitives_are_undefined_on_empty(name: str) -> None:
    with pytest.raises(PrimitiveError, match=rf"{name}\(\(\)\): empty list"):
        Interpreter(REGISTRY).run(parse_program(f"(lambda 1 ({name} $0))"), ((),))


NAT_CASES = [
    ("(lambda 1 (inc (inc $0)))", lambda n: n + 2),
    ("(lambda 1 (dec $0))", lambda n: max(0, n - 1)),
    ("(lambda 2 (if0 $0 $1 (dec $0)))", lambda x, y: y if x == 0 else x - 1),
    ("(lambda 1 (if0 (dec $0) 7 $0))", lambda n: 7 if n <= 1 else n),
    ("(fix 2 (if0 $1 $0 (inc (recur $0 (dec $1)))))", lambda x, y: x + y),
    ("(fix 2 (if0 $1 $0 (dec (recur $0 (dec $1)))))", lambda x, y: max(0, x - y)),
    ("(fix 1 (if0 $0 zero (inc (inc (recur (dec $0))))))", lambda n: 2 * n),
]


@pytest.mark.parametrize("text, ref", NAT_CASES)
@settings(max_examples=30)
@given(data=st.data())
def test_nat_programs_match_python(text: str, ref, data) -> None:
    program = parse_program(text)
    args = tuple(data.draw(s.naturals(60)) for _ in range(program.arity))
    assert Interpreter(REGISTRY, budget=SMALL).run(program, args) == ref(*args)


def test_if0_evaluates_only_the_branch_taken() -> None:
    # the other branch loops forever: evaluating it would exhaust the budget
    program = parse_program("(fix 1 (if0 $0 5 (recur $0)))")
    assert Interpreter(REGISTRY, budget=Budget(steps=10_000)).run(program, (0,)) == 5


# ------------------------------------------------------------ generated programs


@given(s.well_typed_programs(REGISTRY, "list", LIST_LIB), st.data())
def test_generated_list_programs_match_the_reference(tp, data) -> None:
    args = data.draw(s.inputs_for(tp.arg_types))
    interp = Interpreter(REGISTRY, LIST_LIB, budget=SMALL)
    assert outcome(interp.run, tp.program, args) == outcome(
        reference, tp.program, args, LIST_LIB
    )


@given(s.well_typed_programs(REGISTRY, "nat", NAT_LIB), st.data())
def test_generated_nat_programs_match_the_reference(tp, data) -> None:
    args = data.draw(s.inputs_for(tp.arg_types, max_nat=20))
    interp = Interpreter(REGISTRY, NAT_LIB, budget=SMALL, native=False)
    assert interp.run(tp.program, args) == reference(tp.program, args, NAT_LIB)


@given(s.recursive_nat_programs(REGISTRY, NAT_LIB), st.data())
def test_generated_recursions_match_the_reference(tp, data) -> None:
    args = data.draw(s.inputs_for(tp.arg_types, max_nat=6))
    interp = Interpreter(REGISTRY, NAT_LIB, budget=SMALL, native=False)
    assert interp.run(tp.program, args) == reference(tp.program, args, NAT_LIB)


@given(s.well_typed_programs(REGISTRY, "list", LIST_LIB), st.data())
def test_compiled_list_closures_agree_with_the_interpreter(tp, data) -> None:
    interp = Interpreter(REGISTRY, LIST_LIB, budget=SMALL)
    fn = compile_function(tp.program, REGISTRY, LIST_LIB, interp)
    for _ in range(3):
        args = data.draw(s.inputs_for(tp.arg_types))
        assert outcome(fn, *args) == outcome(interp.run, tp.program, args)


@given(
    st.one_of(
        s.well_typed_programs(REGISTRY, "nat", NAT_LIB),
        s.recursive_nat_programs(REGISTRY, NAT_LIB),
    ),
    st.data(),
)
def test_compiled_nat_closures_agree_with_the_interpreter(tp, data) -> None:
    interp = Interpreter(REGISTRY, NAT_LIB, budget=SMALL)
    fn = compile_function(tp.program, REGISTRY, NAT_LIB, interp)
    for _ in range(3):
        args = data.draw(s.inputs_for(tp.arg_types, max_nat=6))
        assert fn(*args) == interp.run(tp.program, args)


# ------------------------------------------------------------ deep recursion

ADD = parse_program(s.RECURSIVE_ADD)
MUL = parse_program("(fix 2 (if0 $1 zero (@add (recur $0 (dec $1)) $0)))")


@pytest.fixture
def low_recursion_limit():
    """Python's recursion limit set well below the recursion depths run here."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 300)
    yield
    sys.setrecursionlimit(old)


def test_recursive_add_runs_5000_deep_without_recursion_error(
    low_recursion_limit,
) -> None:
    interp = Interpreter(REGISTRY, native=False)
    assert interp.run(ADD, (5000, 5000)) == 10_000


def test_recursive_mul_over_invented_add_without_native_fast_path(
    low_recursion_limit,
) -> None:
    library = s.nat_library(REGISTRY, native=False)
    interp = Interpreter(REGISTRY, library, native=False)
    assert interp.run(MUL, (99, 99)) == 9801


def test_native_fast_path_gives_the_same_answer() -> None:
    slow = Interpreter(REGISTRY, s.nat_library(REGISTRY, native=False), native=False)
    fast = Interpreter(REGISTRY, s.nat_library(REGISTRY, native=True), native=True)
    for args in [(0, 0), (3, 0), (0, 4), (12, 13)]:
        assert slow.run(MUL, args) == fast.run(MUL, args) == args[0] * args[1]


# ------------------------------------------------------------ budgets

LOOP = parse_program("(fix 1 (recur $0))")


def test_a_looping_program_exceeds_its_step_budget() -> None:
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded, match="step budget"):
        Interpreter(REGISTRY, budget=Budget(steps=50_000)).run(LOOP, (1,))
    assert time.monotonic() - t0 < 5


def test_a_looping_program_exceeds_its_time_budget() -> None:
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded, match="time budget"):
        Interpreter(REGISTRY, budget=Budget(steps=10**12, seconds=0.2)).run(LOOP, (1,))
    assert time.monotonic() - t0 < 3


def test_the_step_budget_applies_to_deep_recursion_too() -> None:
    with pytest.raises(BudgetExceeded):
        Interpreter(REGISTRY, budget=Budget(steps=20_000), native=False).run(
            ADD, (0, 100_000)
        )


def test_a_list_longer_than_the_memory_budget_is_refused() -> None:
    double = parse_program("(lambda 1 (concat $0 (concat $0 $0)))")
    with pytest.raises(BudgetExceeded, match="memory"):
        Interpreter(REGISTRY, budget=Budget(max_list=10)).run(double, (("a",) * 5,))


# ------------------------------------------------------------ primitive errors


def test_car_of_empty_names_the_primitive_and_its_argument() -> None:
    with pytest.raises(PrimitiveError) as info:
        Interpreter(REGISTRY).run(parse_program("(lambda 1 (car $0))"), ((),))
    err = info.value
    assert err.name == "car"
    assert "car(())" in str(err) and "empty list" in str(err)


def test_primitive_error_keeps_the_arguments() -> None:
    """``PrimitiveError(name, args, problem)`` keeps the arguments as ``.arguments``.

    ``BaseException.__init__`` overwrites ``self.args`` with the message, so the
    arguments are lost (nsr/errors.py sets ``self.args`` before calling ``super()``).
    """
    err = PrimitiveError("car", ((),), "empty list")
    assert err.arguments == ((),)


USER_CODE = '''\
from nsr.registry import primitive


@primitive("udiv", sets={"user"})
def udiv(x: int, y: int) -> int:
    """Floor division that does not guard against a zero divisor."""
    return x // y


@primitive("liar", sets={"user"})
def liar(x: int) -> int:
    """Claims an int, returns a token."""
    return "not an int"
'''


@pytest.fixture
def user_registry(tmp_path: Path) -> Registry:
    path = tmp_path / "user_ops.py"
    path.write_text(USER_CODE)
    registry = Registry.default()
    registry.load_code_file(path)
    return registry


def test_user_primitive_raising_becomes_primitive_error(
    user_registry: Registry,
) -> None:
    program = parse_program("(lambda 2 (udiv $0 $1))")
    interp = Interpreter(user_registry)
    assert interp.run(program, (7, 2)) == 3
    with pytest.raises(PrimitiveError) as info:
        interp.run(program, (7, 0))
    message = str(info.value)
    assert "udiv(7, 0)" in message and "ZeroDivisionError" in message
    assert info.value.name == "udiv"
    # the compiled closure reports it the same way
    with pytest.raises(PrimitiveError, match=r"udiv\(7, 0\).*ZeroDivisionError"):
        compile_function(program, user_registry, Library())(7, 0)


def test_user_primitive_returning_the_wrong_type_is_refused(
    user_registry: Registry,
) -> None:
    program = parse_program("(lambda 1 (liar $0))")
    with pytest.raises(PrimitiveError, match=r"liar\(1\).*not a int"):
        Interpreter(user_registry).run(program, (1,))


def test_compiled_closure_also_refuses_a_wrong_return_type(
    user_registry: Registry,
) -> None:
    """The compiled path must agree with the interpreter, which checks result types."""
    program = parse_program("(lambda 1 (liar $0))")
    fn = compile_function(program, user_registry, Library(), Interpreter(user_registry))
    with pytest.raises(PrimitiveError):
        fn(1)
