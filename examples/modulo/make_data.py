"""Write train.tsv and test.tsv of the modulo task beside this file (seeded, so the
files are reproduced exactly): ``9 mod 4 mod 3<TAB>1``, chains read left to right.

Training has every digit alone and chains of one or two ``mod``; testing has longer
chains, of three to five, never seen in training.
"""

import random
from pathlib import Path


def chain(rng: random.Random, operators: int) -> str:
    value = rng.randrange(10)
    words = [str(value)]
    for _ in range(operators):
        divisor = rng.randrange(1, 10)
        words += ["mod", str(divisor)]
        value %= divisor
    return " ".join(words) + "\t" + str(value)


def main() -> None:
    rng = random.Random(7)
    train = [f"{d}\t{d}" for d in range(10)]
    train += [chain(rng, 1) for _ in range(30)] + [chain(rng, 2) for _ in range(30)]
    test = [chain(rng, rng.randrange(3, 6)) for _ in range(100)]
    folder = Path(__file__).parent
    (folder / "train.tsv").write_text("\n".join(train) + "\n")
    (folder / "test.tsv").write_text("\n".join(test) + "\n")


if __name__ == "__main__":
    main()
