"""HINT from handwritten images: loading the paired examples and building perception.

The expressions are HINT's official files; each token is replaced by an image of its
class from its split's pool (:mod:`benchmarks.hint_images`). There is no generated
fallback: without ``--data-dir`` (or ``$NSR_DATA``) holding ``hint/images`` and
``hint/symbol``, image input is refused with a :class:`ConfigError`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nsr.config import TrainConfig
from nsr.errors import ConfigError
from nsr.tasks import data_dir_or_env
from nsr.types import Example
from perception import ImagePerception, ImagePerceptionConfig


@dataclass(frozen=True)
class ImageData:
    """Paired examples of each split and the decoded images they refer to."""

    train: list[Example]
    val: list[Example]
    test: list[Example]
    pixels: np.ndarray  # (N, 45, 45) uint8


def image_data_dir(data_dir: Path | None) -> Path:
    """``data_dir``, else ``$NSR_DATA``, checked to hold the images and expressions.

    Raises:
        ConfigError: Neither is given, or the folder lacks one of them.
    """
    from benchmarks import hint, hint_images

    where = data_dir_or_env(data_dir)
    if where is None:
        raise ConfigError("--input image needs --data-dir (or NSR_DATA): a folder holding "
                          "hint/symbol (the official expressions) and hint/images (the "
                          "handwritten symbols); images are never generated")
    try:
        hint_images.images_root(where)
        hint.hint_root(where)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    return Path(where)


def load_image_data(data_dir: Path | None) -> ImageData:
    """HINT's official expressions, each token paired with an image of its class."""
    from benchmarks import hint, hint_images

    where = image_data_dir(data_dir)
    try:
        store = hint_images.load_store(str(Path(where).resolve()))
        splits = hint.load_split("symbol", data_dir=where)
    except (ValueError, FileNotFoundError) as exc:
        raise ConfigError(str(exc)) from None
    paired = hint_images.pair(store, {"train": splits.train, "val": splits.val,
                                      "test": splits.test})
    return ImageData(paired["train"], paired["val"], paired["test"], store.pixels)


def image_classes(examples: list[Example]) -> dict[str, str]:
    """The true class of each image token of ``examples`` (for measuring and showing)."""
    return {t: c for e in examples for t, c in zip(e.inputs, (e.meta or {})["symbols"])}


def with_device(config: TrainConfig, device: str | None) -> TrainConfig:
    """``config`` with its image classifier on ``device`` (unchanged if ``None``)."""
    if device is None or config.image is None:
        return config
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"--device must be cpu or cuda, got {device!r}")
    return replace(config, image=replace(config.image, device=device))


def image_perception(config: TrainConfig, vocabulary: list[str],
                     pixels: np.ndarray | None = None) -> ImagePerception:
    """The run's image classifier (images attached when given)."""
    assert config.image is not None
    image_config = replace(config.image, num_symbols=config.priors.symbol_budget)
    perception = ImagePerception(vocabulary, image_config, seed=config.loop.seed)
    if pixels is not None:
        perception.attach(pixels)
    return perception


IMAGE_SIZES = {
    "image": {"channels": (32, 64, 128), "hidden": 256, "steps": 60, "batch": 128,
              "sample": 2_000, "extra_singles": 1_000, "extra_triples": 1_000},
    "image-cpu": {"channels": (16, 32, 64), "hidden": 128, "steps": 60, "batch": 128,
                  "sample": 2_000, "extra_singles": 1_000, "extra_triples": 1_000},
}
"""``--input image``: the configuration meant for a GPU; ``image-cpu``: a reduced one for 2
CPU cores (a smaller network). Both train on the same expressions: with 10,000 + 2,000 +
2,000 of them, rounds took two to three times as long on an H100's machine (abduction
and parsing run on its CPU) and no run reached the last stage within 30 minutes."""


