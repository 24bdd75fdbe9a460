"""A small convolutional classifier for 32 x 32 symbol images, in plain torch."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class SymbolCNN(nn.Module):
    """Conv blocks (conv 3x3, batch norm, ReLU, max pool 2x2), then an MLP head.

    Input ``(B, 1, S, S)`` ink intensities in [0, 1]; output ``(B, V)`` logits.
    """

    def __init__(self, num_symbols: int, channels: tuple[int, ...] = (16, 32, 64),
                 hidden: int = 128, size: int = 32) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        c_in = 1
        for c in channels:
            blocks += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                       nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            c_in = c
        self.features = nn.Sequential(*blocks)
        side = size // 2 ** len(channels)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c_in * side * side, hidden),
                                  nn.ReLU(inplace=True), nn.Dropout(0.2),
                                  nn.Linear(hidden, num_symbols))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, V)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The head's hidden layer, ``(B, hidden)``: what the last layer reads."""
        return self.head[:3](self.features(x))


def jitter(x: torch.Tensor, generator: torch.Generator | None = None,
           shift: float = 0.1, scale: float = 0.1, degrees: float = 10.0) -> torch.Tensor:
    """A random small affine transform of each image of ``x`` (B, 1, S, S): shift by up
    to ``shift`` of the side, scale by 1 +- ``scale``, rotate by up to ``degrees``."""
    b = x.shape[0]
    u = torch.rand(b, 4, generator=generator).to(x.device) * 2 - 1  # (B, 4) in [-1, 1]
    angle = u[:, 0] * math.radians(degrees)
    s = 1 + u[:, 1] * scale
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
    theta = torch.stack([torch.stack([cos, -sin, u[:, 2] * shift * 2], dim=1),
                         torch.stack([sin, cos, u[:, 3] * shift * 2], dim=1)], dim=1)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def kmeans(features: torch.Tensor, k: int, *, iters: int = 30,
           generator: torch.Generator | None = None) -> torch.Tensor:
    """Cluster ids (N,) of ``features`` (N, D) by k-means with k-means++ seeding."""
    n = features.shape[0]
    first = int(torch.randint(n, (1,), generator=generator))
    centres = [features[first]]
    dist = ((features - centres[0]) ** 2).sum(1)  # (N,)
    for _ in range(1, k):
        pick = int(torch.multinomial(dist / dist.sum(), 1, generator=generator))
        centres.append(features[pick])
        dist = torch.minimum(dist, ((features - features[pick]) ** 2).sum(1))
    c = torch.stack(centres)  # (K, D)
    labels = torch.zeros(n, dtype=torch.long)
    for _ in range(iters):
        labels = torch.cdist(features, c).argmin(1)  # (N,)
        for j in range(k):
            members = features[labels == j]
            if len(members):
                c[j] = members.mean(0)
    return labels
