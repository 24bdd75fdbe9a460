"""The SCAN command grammar (Lake & Baroni 2018) and a reference interpreter.

The grammar is an ``nltk.CFG``; it is finite (no recursion), and enumerating it
gives the 20,910 SCAN commands. Their action sequences come from
:func:`interpret`, a plain-Python reading of SCAN's semantics that does not use
the grammar, so the two check each other.

nltk is imported only when the grammar is first needed (it takes about half a
second), so reading data files does not pay for it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nsr.types import Example, Tokens

if TYPE_CHECKING:
    import nltk

GRAMMAR_TEXT = """
C -> S 'and' S | S 'after' S | S
S -> V 'twice' | V 'thrice' | V
V -> A 'opposite' D | A 'around' D | A D | U
A -> U | 'turn'
D -> 'left' | 'right'
U -> 'walk' | 'look' | 'run' | 'jump'
"""
"""SCAN's phrase-structure grammar: C command, S sentence, V verb phrase, A action
word, D direction, U primitive verb. ``turn`` is an action word but not a command
on its own."""

NUM_COMMANDS = 20_910
"""How many distinct commands the grammar generates."""

PRIMITIVES: dict[str, Tokens] = {
    "walk": ("I_WALK",),
    "look": ("I_LOOK",),
    "run": ("I_RUN",),
    "jump": ("I_JUMP",),
}
TURNS: dict[str, Tokens] = {"left": ("I_TURN_LEFT",), "right": ("I_TURN_RIGHT",)}
ACTIONS: Tokens = ("I_WALK", "I_LOOK", "I_RUN", "I_JUMP", "I_TURN_LEFT", "I_TURN_RIGHT")
"""The output vocabulary."""

_REPEATS = {"twice": 2, "thrice": 3}
_CONJUNCTIONS = ("and", "after")


@functools.cache
def grammar() -> nltk.CFG:
    """The SCAN grammar as an ``nltk.CFG`` (built once, then cached).

    Returns:
        The grammar of :data:`GRAMMAR_TEXT`, start symbol ``C``.
    """
    from nltk import CFG

    return CFG.fromstring(GRAMMAR_TEXT)


def interpret(words: Sequence[str]) -> Tokens:
    """Execute a SCAN command: its action sequence.

    ``x and y`` is x then y; ``x after y`` is y then x; ``twice``/``thrice``
    repeat; ``left``/``right`` turn before the action, ``opposite`` turns twice,
    ``around`` does (turn, action) four times; ``turn`` itself does nothing.

    Args:
        words: The command's words, e.g. ``["jump", "around", "left", "twice"]``.

    Returns:
        The action tokens, e.g. ``("I_TURN_LEFT", "I_JUMP", ...)``.

    Raises:
        ValueError: ``words`` is not a SCAN command.
    """
    words = tuple(words)
    joins = [i for i, w in enumerate(words) if w in _CONJUNCTIONS]
    if len(joins) > 1:
        raise ValueError(f"not a SCAN command (two conjunctions): {' '.join(words)!r}")
    if not joins:
        return _sentence(words)
    i = joins[0]
    first, second = _sentence(words[:i]), _sentence(words[i + 1 :])
    return first + second if words[i] == "and" else second + first


def _sentence(words: Tokens) -> Tokens:
    if words and words[-1] in _REPEATS:
        return _verb_phrase(words[:-1]) * _REPEATS[words[-1]]
    return _verb_phrase(words)


def _verb_phrase(words: Tokens) -> Tokens:
    if len(words) == 1 and words[0] in PRIMITIVES:
        return PRIMITIVES[words[0]]
    if (
        len(words) in (2, 3)
        and words[0] in (*PRIMITIVES, "turn")
        and words[-1] in TURNS
    ):
        act = PRIMITIVES.get(words[0], ())
        turn = TURNS[words[-1]]
        if len(words) == 2:
            return turn + act
        if words[1] == "opposite":
            return turn + turn + act
        if words[1] == "around":
            return (turn + act) * 4
    raise ValueError(f"not a SCAN verb phrase: {' '.join(words)!r}")


@functools.cache
def _enumerate() -> tuple[tuple[Tokens, Tokens], ...]:
    from nltk.parse.generate import generate

    commands = [tuple(words) for words in generate(grammar())]
    assert len(commands) == NUM_COMMANDS == len(set(commands)), len(commands)
    return tuple((words, interpret(words)) for words in commands)


def all_commands() -> list[Example]:
    """Every SCAN command with its action sequence, in the grammar's generation order.

    The order is nltk's depth-first expansion of the productions, so it is the
    same on every call and every machine (it is not the official file's order).

    Returns:
        20,910 examples: ``inputs`` the command's words, ``target`` its actions.
    """
    return [Example(inputs=words, target=actions) for words, actions in _enumerate()]