def image_preset(benchmark: str, *, split: str | None, seed: int,
                 init: str = "random", size: str = "image") -> TrainConfig:
    """HINT from images: the symbol preset's priors and schedule, an image classifier
    for perception (started as ``init`` declares), abduction that may introduce symbols
    (``split_symbols``) within a minute per round, deduction that may read an input
    otherwise where no tree of perception's reading can be interpreted
    (``symbol_fallback``; other readings replace the widened fallback beam at
    prediction), and a stage target below 100 % (handwriting is ambiguous, so a stage's
    accuracy never quite reaches it, and the run ends after ``patience`` rounds without
    a better one at the last stage). Misread images make a symbol's examples noisier, so
    a recursive program joins the library once it explains 90 % of them (97 % with
    symbols): ceiling division needs subtraction as its descent. Every tree is
    projective (``trees = projective``: the parser is arc-standard without SWAP, as in
    the published method): a misread bracket then cannot make sense of an expression
    through arcs that cross. Consolidation runs twice once training ends (a third round
    gained little on the training sample and lost test accuracy on one of two seeds),
    each round first reading again the images that fewer than half of their sample
    expressions read as perception does (``consolidate_votes``), and learning one
    symbol for each group of symbols with the same program (``consolidate_synonyms``)."""
    from nsr.presets import preset

    if size not in IMAGE_SIZES:
        raise ConfigError(f"unknown image configuration {size!r}; known: "
                          f"{', '.join(IMAGE_SIZES)}")
    if benchmark != "hint":
        raise ConfigError(f"--input image is for HINT only, not {benchmark!r}")
    if split not in (None, "symbol"):
        raise ConfigError(f"--input image reads HINT's main split, not {split!r}")
    base = preset("hint", split="symbol", seed=seed)
    described = {"random": "random CNN",
                 "kmeans": "CNN fit to k-means clusters of pixels (not matched to labels)"}
    if init not in described:
        raise ConfigError(f"unknown image init {init!r}; known: {', '.join(described)}")
    return replace(
        base, split="image",
        priors=replace(base.priors, perception_init=described[init], trees="projective"),
        train_limit=None, symbol_fallback=16, prediction_widening=0, invent_threshold=0.9,
        loop=replace(base.loop, target_accuracy=0.97, rounds_per_stage=10,
                     max_rounds=100, short_variants=6, split_symbols=True,
                     appearance_splits=True, abduce_per_round=400, abduce_seconds=60.0,
                     parser_epochs=6, patience=10, projective_first=False),
        image=ImagePerceptionConfig(init=init, num_symbols=base.priors.symbol_budget,
                                    consolidate_rounds=2, consolidate_votes=0.5,
                                    consolidate_synonyms=True,
                                    **IMAGE_SIZES[size]))


def image_training_sample(examples: list[Example], config: TrainConfig) -> list[Example]:
    """The training expressions of an image run: a seeded sample of
    ``config.image.sample`` expressions plus ``extra_singles`` one-symbol and
    ``extra_triples`` three-symbol ones (more single images to start perception on),
    without repeated inputs."""
    assert config.image is not None
    rng = random.Random(config.loop.seed)
    settings = config.image
    chosen = rng.sample(examples, min(settings.sample, len(examples)))
    for length, extra in ((1, settings.extra_singles), (3, settings.extra_triples)):
        pool = [e for e in examples if len(e.inputs) == length]
        chosen += rng.sample(pool, min(extra, len(pool)))
    unique: dict[tuple, Example] = {}
    for e in chosen:
        unique.setdefault(tuple(e.inputs), e)
    return list(unique.values())


def image_consolidation_sample(examples: list[Example], config: TrainConfig) -> list[Example]:
    """The training expressions read to consolidate perception once training ends: a
    sample of ``config.image.consolidate_sample`` of them, seeded by the run's seed
    (its own stream, not the training sample's)."""
    assert config.image is not None
    rng = random.Random(f"consolidate {config.loop.seed}")
    return rng.sample(examples, min(config.image.consolidate_sample, len(examples)))
