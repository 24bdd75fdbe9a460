"""Transition-based dependency parsing over latent symbol sequences.

Arc-standard + SWAP (Nivre 2009), so non-projective trees are built without
reordering the input; no artificial root (the last stack item is the root).
Imports only ``nsr.types``, ``nsr.errors``, torch and numpy.

Public API::

    Transition, is_legal, apply, legal_mask, IllegalTransitionError
    ParserState, initial, ParserError
    oracle, oracle_states, projective_order, maximal_projective_components, replay
    ParserConfig, TransitionParser, ParseResult
"""

from __future__ import annotations

from parser.config import ParserConfig
from parser.model import ParseResult, TransitionParser
from parser.oracle import (
    maximal_projective_components,
    oracle,
    oracle_states,
    projective_order,
    replay,
)
from parser.state import ParserError, ParserState, initial
from parser.transitions import (
    IllegalTransitionError,
    Transition,
    apply,
    is_legal,
    legal_mask,
)

__all__ = [
    "IllegalTransitionError",
    "ParseResult",
    "ParserConfig",
    "ParserError",
    "ParserState",
    "Transition",
    "TransitionParser",
    "apply",
    "initial",
    "is_legal",
    "legal_mask",
    "maximal_projective_components",
    "oracle",
    "oracle_states",
    "projective_order",
    "replay",
]
