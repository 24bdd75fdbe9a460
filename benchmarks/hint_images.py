"""HINT with handwritten images: symbol-image pools, pairing, and a decoded-image cache.

The images are ``hint/images/<class>/*.jpg`` (16 classes, 45 x 45 grey JPEGs; see
section 4 of the data README), listed with checksums in ``hint/images/SHA256SUMS``.

Pools (a documented, seeded stand-in for the official pools, which depend on the file
system's listing order): ``rng = random.Random(pool_seed)``; for each class in
:data:`CLASSES` order, the file names sorted (byte order, as ``LC_ALL=C sort``) are
shuffled by ``rng``; the first ``int(0.75 n)`` form the train pool, the next
``int(0.05 n)`` the val pool and the rest (about 20 %) the test pool.

Pairing: ``rng = random.Random(pair_seed)``; for each split in train, val, test order
and each class, a cycling iterator over the split's pool of that class is shuffled by
``rng`` when created and again each time it wraps around; each token of each
expression, in file order, takes the next image of its class from its own split's
pools. So every test image is one never paired with a training expression.

Tokens: an image is the token ``img:<row>``, ``row`` its row in the cache, whose rows
are the images in a seeded random order (``random.Random(pool_seed).shuffle`` of the
sorted ``class/name`` paths): a token says nothing about its class. The true class of
each position is kept in ``meta["symbols"]`` only, for measuring symbol accuracy.

Cache: the decoded pixels (uint8, ``(N, 45, 45)``) are written once to
``<cache dir>/hint_images-<key>.npz`` (the key is a hash of ``SHA256SUMS``), where the
cache dir is ``$NSR_CACHE`` or ``~/.cache/nsr``; later runs read that file instead of
42,689 JPEG files. Decoding needs Pillow (the only JPEG decoder available as a wheel
for every platform here; torchvision has no CPU build).
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nsr.errors import DataError
from nsr.types import Example

CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
           "plus", "minus", "times", "div", "lparen", "rparen")
"""Class folders; a class's index here is its id in :attr:`ImageStore.classes`."""

SYMBOL_OF_CLASS = {**{str(d): str(d) for d in range(10)}, "plus": "+", "minus": "-",
                   "times": "*", "div": "/", "lparen": "(", "rparen": ")"}
CLASS_OF_SYMBOL = {s: c for c, s in SYMBOL_OF_CLASS.items()}
SPLIT_NAMES = ("train", "val", "test")
FRACTIONS = (0.75, 0.05)
POOL_SEED = 777
PAIR_SEED = 777
SIZE = 45
_CACHE_VERSION = "1"


@dataclass(frozen=True)
class ImageStore:
    """Every image, decoded, in the cache's (seeded, class-free) row order.

    Attributes:
        pixels: ``(N, 45, 45)`` uint8, black strokes on white, as in the files.
        classes: ``(N,)`` class index into :data:`CLASSES` (for measuring only).
        pools: ``(N,)`` 0 train, 1 val, 2 test.
        ranks: ``(N,)`` position in its class's shuffled order (:func:`assign_pools`).
        paths: ``class/name`` of each row.
    """

    pixels: np.ndarray
    classes: np.ndarray
    pools: np.ndarray
    ranks: np.ndarray
    paths: tuple[str, ...]

    def pool_rows(self, split: str, cls: str) -> list[int]:
        """Rows of one class's pool, in the pool's (shuffled) order."""
        want_pool, want_cls = SPLIT_NAMES.index(split), CLASSES.index(cls)
        rows = np.flatnonzero((self.pools == want_pool) & (self.classes == want_cls))
        return rows[np.argsort(self.ranks[rows], kind="stable")].tolist()


def images_root(data_dir: str | Path) -> Path:
    """``data_dir/hint/images`` or ``data_dir/images`` or ``data_dir`` itself: the folder
    that holds ``SHA256SUMS``.

    Raises:
        FileNotFoundError: None of them holds ``SHA256SUMS``.
    """
    root = Path(data_dir)
    for candidate in (root / "hint" / "images", root / "images", root):
        if (candidate / "SHA256SUMS").is_file():
            return candidate
    raise FileNotFoundError(f"no HINT images (hint/images/SHA256SUMS) under {root}")


def list_images(root: Path) -> list[str]:
    """The ``class/name`` paths listed in ``root/SHA256SUMS``, sorted, 16 classes only."""
    paths = []
    sums = root / "SHA256SUMS"
    for line_no, line in enumerate(sums.read_text("utf-8").splitlines(), 1):
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            raise DataError(sums, line_no, "expected '<sha256>  <path>'")
        path = parts[1].strip().removeprefix("*").removeprefix("./")
        cls = path.split("/", 1)[0]
        if cls not in CLASSES or "/" not in path:
            raise DataError(sums, line_no, f"unknown class folder in {path!r}")
        paths.append(path)
    return sorted(paths, key=lambda p: p.encode("utf-8"))


