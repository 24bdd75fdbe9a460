"""Static oracle for arc-standard + SWAP: the moves that build a given tree.

Works for any tree, projective or not (Nivre 2009; Nivre, Kuhlmann & Hall 2009):

1. The **projective order** of the positions is an in-order traversal of the tree
   (each head placed among its dependents by input position). Sorting the input
   into this order makes every tree projective; SWAP does the sorting.
2. The **lazy** oracle (the default) swaps only when needed: SWAP when
   ``o(s0) < o(s1)`` *and* ``s0`` is not in the same maximal projective component
   (MPC) as the buffer front. MPCs are found by running the oracle without SWAP to
   the end of the buffer: the items left on the stack head the components. This
   gives the minimal number of swaps in practice and keeps pieces that are
   already projective contiguous, which makes the move sequences easier to learn.
   ``lazy=False`` gives the eager oracle (swap as soon as ``o(s0) < o(s1)``).

In every state the oracle prefers LEFT_ARC, then RIGHT_ARC (an arc is taken as
soon as the dependent has collected all its own dependents), then SWAP, then SHIFT.
"""

from __future__ import annotations

from nsr.types import DependencyTree
from parser.state import ParserError, ParserState
from parser.transitions import Transition, apply, apply_unchecked


def projective_order(tree: DependencyTree) -> tuple[int, ...]:
    """``order[i]`` is the rank of position i in the tree's in-order traversal."""
    n = len(tree.heads)
    children: list[list[int]] = [[] for _ in range(n)]
    for d, h in enumerate(tree.heads):
        if h >= 0:
            children[h].append(d)
    sequence: list[int] = []
    # Iterative in-order: a frame is (node, expanded?); expanded nodes emit.
    todo: list[tuple[int, bool]] = [(tree.root, False)] if n else []
    while todo:
        node, expanded = todo.pop()
        if expanded:
            sequence.append(node)
            continue
        parts = sorted(children[node] + [node])
        for part in reversed(parts):
            todo.append((part, part == node))
    order = [0] * n
    for rank, node in enumerate(sequence):
        order[node] = rank
    return tuple(order)


def _arc_move(
    state: ParserState, heads: tuple[int, ...], missing: list[int],
    right_missing: list[int] | None = None,
) -> Transition | None:
    if state.depth < 2:
        return None
    s0, (s1, _) = state.stack  # type: ignore[misc]
    if heads[s1] == s0 and missing[s1] == 0 and (
            right_missing is None or right_missing[s0] == 0):
        return Transition.LEFT_ARC
    if heads[s0] == s1 and missing[s0] == 0:
        return Transition.RIGHT_ARC
    return None


def _run(
    tree: DependencyTree,
    swap_rule: str,
    mpc: tuple[int, ...] | None,
    order: tuple[int, ...],
    late_left_arc: bool = False,
) -> tuple[list[Transition], list[ParserState]]:
    """Simulate the oracle; ``swap_rule`` is "lazy", "eager" or "never".

    With ``late_left_arc`` a left dependent is attached only once its head has all its
    right dependents, so a head's left dependents wait on the stack until its span is
    complete (the decision then rests on what closes the span, not on what follows).
    :func:`oracle_states` uses it for projective trees only.

    Returns the moves and the states visited (one more state than moves).
    """
    heads = tree.heads
    n = len(heads)
    missing = [0] * n  # dependents not yet attached
    right_missing: list[int] | None = [0] * n if late_left_arc else None
    for d, h in enumerate(heads):
        if h >= 0:
            missing[h] += 1
            if right_missing is not None and order[d] > order[h]:
                right_missing[h] += 1
    state = ParserState.initial(n)
    moves: list[Transition] = []
    states = [state]
    while not state.is_terminal:
        move = _arc_move(state, heads, missing, right_missing)
        if move is None and swap_rule != "never" and state.depth >= 2:
            s0, (s1, _) = state.stack  # type: ignore[misc]
            if order[s0] < order[s1]:
                if state.buffer is not None:
                    b0 = state.buffer[0]
                else:
                    b0 = state.next if state.next < n else -1
                if (
                    swap_rule == "eager"
                    or b0 < 0
                    or (mpc is not None and mpc[s0] != mpc[b0])
                ):
                    move = Transition.SWAP
        if move is None:
            if state.buffer_empty:
                if swap_rule == "never":
                    break  # the stack now holds the heads of the MPCs
                raise ParserError(f"oracle stuck on tree {heads}")  # pragma: no cover
            move = Transition.SHIFT
        if move == Transition.LEFT_ARC:
            missing[state.stack[0]] -= 1  # type: ignore[index]
        elif move == Transition.RIGHT_ARC:
            missing[state.stack[1][0]] -= 1  # type: ignore[index]
            if right_missing is not None:
                right_missing[state.stack[1][0]] -= 1  # type: ignore[index]
        state = apply_unchecked(state, move)  # legal by construction (and tested)
        moves.append(move)
        states.append(state)
    return moves, states


def maximal_projective_components(tree: DependencyTree) -> tuple[int, ...]:
    """``mpc[i]`` is the position heading the MPC that contains position i."""
    _, states = _run(tree, "never", None, projective_order(tree))
    tops = set(states[-1].stack_items())
    result = []
    for i in range(len(tree.heads)):
        j = i
        while j not in tops:
            j = tree.heads[j]
        result.append(j)
    return tuple(result)


def oracle(tree: DependencyTree, *, lazy: bool = True) -> list[Transition]:
    """The transitions that build ``tree`` from ``ParserState.initial(len(heads))``.

    Args:
        tree: any valid dependency tree (non-projective allowed).
        lazy: use the lazy (minimal-swap) oracle; ``False`` gives the eager one.

    Returns:
        A legal move sequence whose terminal state's ``tree()`` equals ``tree``.
    """
    return oracle_states(tree, lazy=lazy)[0]


def oracle_states(
    tree: DependencyTree, *, lazy: bool = True, late_left_arc: bool = False
) -> tuple[list[Transition], list[ParserState]]:
    """:func:`oracle`'s moves and the states they visit (``len(moves) + 1`` states)."""
    order = projective_order(tree)
    if order == tuple(range(len(order))):  # projective: no swap is ever needed
        return _run(tree, "never", None, order, late_left_arc)
    mpc = maximal_projective_components(tree) if lazy else None
    return _run(tree, "lazy" if lazy else "eager", mpc, order)  # late arcs: projective only


def replay(n: int, moves: list[Transition]) -> list[ParserState]:
    """The states visited by ``moves`` from the initial state, the last one included."""
    states = [ParserState.initial(n)]
    for move in moves:
        states.append(apply(states[-1], move))
    return states
