"""Configuration of the perception module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PerceptionConfig:
    """Symbol budget and optimisation settings.

    Attributes:
        num_symbols: the declared budget of latent symbols (a prior of the benchmark).
        lr: learning rate of the symbol table.
        epochs: passes over the abduced labels per ``learn`` call.
        init_scale: standard deviation of the random initial logits.
        seed: initialisation seed.
    """

    num_symbols: int = 24
    lr: float = 0.5
    epochs: int = 20
    init_scale: float = 0.01
    distinct_init: bool = True
    """Start every token on a different (random) symbol: a declared prior that distinct
    tokens are distinct symbols until abduction merges them. Where there are more tokens
    than symbols (synonyms), the symbols are dealt out again in a new random order."""
    init_margin: float = 2.0
    seed: int = 0


@dataclass(frozen=True)
class ImagePerceptionConfig:
    """The image classifier (one handwritten symbol image -> a latent symbol).

    Attributes:
        num_symbols: the declared symbol budget (set from the run's priors).
        channels: output channels of the three conv blocks (conv, batch norm, ReLU,
            2x2 max pool).
        hidden: width of the fully connected layer.
        size: images are resized (area average) to ``size x size`` once, when attached.
        lr: Adam learning rate.
        steps: optimiser steps per ``learn`` call (a round's pseudo-labels).
        batch: images per step.
        augment: random affine jitter in training (shift, scale, rotation).
        init: ``random`` (plain random weights) or ``kmeans``: the network is first
            trained to predict k-means clusters of the training images' pixels (the
            declared prior ``perception_init``; clusters are not matched to classes).
        init_clusters: k of the k-means initialisation.
        init_steps: optimiser steps on the cluster labels.
        device: ``cpu`` or ``cuda`` (the same code runs on both).
        amp: bfloat16 autocast on CUDA (ignored on CPU).
        eval_batch: images per forward pass at prediction.
        sample: training expressions drawn at random (seeded) from the training file.
        extra_singles: further one-symbol expressions (a digit and its value) drawn.
        extra_triples: further three-symbol expressions (``a op b``) drawn.
        consolidate_sample: training expressions (a seeded sample of the training
            file) read once training ends to relabel perception: those explained, and
            those another reading makes give their target (:mod:`nsr.consolidation`).
        consolidate_steps: optimiser steps of that consolidation (0: none).
        consolidate_parser_epochs: then the parser's passes over the trees of the
            sample, read again with the consolidated classifier (0: the parser is left
            as training left it).
        consolidate_trees: how many of the parser's best trees are tried for the
            symbols of an expression not explained, before other readings.
        consolidate_rounds: how many times that consolidation runs, each round reading
            the sample again with the machine the previous round left.
        consolidate_votes: before perception is consolidated, each image of the sample
            that fewer than this fraction of its expressions read as perception does is
            tried as every symbol in turn and takes the one that makes the most of its
            expressions give their targets, where that is more (:mod:`nsr.image_votes`;
            0: none).
        consolidate_vote_uses: how many of such an image's expressions are tried.
        consolidate_synonyms: perception is consolidated on one symbol for each group of
            valued symbols with the same program, and the others are dropped
            (:mod:`nsr.synonyms`).
    """

    num_symbols: int = 20
    channels: tuple[int, ...] = (16, 32, 64)
    hidden: int = 128
    size: int = 32
    lr: float = 1e-3
    steps: int = 60
    batch: int = 128
    augment: bool = True
    init: str = "random"
    init_clusters: int = 16
    init_steps: int = 300
    device: str = "cpu"
    amp: bool = True
    eval_batch: int = 2048
    sample: int = 10_000
    extra_singles: int = 2_000
    extra_triples: int = 2_000
    consolidate_sample: int = 30_000
    consolidate_steps: int = 3_000
    consolidate_parser_epochs: int = 2
    consolidate_trees: int = 8
    consolidate_rounds: int = 1
    consolidate_votes: float = 0.0
    consolidate_vote_uses: int = 32
    consolidate_synonyms: bool = False
