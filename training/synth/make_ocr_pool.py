"""Write synthetic OCR samples to shards (``shard_NNNN.npz``: images uint8 N x 48 x 160, labels) until told to stop.

Runs beside the trainer, which reloads the pool as it grows; rendering is the slow part on a 2-core machine.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from training.synth.fonts import cjk_fonts, latin_fonts
from training.synth.ocr_samples import synthetic_sample


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--shards", type=int, default=40)
    ap.add_argument("--per-shard", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    latin, cjk = latin_fonts(), cjk_fonts()
    for k in range(a.shards):
        path = a.out / f"shard_{k:04d}.npz"
        if path.exists():
            continue
        rng = random.Random(a.seed * 100003 + k)
        xs, ys = [], []
        for _ in range(a.per_shard):
            x, y = synthetic_sample(rng, latin, cjk)
            xs.append(x)
            ys.append(y)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, images=np.stack(xs), labels=np.array(ys))
        tmp.rename(path)
        print("wrote", path, flush=True)


if __name__ == "__main__":
    main()
