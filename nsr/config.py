"""Configuration: nested frozen dataclasses, one section per module, with named priors."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nsr.errors import ConfigError
from nsr.tree_edits import EDIT_MOVES
from perception.config import ImagePerceptionConfig
from semantics.literals import LITERAL_PRIORS


TREE_PRIORS = ("any", "projective first", "projective")


@dataclass(frozen=True)
class LoopConfig:
    """The deduction-abduction schedule.

    Attributes:
        curriculum: maximum input length of each stage (a declared prior when not just
            the single stage of all lengths).
        rounds_per_stage: rounds before moving on even if the stage is not solved.
        max_rounds: rounds in all.
        exhaustive_len: inputs this short try every tree in abduction; longer ones try the
            parser's beam.
        reestimate_len: programs are re-estimated leave-one-out from inputs this short.
        beam: trees the parser proposes per input for abduction.
        edit_depth: abduction also tries trees up to this many edits from the
            parser's best tree (0: the beam only).
        edit_moves: the edits (:data:`nsr.tree_edits.EDIT_MOVES`): ``rotate`` an arc,
            ``raise`` a subtree onto its head's head, ``lower`` it onto a sibling.
        bracket_valueless: the parser learns trees in which a pair of valueless leaves
            right around a subtree hangs from its root (the prior
            ``Priors.valueless_attachment = "bracket"``).
        preceding_valueless: the parser learns trees in which each valueless leaf hangs
            from the constituent right before it (``valueless_attachment =
            "preceding"``).
        projective_first: abduction tries projective trees before the others (the prior
            ``Priors.trees = "projective first"``): where a value leaves a subtree's
            shape open (an argument a function ignores, a function that commutes with
            its parent), the parser is taught one shape.
        silence_unknowns: in the first abduction pass, where leaves without a program
            may be valueless, how many other symbols without a program a revision may
            rely on (a separator such as ``,`` is only ever met next to new functions).
        alternatives: revisions kept per input while symbols lack programs.
        short_variants: for inputs of up to ``exhaustive_len`` tokens, how many other
            symbols with a program each position may move to.
        long_variants: the same for longer inputs (where a synonym first met among
            literals must find its meaning, as many as there are programs).
        split_symbols: abduction may introduce symbols (``nsr.symbol_splits``), for
            perception that does not start each token on its own symbol (images).
        appearance_splits: with ``split_symbols``, a poorly explained symbol whose
            images form two clusters with different meanings is split in two
            (:mod:`nsr.appearance_splits`); for image perception.
        abduce_per_round: most failed examples abduced in one round.
        abduce_seconds: wall-clock limit on one round's abduction (``None``: none);
            the failures not reached by then wait for a later round. It bounds a
            round where abduction is slow (a stage whose inputs first hold a new kind
            of symbol), at the price of rounds that depend on the machine's speed.
        parser_epochs: parser passes over the pseudo-labels per round.
        patience: at the last stage, the run ends once this many rounds in a row have
            not raised the stage's best training accuracy (``None``: it runs until the
            target or ``max_rounds``). For targets a stage may never reach.
        seed: seeds every random choice of the run.
    """

    curriculum: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12, 1000)
    rounds_per_stage: int = 6
    max_rounds: int = 40
    exhaustive_len: int = 4
    reestimate_len: int = 3
    beam: int = 8
    edit_depth: int = 0
    edit_moves: tuple[str, ...] = ("rotate",)
    bracket_valueless: bool = False
    preceding_valueless: bool = False
    projective_first: bool = False
    silence_unknowns: int = 0
    alternatives: int = 4
    short_variants: int = 2
    long_variants: int = 2
    split_symbols: bool = False
    appearance_splits: bool = False
    abduce_per_round: int = 1500
    abduce_seconds: float | None = None
    parser_epochs: int = 3
    target_accuracy: float = 1.0
    patience: int | None = None
    seed: int = 0


@dataclass(frozen=True)
class Priors:
    """Every piece of domain knowledge a run is given, printed with its results."""

    symbol_budget: int = 20
    primitive_sets: tuple[str, ...] = ("list",)
    curriculum: str = "length"
    arity: str = "learned"
    perception_init: str = "random"
    input_rewriting: str = "none"
    valueless_symbols: bool = False
    """Whether a symbol may carry no value (its nodes are skipped by their parents)."""
    valueless_attachment: str = "as parsed"
    """``bracket``: valueless leaves right around a subtree are taught to the parser as
    the subtree root's dependents; ``preceding``: a valueless leaf is taught as a
    dependent of the constituent right before it (where they hang changes no value)."""
    trees: str = "any"
    """``projective first``: among trees that give an example's output, abduction takes
    a projective one (no crossing arcs) where there is one. ``projective``: every tree
    is projective (the parser is arc-standard without SWAP, as in the published method,
    and abduction tries no other trees)."""
    literal_tokens: str = "none"
    """``output tokens``: input tokens that occur in training outputs denote themselves
    (see :mod:`semantics.literals`); the curriculum then counts only the other tokens."""

    def describe(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrainConfig:
    """A whole run: the benchmark, its priors and the loop schedule."""

    benchmark: str = "scan"
    split: str = "simple"
    priors: Priors = field(default_factory=Priors)
    loop: LoopConfig = field(default_factory=LoopConfig)
    parser_hidden: int = 64
    parser_embed: int = 32
    parser_late_left_arc: bool = False
    """The parser learns derivations that attach left dependents late (see
    ``parser.oracle``): decisions then rest on what closes a span."""
    fallback_beam: int = 8
    """Beam width tried when the greedy tree of an input cannot be interpreted."""
    prediction_widening: int = 2
    """At prediction, how many times the fallback beam is doubled for an input whose
    trees cannot be interpreted (training deduces with the fallback beam alone)."""
    symbol_fallback: int = 0
    """Other readings tried for an input none of whose fallback trees can be
    interpreted: up to this many of perception's next most probable symbol sequences
    (one or two positions read otherwise). For perception that can misread (images)."""
    induction_timeout: float = 5.0
    invent_threshold: float = 0.97
    """A recursive program joins the library (for other programs to call) once it
    explains at least this fraction of its symbol's examples."""
    threads: int = 1
    """CPU threads for torch: the small models here run fastest on one."""
    train_limit: int | None = None
    """Train on a seeded sample of this many examples (``None``: all of them)."""
    image: ImagePerceptionConfig | None = None
    """Image input (HINT from handwritten images): the classifier's settings; ``None``
    for token input."""
    checkpoint_every: int = 1
    """Write a checkpoint every this many rounds (and on Ctrl-C, and at the end);
    it does not change what the run learns."""

    def __post_init__(self) -> None:
        if self.priors.literal_tokens not in LITERAL_PRIORS:
            raise ConfigError(f"priors.literal_tokens must be one of "
                              f"{', '.join(LITERAL_PRIORS)}; got {self.priors.literal_tokens!r}")
        bracket = self.priors.valueless_attachment == "bracket"
        if bracket != self.loop.bracket_valueless:
            raise ConfigError("priors.valueless_attachment = 'bracket' and "
                              "loop.bracket_valueless must agree")
        unknown = [m for m in self.loop.edit_moves if m not in EDIT_MOVES]
        if unknown:
            raise ConfigError(f"loop.edit_moves: unknown {', '.join(unknown)}; "
                              f"known: {', '.join(EDIT_MOVES)}")
        if self.priors.trees not in TREE_PRIORS:
            raise ConfigError(f"priors.trees must be one of {', '.join(TREE_PRIORS)}; "
                              f"got {self.priors.trees!r}")
        if (self.priors.trees == "projective first") != self.loop.projective_first:
            raise ConfigError("priors.trees = 'projective first' and "
                              "loop.projective_first must agree")
        preceding = self.priors.valueless_attachment == "preceding"
        if preceding != self.loop.preceding_valueless:
            raise ConfigError("priors.valueless_attachment = 'preceding' and "
                              "loop.preceding_valueless must agree")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainConfig:
        loop = LoopConfig(**{**data["loop"], "curriculum": tuple(data["loop"]["curriculum"]),
                             "edit_moves": tuple(data["loop"].get("edit_moves", ("rotate",)))})
        pri = data["priors"]
        priors = Priors(**{**pri, "primitive_sets": tuple(pri["primitive_sets"])})
        rest = {k: v for k, v in data.items() if k not in ("loop", "priors", "image")}
        image = data.get("image")
        if image is not None:
            image = ImagePerceptionConfig(**{**image, "channels": tuple(image["channels"])})
        return cls(priors=priors, loop=loop, image=image, **rest)
