"""Configuration of the transition parser (a frozen dataclass, nanoGPT style)."""

from __future__ import annotations

from dataclasses import dataclass

from nsr.errors import ConfigError


@dataclass(frozen=True)
class ParserConfig:
    """Sizes, feature windows and optimiser settings of ``TransitionParser``.

    Attributes:
        num_symbols: V; input symbols are integers in [0, V).
        embed_dim: size of each symbol embedding.
        hidden: width of the MLP's hidden layer.
        lr: Adam learning rate used by ``learn``.
        weight_decay: Adam weight decay.
        dropout: dropout on the concatenated embeddings while learning.
        stack_window: how many stack items (s0, s1, ...) are features.
        buffer_window: how many buffer items (b0, b1, ...) are features.
        child_window: how many top stack items contribute their leftmost and
            rightmost dependents as features (at most ``stack_window``).
        batch_size: configurations per gradient step in ``learn``.
        seed: seeds the initial weights and the shuffling in ``learn``.
        late_left_arc: learn from oracle derivations that attach a left dependent
            only once its head has all its right dependents.
        projective: arc-standard without SWAP (the published method's parser): only
            projective trees are built, and only they can be learned.
    """

    num_symbols: int
    embed_dim: int = 32
    hidden: int = 64
    lr: float = 3e-3
    weight_decay: float = 0.0
    dropout: float = 0.0
    stack_window: int = 3
    buffer_window: int = 3
    child_window: int = 2
    batch_size: int = 256
    seed: int = 0
    late_left_arc: bool = False
    projective: bool = False

    def __post_init__(self) -> None:
        positive = ("num_symbols", "embed_dim", "hidden", "batch_size")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(
                    f"parser.{name} must be >= 1, got {getattr(self, name)}"
                )
        for name in ("stack_window", "buffer_window", "child_window"):
            if getattr(self, name) < 0:
                raise ConfigError(
                    f"parser.{name} must be >= 0, got {getattr(self, name)}"
                )
        if self.child_window > self.stack_window:
            raise ConfigError(
                f"parser.child_window ({self.child_window}) exceeds "
                f"parser.stack_window ({self.stack_window})"
            )
        if self.num_features < 1:
            raise ConfigError("parser needs at least one feature window > 0")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"parser.dropout must be in [0, 1), got {self.dropout}")
        if self.lr <= 0:
            raise ConfigError(f"parser.lr must be > 0, got {self.lr}")

    @property
    def num_features(self) -> int:
        """F: stack items + buffer items + two dependents per child-window item."""
        return self.stack_window + self.buffer_window + 2 * self.child_window

    @property
    def none_id(self) -> int:
        """Embedding id of an empty slot (no such stack or buffer item)."""
        return self.num_symbols

    @property
    def nochild_id(self) -> int:
        """Embedding id of a missing dependent of an existing stack item."""
        return self.num_symbols + 1

    @property
    def vocab_size(self) -> int:
        """Rows of the embedding table: the V symbols plus the two special ids."""
        return self.num_symbols + 2
