"""HINT from images: pools, pairing, the image classifier and a tiny end-to-end run."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from benchmarks.hint_images import (
    CLASSES,
    SPLIT_NAMES,
    ImageStore,
    assign_pools,
    images_root,
    list_images,
    pair,
)
from nsr.types import Example

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _paths(per_class: int) -> list[str]:
    return [f"{c}/img_{i:03d}.jpg" for c in CLASSES for i in range(per_class)]


def test_pools_split_each_class_75_5_20_and_are_seeded() -> None:
    paths = _paths(40)
    pools = assign_pools(paths)
    assert pools == assign_pools(list(reversed(paths)))  # sorted names, not input order
    for cls in CLASSES:
        counts = np.bincount([pools[p][0] for p in paths if p.startswith(cls + "/")],
                             minlength=3)
        assert counts.tolist() == [30, 2, 8]
    assert assign_pools(paths, seed=1) != pools


def _store(per_class: int) -> ImageStore:
    paths = _paths(per_class)
    pools = assign_pools(paths)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(paths))
    rows = [paths[i] for i in order]
    return ImageStore(
        pixels=np.zeros((len(rows), 45, 45), dtype=np.uint8),
        classes=np.array([CLASSES.index(p.split("/")[0]) for p in rows]),
        pools=np.array([pools[p][0] for p in rows]),
        ranks=np.array([pools[p][1] for p in rows]),
        paths=tuple(rows))


def test_pairing_takes_images_of_the_right_class_from_the_split_pool() -> None:
    store = _store(40)
    expr = [Example(tuple("(3+4)*5"), 35, {"id": "a"}), Example(tuple("9/2"), 5, {"id": "b"})]
    paired = pair(store, {split: expr * 20 for split in SPLIT_NAMES})
    symbol_class = {"(": "lparen", ")": "rparen", "+": "plus", "*": "times", "/": "div"}
    for split_no, split in enumerate(SPLIT_NAMES):
        for e in paired[split]:
            rows = [int(t[4:]) for t in e.inputs]
            assert [CLASSES[store.classes[r]] for r in rows] == [
                symbol_class.get(s, s) for s in e.meta["symbols"]]
            assert all(store.pools[r] == split_no for r in rows)
            assert e.meta["id"] in ("a", "b")
    assert pair(store, {"test": expr}) == pair(store, {"test": expr})
    # the cycling iterator visits every image of a pool before repeating one
    fives = [t for e in paired["train"] for t, s in zip(e.inputs, e.meta["symbols"])
             if s == "5"]
    assert len(fives) == 20 and len(set(fives)) == 20


@pytest.mark.skipif(not (DATA / "hint" / "images" / "SHA256SUMS").is_file(),
                    reason="needs ../shared/data/hint/images")
def test_official_images_give_the_documented_pool_sizes() -> None:
    paths = list_images(images_root(DATA))
    assert len(paths) == 42_689
    pools = assign_pools(paths)
    sizes = {c: np.bincount([pools[p][0] for p in paths if p.split("/")[0] == c],
                            minlength=3).tolist() for c in ("0", "div", "rparen")}
    assert sizes == {"0": [1357, 90, 363], "div": [117, 7, 33], "rparen": [2983, 198, 797]}


def _glyphs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic 45x45 images of three shapes (white background, dark ink) with jitter."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    img = np.full((n, 45, 45), 255, dtype=np.uint8)
    for i, c in enumerate(labels):
        dx, dy = rng.integers(-4, 5, 2)
        if c == 0:
            img[i, 20 + dy: 25 + dy, 8 + dx: 37 + dx] = 0  # horizontal bar
        elif c == 1:
            img[i, 8 + dy: 37 + dy, 20 + dx: 25 + dx] = 0  # vertical bar
        else:
            img[i, 15 + dy: 30 + dy, 15 + dx: 30 + dx] = 0  # square
    return img, labels


def test_image_perception_learns_from_given_symbols_and_forgets_its_cache() -> None:
    from perception import ImagePerception, ImagePerceptionConfig

    torch.set_num_threads(1)
    pixels, labels = _glyphs(300, 0)
    tokens = [f"img:{i}" for i in range(300)]
    p = ImagePerception(tokens[:200], ImagePerceptionConfig(num_symbols=5, steps=80), seed=0)
    p.attach(pixels)
    before = p.table().clone()
    symbols = [int(c) + 2 for c in labels[:200]]  # classes 0 1 2 -> symbols 2 3 4
    p.learn([tokens[:200]], [symbols])
    assert not torch.equal(before, p.table())
    predicted = p.best_symbols([tokens[200:]])[0]
    assert np.mean(np.array(predicted) == labels[200:] + 2) > 0.95
    assert p.log_probs(tokens[:3]).shape == (3, 5)


def test_image_input_without_data_is_refused_with_a_clear_error(tmp_path, monkeypatch) -> None:
    from nsr.cli import app

    monkeypatch.delenv("NSR_DATA", raising=False)
    result = CliRunner().invoke(app, ["train", "hint", "--input", "image", "--out",
                                      str(tmp_path / "run")])
    assert result.exit_code != 0
    assert "--input image needs --data-dir" in result.output


def _single_image_run(run: Path, n: int, train: int) -> tuple[np.ndarray, np.ndarray, list]:
    """A 4-round image run on the first ``train`` of ``n`` single glyph images, each
    labelled with its shape's number; returns the images, classes and examples."""
    from nsr.image_input import image_preset
    from nsr.run import train_run

    pixels, labels = _glyphs(n, 1)
    examples = [Example((f"img:{i}",), int(labels[i]), {"symbols": (str(labels[i]),)})
                for i in range(n)]
    config = image_preset("hint", split=None, seed=0, size="image-cpu")
    config = replace(config, loop=replace(config.loop, max_rounds=4, curriculum=(1,)),
                     image=replace(config.image, steps=80))
    train_run(config, run, examples[:train], images=pixels)
    return pixels, labels, examples