def assign_pools(paths: Sequence[str], seed: int = POOL_SEED
                 ) -> dict[str, tuple[int, int]]:
    """(pool, rank) of every ``class/name`` path: pool 0 train, 1 val, 2 test (module
    docstring), rank its position in its class's shuffled order."""
    rng = random.Random(seed)
    out: dict[str, tuple[int, int]] = {}
    by_class: dict[str, list[str]] = {c: [] for c in CLASSES}
    for p in paths:
        by_class[p.split("/", 1)[0]].append(p)
    for cls in CLASSES:
        names = sorted(by_class[cls], key=lambda p: p.encode("utf-8"))
        rng.shuffle(names)
        n_train, n_val = int(FRACTIONS[0] * len(names)), int(FRACTIONS[1] * len(names))
        for i, p in enumerate(names):
            out[p] = (0 if i < n_train else 1 if i < n_train + n_val else 2, i)
    return out


def cache_dir() -> Path:
    """``$NSR_CACHE`` or ``~/.cache/nsr``."""
    env = os.environ.get("NSR_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "nsr"


def _decode(root: Path, paths: Sequence[str]) -> np.ndarray:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - depends on the environment
        raise DataError(root, None, "decoding the JPEG images needs Pillow "
                                 "(pip install pillow)") from None
    out = np.empty((len(paths), SIZE, SIZE), dtype=np.uint8)
    for i, p in enumerate(paths):
        try:
            with Image.open(root / p) as img:
                arr = np.asarray(img.convert("L"))
        except (OSError, ValueError) as exc:
            raise DataError(root / p, None, f"cannot decode image ({exc})") from None
        if arr.shape != (SIZE, SIZE):
            raise DataError(root / p, None, f"expected {SIZE}x{SIZE} pixels, got "
                                         f"{arr.shape[1]}x{arr.shape[0]}")
        out[i] = arr
    return out


@lru_cache(maxsize=2)
def load_store(data_dir: str) -> ImageStore:
    """All images under ``data_dir``, decoded once and then read from the cache."""
    root = images_root(data_dir)
    sums = (root / "SHA256SUMS").read_bytes()
    key = hashlib.sha256(sums + _CACHE_VERSION.encode()).hexdigest()[:16]
    cached = cache_dir() / f"hint_images-{key}.npz"
    paths = list_images(root)
    rng = random.Random(POOL_SEED)
    rows = list(paths)
    rng.shuffle(rows)  # the cache's class-free row order
    if cached.is_file():
        with np.load(cached) as data:
            pixels = data["pixels"]
        if pixels.shape != (len(rows), SIZE, SIZE):
            raise DataError(cached, None, f"cache holds {pixels.shape[0]} images, "
                                       f"SHA256SUMS lists {len(rows)}; delete the file")
    else:
        pixels = _decode(root, rows)
        cached.parent.mkdir(parents=True, exist_ok=True)
        # one temporary file per process: runs started side by side each write their own
        tmp = cached.with_name(f"{cached.stem}.{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, pixels=pixels)
        tmp.replace(cached)
    pools = assign_pools(paths)
    classes = np.array([CLASSES.index(p.split("/", 1)[0]) for p in rows], dtype=np.int64)
    return ImageStore(pixels=pixels, classes=classes,
                      pools=np.array([pools[p][0] for p in rows], dtype=np.int64),
                      ranks=np.array([pools[p][1] for p in rows], dtype=np.int64),
                      paths=tuple(rows))


class _ImageMeta(Mapping[str, Any]):
    """An expression's meta plus ``symbols``: the true class of each position."""

    __slots__ = ("_base", "_symbols")

    def __init__(self, base: Mapping[str, Any], symbols: tuple[str, ...]) -> None:
        self._base, self._symbols = base, symbols

    def __getitem__(self, key: str) -> Any:
        return self._symbols if key == "symbols" else self._base[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        yield "symbols"

    def __len__(self) -> int:
        return len(self._base) + 1


def _cycle(rows: list[int], rng: random.Random) -> Iterator[int]:
    while True:
        order = list(rows)
        rng.shuffle(order)
        yield from order


def pair(store: ImageStore, splits: Mapping[str, Sequence[Example]],
         seed: int = PAIR_SEED) -> dict[str, list[Example]]:
    """Each split's expressions with one image per token from that split's pools."""
    rng = random.Random(seed)
    tokens = [f"img:{r}" for r in range(len(store.paths))]
    out: dict[str, list[Example]] = {}
    for split in SPLIT_NAMES:
        if split not in splits:
            continue
        streams = {}
        for cls in CLASSES:
            rows = store.pool_rows(split, cls)
            if not rows:
                raise DataError(Path(split), None, f"the {split} pool of {cls!r} is empty")
            streams[SYMBOL_OF_CLASS[cls]] = _cycle(rows, rng)
        nexts = {s: it.__next__ for s, it in streams.items()}
        paired = []
        for e in splits[split]:
            symbols = tuple(e.inputs)
            inputs = tuple([tokens[nexts[s]()] for s in symbols])
            paired.append(Example(inputs, e.target, _ImageMeta(e.meta or {}, symbols)))
        out[split] = paired
    return out

