"""Image perception: a CNN maps each handwritten symbol image to a latent symbol.

Tokens are ``img:<row>``, rows of a pixel array attached with :meth:`attach` (the
decoded image cache); the classifier never sees a class name. It is trained only on the
symbols abduction chose (:meth:`learn`). Predictions are cached per image and dropped
after each ``learn``, so a round classifies each image once. The same code runs on CPU
and on CUDA (``config.device``), with bfloat16 autocast on CUDA when ``config.amp``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nsr.errors import ConfigError, UnknownTokenError
from perception.cnn import SymbolCNN, jitter, kmeans
from perception.config import ImagePerceptionConfig

PINNED_OTHERS = -30.0
"""The log-probability of every other symbol of a pinned image (:meth:`ImagePerception.pin`)."""


def image_rows(tokens: Sequence[str]) -> list[int]:
    """Rows of ``img:<row>`` tokens; any other token raises :class:`UnknownTokenError`."""
    rows = []
    for t in tokens:
        if not (t.startswith("img:") and t[4:].isdigit()):
            raise UnknownTokenError(f"unknown token {t!r}: image perception reads only "
                                    f"image tokens img:<row>")
        rows.append(int(t[4:]))
    return rows


class ImagePerception(nn.Module):
    """``p(symbol | image)`` from :class:`SymbolCNN`; the interface of word perception
    (``vocab``, ``index``, ``log_probs``, ``table``, ``learn``) plus batched
    :meth:`best_symbols` for any image, seen in training or not."""

    def __init__(self, vocabulary: Iterable[str], config: ImagePerceptionConfig,
                 seed: int = 0) -> None:
        super().__init__()
        self.config, self.num_symbols, self.seed = config, config.num_symbols, seed
        self.vocab = sorted(set(vocabulary), key=lambda t: (len(t), t))
        self.index = {tok: i for i, tok in enumerate(self.vocab)}
        self.device = torch.device(config.device)
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise ConfigError("device cuda asked for, but torch sees no CUDA device "
                              "(give --device cpu)")
        torch.manual_seed(seed)
        self.net = SymbolCNN(config.num_symbols, config.channels, config.hidden, config.size)
        self.net.to(self.device)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=config.lr)
        self.generator = torch.Generator().manual_seed(seed)
        self.images: torch.Tensor | None = None  # (N, S, S) uint8 on device
        self._cache: torch.Tensor | None = None  # (N, V) log-probs, CPU
        self._known: torch.Tensor | None = None  # (N,) bool
        self._vocab_rows: list[int] | None = None
        self._averaged_copies = 0

    @property
    def averaged_copies(self) -> int:
        """At prediction, each image's log-probabilities are averaged over the image and
        this many randomly jittered copies of it (seeded per batch; 0: the image alone).
        Changing it forgets the readings already cached."""
        return self._averaged_copies

    @averaged_copies.setter
    def averaged_copies(self, copies: int) -> None:
        if copies < 0:
            raise ConfigError(f"averaged copies must be >= 0, got {copies}")
        if copies != self._averaged_copies:
            self._averaged_copies = copies
            self._forget()

    def attach(self, pixels: np.ndarray) -> None:
        """Give the classifier the images: ``(N, H, W)`` uint8, dark ink on white."""
        x = torch.from_numpy(np.ascontiguousarray(pixels)).float()
        x = (255.0 - x) / 255.0  # (N, H, W) ink in [0, 1]
        s = self.config.size
        out = torch.empty(x.shape[0], s, s, dtype=torch.uint8)
        for lo in range(0, x.shape[0], 8192):
            part = F.adaptive_avg_pool2d(x[lo: lo + 8192, None], s)[:, 0]
            out[lo: lo + 8192] = (part * 255).round().to(torch.uint8)
        self.images = out.to(self.device)
        self._forget()

    def _forget(self) -> None:
        n = 0 if self.images is None else self.images.shape[0]
        self._cache = torch.zeros(n, self.num_symbols)
        self._known = torch.zeros(n, dtype=torch.bool)

    def _require_images(self) -> None:
        if self.images is None or self._known is None or self._cache is None:
            raise ConfigError("image perception has no images attached (the run needs "
                              "--data-dir holding hint/images)")

    def _batch(self, rows: torch.Tensor) -> torch.Tensor:
        self._require_images()
        return self.images[rows.to(self.device)].unsqueeze(1).float() / 255.0

    def _autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16,
                              enabled=self.device.type == "cuda" and self.config.amp)

    def _rows_log_probs(self, rows: list[int]) -> torch.Tensor:
        """(len(rows), V) log-probabilities, computing the images not yet cached."""
        self._require_images()
        idx = torch.tensor(rows, dtype=torch.long)
        if idx.numel() and int(idx.max()) >= self._known.shape[0]:
            raise UnknownTokenError(f"image row {int(idx.max())} is not in the attached "
                                    f"images ({self._known.shape[0]})")
        missing = torch.unique(idx[~self._known[idx]])
        if missing.numel():
            self.net.eval()
            with torch.no_grad(), self._autocast():
                for lo in range(0, missing.numel(), self.config.eval_batch):
                    part = missing[lo: lo + self.config.eval_batch]
                    self._cache[part] = self._predicted(self._batch(part)).cpu()
            self._known[missing] = True
        return self._cache[idx]

    def _predicted(self, x: torch.Tensor) -> torch.Tensor:
        """(B, V) log-probabilities of images ``x``, averaged with ``averaged_copies``
        jittered copies."""
        total = torch.log_softmax(self.net(x).float(), -1)
        generator = torch.Generator().manual_seed(self.seed)
        for _ in range(self.averaged_copies):
            total = total + torch.log_softmax(self.net(jitter(x, generator)).float(), -1)
        return torch.log_softmax(total / (1 + self.averaged_copies), -1)

    def token_ids(self, tokens: Sequence[str]) -> torch.Tensor:
        return torch.tensor(image_rows(tokens), dtype=torch.long)

    def log_probs(self, tokens: Sequence[str]) -> torch.Tensor:
        """Log-probabilities of every symbol at every position, shape (T, V)."""
        return self._rows_log_probs(image_rows(tokens))

    def table(self) -> torch.Tensor:
        """Log-probabilities for every training image, shape (W, V)."""
        if self._vocab_rows is None or len(self._vocab_rows) != len(self.vocab):
            self._vocab_rows = image_rows(self.vocab)
        return self._rows_log_probs(self._vocab_rows)

    def best_symbols(self, batch: Sequence[Sequence[str]]) -> list[tuple[int, ...]]:
        """Each image's most probable symbol, per input."""
        flat = [t for tokens in batch for t in tokens]
        best = self._rows_log_probs(image_rows(flat)).argmax(-1).tolist()
        out, at = [], 0
        for tokens in batch:
            out.append(tuple(best[at: at + len(tokens)]))
            at += len(tokens)
        return out

    def pin(self, readings: Mapping[str, int]) -> None:
        """Read each image token of ``readings`` as its symbol (certain: log-probability
        0, every other symbol ``PINNED_OTHERS``) until the network next changes, is
        restored, or the copies averaged change."""
        self._require_images()
        rows = image_rows(list(readings))
        for row, symbol in zip(rows, readings.values()):
            if not 0 <= symbol < self.num_symbols:
                raise ConfigError(f"cannot pin image row {row} to symbol {symbol}: the "
                                  f"budget is {self.num_symbols}")
            self._cache[row] = PINNED_OTHERS
            self._cache[row, symbol] = 0.0
            self._known[row] = True

    def embeddings(self, tokens: Sequence[str]) -> torch.Tensor:
        """``(len(tokens), hidden)`` features of the images on CPU (not cached): how
        the network sees them, for clustering the images read as one symbol."""
        self._require_images()
        rows = torch.tensor(image_rows(tokens), dtype=torch.long)
        self.net.eval()
        out = []
        with torch.no_grad(), self._autocast():
            for lo in range(0, rows.numel(), self.config.eval_batch):
                out.append(self.net.embed(self._batch(rows[lo: lo + self.config.eval_batch]))
                           .float().cpu())
        return torch.cat(out) if out else torch.zeros(0, self.config.hidden)

    def predict(self, batch: Sequence[Sequence[str]]) -> list[torch.Tensor]:
        """One (T, V) log-probability tensor per input."""
        return [self.log_probs(tokens) for tokens in batch]

    def _fit(self, rows: torch.Tensor, targets: torch.Tensor, steps: int,
             decay: bool = False) -> float:
        """``steps`` Adam steps on random batches of (image row, symbol) pairs; with
        ``decay`` the learning rate falls from ``config.lr`` to 0 along a cosine (and is
        ``config.lr`` again afterwards)."""
        self.net.train()
        loss = torch.zeros(())
        n = rows.numel()
        for step in range(steps):
            if decay:
                for group in self.optimizer.param_groups:
                    group["lr"] = self.config.lr * 0.5 * (1 + math.cos(math.pi * step / steps))
            pick = torch.randint(n, (min(self.config.batch, n),), generator=self.generator)
            x = self._batch(rows[pick])
            if self.config.augment:
                x = jitter(x, self.generator)
            with self._autocast():
                logits = self.net(x)
            loss = F.cross_entropy(logits.float(), targets[pick].to(self.device))
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.lr
        self._forget()
        return float(loss.detach())

    def snapshot(self) -> dict[str, Any]:
        """A copy of the network's and the optimiser's state, for :meth:`restore`."""
        return copy.deepcopy({"net": self.net.state_dict(),
                              "optimizer": self.optimizer.state_dict()})

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.net.load_state_dict(snapshot["net"])
        self.optimizer.load_state_dict(snapshot["optimizer"])
        self._forget()

    def consolidate(self, rows: torch.Tensor, targets: torch.Tensor, steps: int) -> float:
        """Train on (image row, symbol) pairs for ``steps`` steps with a decaying learning
        rate, so training ends in a settled state rather than wherever constant-rate
        steps leave it; returns the last loss."""
        return self._fit(rows, targets, steps, decay=True)

    def learn(self, batch: Sequence[Sequence[str]], symbols: Sequence[Sequence[int]]
              ) -> float:
        """Train on abduced symbols (one per image occurrence); returns the last loss."""
        rows = torch.tensor([r for tokens in batch for r in image_rows(tokens)],
                            dtype=torch.long)
        targets = torch.tensor([s for seq in symbols for s in seq], dtype=torch.long)
        if rows.numel() == 0:
            return 0.0
        return self._fit(rows, targets, self.config.steps)

    def initialise(self) -> dict[str, float]:
        """The declared initialisation: nothing for ``random``; for ``kmeans``, cluster
        the training images' pixels (8 x 8 averages) and fit the network to the cluster
        ids. Returns what was done (the clusters' sizes are not matched to any class)."""
        if self.config.init == "random":
            return {}
        if self.config.init != "kmeans":
            raise ConfigError(f"unknown image perception init {self.config.init!r}; "
                              f"known: random, kmeans")
        rows = self.token_ids(self.vocab)
        x = self._batch(rows).cpu()  # (W, 1, S, S)
        feats = F.adaptive_avg_pool2d(x, 8).flatten(1)  # (W, 64)
        k = min(self.config.init_clusters, self.num_symbols)
        labels = kmeans(feats, k, generator=self.generator)
        loss = self._fit(rows, labels, self.config.init_steps)
        return {"clusters": float(k), "init_loss": loss}