def test_a_tiny_image_run_learns_symbols_from_values_and_reloads(tmp_path) -> None:
    """Single images whose value is their shape's number: abduction gives each value a
    new symbol, the CNN learns them, and a reloaded run reads unseen images right."""
    from nsr import checkpoint
    from nsr.run import evaluate

    pixels, _, examples = _single_image_run(tmp_path / "run", 260, train=200)
    machine, loaded, _ = checkpoint.load(tmp_path / "run")
    assert loaded.image is not None and loaded.image.init == "random"
    assert (machine.symbol_fallback, machine.prediction_widening) == (16, 0)
    assert loaded.loop.abduce_seconds == 60.0 and loaded.invent_threshold == 0.9
    machine.perception.attach(pixels)
    result = evaluate(machine, examples[200:])
    assert result["accuracy"] > 0.9
    assert result["symbol_accuracy"] > 0.9


def test_a_round_abduces_only_within_its_time_limit(tmp_path) -> None:
    from nsr.image_input import image_preset
    from nsr.run import train_run

    pixels, labels = _glyphs(60, 1)
    examples = [Example((f"img:{i}",), int(labels[i])) for i in range(60)]
    config = image_preset("hint", split=None, seed=0, size="image-cpu")
    config = replace(config, loop=replace(config.loop, max_rounds=2, curriculum=(1,),
                                          abduce_seconds=0.0))
    events: list[dict] = []
    train_run(config, tmp_path / "run", examples, images=pixels, on_event=events.append)
    rounds = [e for e in events if e["event"] == "round"]
    assert len(rounds) == 2
    assert all(e["accuracy"] < 1 and e["abduced"] == 0 for e in rounds)


def test_inspection_lists_an_image_runs_symbols_by_true_class(tmp_path) -> None:
    """``nsr inspect`` on an image run: each symbol's images summarised by their true
    classes (shown, never learned from); a run recorded on cuda loads on the CPU."""
    import json

    from nsr import checkpoint
    from nsr.image_input import image_classes
    from nsr.run import symbol_rows

    pixels, labels, examples = _single_image_run(tmp_path / "run", 200, train=200)
    stored = json.loads((tmp_path / "run" / "config.json").read_text())
    stored["image"]["device"] = "cuda"
    (tmp_path / "run" / "config.json").write_text(json.dumps(stored))
    machine, loaded, _ = checkpoint.load(tmp_path / "run", device="cpu")
    assert loaded.image is not None and loaded.image.device == "cpu"
    machine.perception.attach(pixels)
    rows = symbol_rows(machine, image_classes(examples))
    by_value = {r["program"]: r["tokens"] for r in rows if r.get("program")}
    counts = {c: int(n) for c, n in zip(*np.unique(labels, return_counts=True))}
    for value, program in ((1, "(inc zero)"), (2, "(inc (inc zero))")):
        first, n = by_value[program][0].split(" x")
        assert first == str(value) and int(n) > 0.9 * counts[value]
    assert sum(int(t.split(" x")[1]) for r in rows for t in r["tokens"]) == 200


def _tiny_image_folder(root: Path, per_class: int) -> Path:
    from PIL import Image

    images = root / "hint" / "images"
    lines = []
    for k, cls in enumerate(CLASSES):
        (images / cls).mkdir(parents=True)
        for i in range(per_class):
            name = f"{cls}/img_{i}.jpg"
            Image.fromarray(np.full((45, 45), 16 * k, dtype=np.uint8)).save(images / name)
            lines.append(f"{'0' * 64}  {name}")
    (images / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    return root


def test_runs_started_side_by_side_each_write_the_image_cache_safely(tmp_path,
                                                                     monkeypatch) -> None:
    """Two processes decoding at once both write the cache, each through its own
    temporary file: neither fails, and the cache they leave holds every image."""
    import multiprocessing

    from benchmarks import hint_images

    data = _tiny_image_folder(tmp_path / "data", per_class=2)
    monkeypatch.setenv("NSR_CACHE", str(tmp_path / "cache"))
    both = multiprocessing.get_context("fork").Barrier(2, timeout=60)
    save = np.savez_compressed

    def save_in_step(*args, **kwargs):  # both decode, then both write, then both rename
        both.wait()
        save(*args, **kwargs)
        both.wait()

    monkeypatch.setattr(np, "savez_compressed", save_in_step)
    hint_images.load_store.cache_clear()
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=hint_images.load_store, args=(str(data),))
               for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    monkeypatch.setattr(np, "savez_compressed", save)
    left = [p.name for p in (tmp_path / "cache").iterdir()]
    assert len(left) == 1 and ".tmp" not in left[0]  # the cache, no temporary file
    store = hint_images.load_store(str(data))
    hint_images.load_store.cache_clear()
    assert store.pixels.shape == (2 * len(CLASSES), 45, 45)
    assert sorted(set(store.pixels[:, 0, 0].tolist())) == list(range(0, 256, 16))


