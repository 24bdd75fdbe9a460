"""The supervised ceiling of the symbol-image classifier: the perception CNN trained on
the *true* classes of the training pool, tested on the test pool.

Not part of learning (nsr never sees a class): it measures how well one image alone
can be classified with a given network, so that a run's symbol accuracy can be read
against it. Writes JSON: test-pool accuracy every ``--every`` steps, wall time, peak
memory and the most frequent confusions.

    python -m benchmarks.image_ceiling --data-dir ../shared/data --device cuda \
        --channels 32,64,128 --hidden 256 --steps 6000 --out results/ceiling.json
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

from benchmarks.hint_images import CLASSES, load_store


def ceiling(data_dir: str, *, channels: tuple[int, ...], hidden: int, size: int,
            steps: int, every: int, batch: int, device: str, seed: int = 0
            ) -> dict:
    """Train on the true classes of the train pool; test-pool accuracy every ``every``."""
    from perception import ImagePerception, ImagePerceptionConfig  # the layer above

    store = load_store(data_dir)
    train = np.flatnonzero(store.pools == 0)
    test = np.flatnonzero(store.pools == 2)
    config = ImagePerceptionConfig(num_symbols=len(CLASSES), channels=channels,
                                   hidden=hidden, size=size, steps=every, batch=batch,
                                   device=device)
    train_tokens = [f"img:{r}" for r in train]
    net = ImagePerception(train_tokens, config, seed)
    net.attach(store.pixels)
    labels = [store.classes[train].tolist()]
    test_tokens = [[f"img:{r}" for r in test]]
    curve, t0 = [], time.monotonic()
    pred = np.zeros(len(test), dtype=int)
    for done in range(every, steps + 1, every):
        net.learn([train_tokens], labels)  # ``every`` optimiser steps
        pred = np.array(net.best_symbols(test_tokens)[0])
        curve.append({"steps": done, "seconds": round(time.monotonic() - t0, 1),
                      "test_accuracy": float((pred == store.classes[test]).mean())})
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    np.add.at(confusion, (store.classes[test], pred), 1)
    pairs = [(CLASSES[a], CLASSES[b], int(confusion[a, b]))
             for a in range(len(CLASSES)) for b in range(len(CLASSES))
             if a != b and confusion[a, b]]
    pairs.sort(key=lambda p: -p[2])
    return {"channels": list(channels), "hidden": hidden, "size": size, "batch": batch,
            "device": device, "train_images": len(train), "test_images": len(test),
            "curve": curve, "final_test_accuracy": curve[-1]["test_accuracy"],
            "best_test_accuracy": max(c["test_accuracy"] for c in curve),
            "confusions": [{"true": a, "read": b, "n": n} for a, b, n in pairs[:10]],
            "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--channels", default="16,32,64")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.steps < args.every:
        parser.error("--steps must be at least --every")
    result = ceiling(args.data_dir, channels=tuple(int(c) for c in args.channels.split(",")),
                     hidden=args.hidden, size=args.size, steps=args.steps,
                     every=args.every, batch=args.batch, device=args.device)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("final_test_accuracy", "best_test_accuracy")}))


if __name__ == "__main__":
    main()
