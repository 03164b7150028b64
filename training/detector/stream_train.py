"""Train detector candidates on one stream of real photos and composites, for a fixed time.

    python -m training.detector.stream_train --minutes 7 --workers 5 --device cuda --out /tmp/det_stream \
        --init-onnx src/platewarden/recognition/models/detector.onnx

Meant for a borrowed accelerator (see ``training.stream``). Candidates: the shipped detector fine-tuned (BatchNorm
frozen, as ``train.py --init-onnx``) when ``--init-onnx`` is given, and fresh networks of the given widths; all see
the same batches. Validation is recall at IoU 0.5 minus 0.05 x false positives per image on our held-out photos
(the dash-cam video ``dayride_type1_002`` and every fifth andrewmvd photo), as in ``train.py``.
"""
from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset

from training.detector.data import Scene, load_scenes, make_sample
from training.detector.model import PlateDetector
from training.detector.train import evaluate, loss_fn
from training.from_onnx import detector_from_onnx, freeze_batchnorm
from training.stream import Batch, Candidate, seed_worker, train_candidates

log = logging.getLogger("stream-detector")


class DetectorStream(IterableDataset[tuple[np.ndarray, np.ndarray, np.ndarray]]):
    """Endless (image, target, weights) crops of training photos, ``composite`` of them with pasted plates."""

    def __init__(self, scenes: list[Scene], composite: float, size: int, seed: int) -> None:
        self.scenes, self.composite, self.size, self.seed = scenes, composite, size, seed

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        from training.detector.data import Compositor

        rng = seed_worker(self.seed)
        comp = Compositor()
        while True:
            scene = rng.choice(self.scenes)
            if rng.random() < self.composite:
                scene = comp.paste(scene, rng)
            yield make_sample(scene, rng, self.size)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--out", type=Path, default=Path("training/runs/detector-stream"))
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--widths", default="1.0,1.5", help="fresh candidates; empty for none")
    ap.add_argument("--init-onnx", type=Path, help="also fine-tune this shipped detector (BatchNorm frozen)")
    ap.add_argument("--finetune-lr", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=320)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--composite", type=float, default=0.6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--validate-every", type=float, default=60.0, help="seconds")
    ap.add_argument("--seed", type=int, default=31)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(a.out / "detector-stream.log"), logging.StreamHandler()])
    torch.manual_seed(a.seed)
    # OpenCV's own thread pool, once started by the resizes in load_scenes, does not survive the workers' fork
    # (a worker then hangs on its first resize): keep OpenCV single-threaded in this process.
    cv2.setNumThreads(0)
    train, val = load_scenes(a.data)
    log.info("device %s; scenes: train %d (%d boxes), val %d (%d boxes); workers %d; batch %d of %d px; %.1f min",
             a.device, len(train), sum(len(s.boxes) for s in train), len(val), sum(len(s.boxes) for s in val),
             a.workers, a.batch, a.size, a.minutes)
    # Start the workers first: forking after torch or OpenCV have started their thread pools (the evaluation of
    # the shipped model below) can leave a worker deadlocked, and after CUDA is up it is not safe either.
    loader = DataLoader(DetectorStream(train, a.composite, a.size, a.seed), batch_size=a.batch,
                        num_workers=a.workers, prefetch_factor=4 if a.workers else None,
                        persistent_workers=a.workers > 0)
    batches = iter(loader)
    common = {"train_scenes": len(train), "val_scenes": len(val), "seed": a.seed, "batch": a.batch, "size": a.size}
    candidates: list[Candidate] = []
    frozen: set[str] = set()
    if a.init_onnx:
        model = detector_from_onnx(a.init_onnx).to(a.device)
        rec, fpi = evaluate(model, val)
        log.info("shipped detector on validation: recall@0.5 %.4f false positives/image %.3f", rec, fpi)
        opt = torch.optim.AdamW(model.parameters(), lr=a.finetune_lr, weight_decay=1e-4)
        candidates.append(Candidate("det_ft", model, opt, a.finetune_lr,
                                    {**common, "width": 1.0, "init": str(a.init_onnx), "frozen_batchnorm": True,
                                     "initial_val_recall": rec, "initial_val_fp_per_image": fpi}))
        frozen.add("det_ft")
    for w in (float(v) for v in a.widths.split(",") if v.strip()):
        model = PlateDetector(width=w).to(a.device)
        opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
        candidates.append(Candidate(f"det_w{w:g}".replace(".", "_"), model, opt, a.lr, {**common, "width": w}))
    for c in candidates:
        log.info("candidate %s: %d parameters", c.name, sum(p.numel() for p in c.model.parameters()))

    def prepare(batch: Batch) -> Batch:
        return tuple(t.to(a.device, non_blocking=True) for t in batch)

    def loss(c: Candidate, batch: Batch) -> torch.Tensor:
        x, target, weights = batch
        c.model.train()
        if c.name in frozen:
            freeze_batchnorm(c.model)
        return loss_fn(c.model(x), target, weights)

    def validate(c: Candidate) -> tuple[float, dict[str, Any], str]:
        rec, fpi = evaluate(c.model, val)
        return (rec - 0.05 * fpi, {"val_recall": rec, "val_fp_per_image": fpi},
                f"recall@0.5 {rec:.4f} false positives/image {fpi:.3f}")

    train_candidates(candidates, batches, minutes=a.minutes, validate_every=a.validate_every, out=a.out,
                     prepare=prepare, loss=loss, validate=validate, clip=10.0, log=log)

if __name__ == "__main__":
    main()