def _tiny_hint_folder(root: Path) -> Path:
    """Official-format HINT data of one-digit expressions over a tiny image folder (each
    class one plain grey level, so a run reads them easily)."""
    import gzip
    import json

    _tiny_image_folder(root, per_class=20)  # the 5 % val pool needs 20
    symbol = root / "hint" / "symbol"
    symbol.mkdir(parents=True)
    for part, n in (("train", 60), ("val", 10), ("test", 20)):
        rows = [{"id": f"{part}_{i}", "expr": str(i % 10), "head": [-1], "res": i % 10,
                 "res_all": [i % 10], "eval": "I"} for i in range(n)]
        with gzip.open(symbol / f"expr_{part}.json.gz", "wt") as f:
            json.dump(rows, f)
    return root


def test_the_image_benchmark_records_a_seed_and_resumes_its_run(tmp_path,
                                                                  monkeypatch) -> None:
    """``nsr bench hint --input image``'s worker: a row with the device, how the run
    ended, its times and test figures, also written beside the run as it finishes; run
    again, it resumes the kept run folder."""
    from nsr import image_input
    import json

    from nsr.image_bench import ImageJob, image_report, run_image_seed

    preset = image_input.image_preset

    def small(*args, **kwargs):
        config = preset(*args, **kwargs)
        return replace(config, loop=replace(config.loop, max_rounds=3, curriculum=(1,)),
                       image=replace(config.image, steps=40, consolidate_steps=20,
                                     consolidate_sample=30))

    monkeypatch.setattr(image_input, "image_preset", small)
    monkeypatch.setenv("NSR_CACHE", str(tmp_path / "cache"))
    data = _tiny_hint_folder(tmp_path / "data")
    job = ImageJob(seed=0, size="image-cpu", device="cpu", data_dir=str(data),
                   runs_dir=str(tmp_path / "runs"), threads=1, max_seconds=None,
                   averaged_copies=2)
    row = run_image_seed(job)
    assert row["run"] == str(tmp_path / "runs" / "seed0") and not row["resumed"]
    assert row["ended"] in ("target", "max-rounds") and 1 <= row["rounds"] <= 3
    assert row["test_examples"] == 20 and row["subsets"].keys() == {"I"}
    assert row["subset_average"] == row["subsets"]["I"] == row["accuracy"]
    assert 0 <= row["symbol_accuracy"] <= 1 and row["averaged_copies"] == 2
    from nsr import checkpoint

    machine, _, _ = checkpoint.load(tmp_path / "runs" / "seed0")
    assert {s["symbol"]: s["program"] for s in row["symbols"] if s["program"]} == {
        s: str(m.program) for s, m in machine.semantics.meanings.items() if not m.valueless}
    read = [c for s in row["symbols"] for c in s["tokens"]]
    assert read and all(re.fullmatch(r"\S+ x\d+", c) for c in read)
    assert row["consolidated"]["examples"] == 30 and row["consolidation_seconds"] > 0
    assert row["wall_seconds"] >= row["training_seconds"] > 0
    assert row["total_seconds"] >= row["wall_seconds"] + row["eval_seconds"] - 0.02  # rounding
    log = (tmp_path / "runs" / "seed0.log").read_text()
    assert "priors" in log and log.splitlines()[-1].startswith("tested: subset average")
    assert json.loads((tmp_path / "runs" / "seed0.json").read_text()) == row
    again = run_image_seed(job)
    assert again["resumed"] and again["rounds"] == row["rounds"]
    assert again["subset_average"] == row["subset_average"]
    report = json.loads(json.dumps(image_report([job, job], [row, again], workers=2)))
    assert report["summary"]["runs"] == 2 and report["input"] == "image-cpu"
    assert report["summary"]["min_subset_average"] == row["subset_average"]
    assert report["priors"]["trees"] == "projective" and report["jobs"][0]["seed"] == 0


def test_the_image_benchmark_refuses_a_folder_without_images(tmp_path) -> None:
    from nsr.cli import app

    result = CliRunner().invoke(app, ["bench", "hint", "--input", "image", "--data-dir",
                                      str(tmp_path), "--out", str(tmp_path / "b.json")])
    assert result.exit_code != 0
    assert "no HINT images" in result.output
