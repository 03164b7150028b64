"""Train OCR candidates of several widths on one stream of freshly rendered plates and real crops, for a fixed time.

    python -m training.ocr.stream_train --minutes 7 --workers 9 --device cuda --out /tmp/ocr_stream

Meant for a borrowed accelerator (see ``training.stream``); on the CPU, ``--init-onnx`` fine-tunes the shipped
model with the generator as it is now. Each batch mixes real transcribed crops (dash-cam,
andrewmvd, CCPD training part) with synthetic plates rendered by the workers; every candidate sees the same batches.
Validation (every ``--validate-every`` seconds and at the end) is on the real crops the models never train on; the
best state of each candidate is written as ``NAME.pt`` with ``NAME.json``.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

from platewarden.recognition.alphabet import encode
from training.from_onnx import freeze_batchnorm, ocr_from_onnx
from training.ocr.data import RealCrop, load_ccpd, load_openimages, load_real_crops
from training.ocr.model import PlateCRNN
from training.ocr.train import evaluate
from training.stream import Batch, Candidate, seed_worker, train_candidates
from training.synth.ocr_samples import style_weights_with, two_row_samples

log = logging.getLogger("stream-ocr")


class OcrStream(IterableDataset[tuple[np.ndarray, str]]):
    """An endless stream of (48 x 160 uint8 image, text); ``real_frac`` of it real crops, the rest rendered."""

    def __init__(self, real: list[RealCrop], real_frac: float, seed: int,
                 style_weights: dict[str, float] | None = None) -> None:
        self.real, self.real_frac, self.seed, self.style_weights = real, real_frac, seed, style_weights

    def __iter__(self) -> Iterator[tuple[np.ndarray, str]]:
        from training.synth.fonts import cjk_fonts, latin_fonts
        from training.synth.ocr_samples import synthetic_sample

        rng = seed_worker(self.seed)
        latin, cjk = latin_fonts(), cjk_fonts()
        while True:
            if self.real and rng.random() < self.real_frac:
                crop = rng.choice(self.real)
                yield crop.sample(rng), crop.text
            else:
                img, text = synthetic_sample(rng, latin, cjk, self.style_weights)
                if rng.random() < 0.15:  # light characters on a dark plate
                    img = 255 - img
                yield img, text


# Rendered two-row validation plates are drawn from this seed, never one a training stream uses (those are
# seed x 1009 + worker).
TWO_ROW_VAL_SEED = 424242


@dataclass(frozen=True)
class FixedSample:
    """A ready network input and its text, validated like a real crop (``training.ocr.train.evaluate``)."""

    image: np.ndarray
    text: str

    def sample(self, rng: random.Random | None) -> np.ndarray:
        return self.image


def style_overrides(args: list[str]) -> dict[str, float]:
    """``--style-weight STYLE=WEIGHT`` arguments as a mapping; a malformed or repeated one is refused."""
    out: dict[str, float] = {}
    for arg in args:
        style, sep, weight = arg.partition("=")
        try:
            value = float(weight)
        except ValueError:
            value = float("nan")
        if not sep or value != value:
            raise ValueError(f"a style weight is STYLE=WEIGHT (us-2row=9, say), not {arg!r}")
        if style in out:
            raise ValueError(f"style {style} is weighted twice")
        out[style] = value
    return out


def validation_figures(model: nn.Module, real_val: list[RealCrop], ccpd_val: list[RealCrop],
                       two_row_val: list[FixedSample],
                       oi_val: list[RealCrop] | None = None) -> tuple[float, dict[str, Any], str]:
    """The validation score (the mean of the real, CCPD, Open Images (when given) and rendered two-row (when there
    are any) rates), the figures to record and a line for the log."""
    figs: dict[str, Any] = {"real_val": evaluate(model, real_val), "ccpd_val": evaluate(model, ccpd_val)}
    if oi_val:
        figs["oi_val"] = evaluate(model, oi_val)
    if two_row_val:
        figs["two_row_val"] = evaluate(model, two_row_val)
    rates = list(figs.values())
    line = " ".join(f"{k.removesuffix('_val').replace('_', '-')} {v:.4f}" for k, v in figs.items())
    if two_row_val:
        figs["two_row_val_n"] = len(two_row_val)
    if oi_val:
        figs["oi_val_n"] = len(oi_val)
    return float(np.nanmean(rates)), figs, line


def collate(batch: list[tuple[np.ndarray, str]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    images = torch.from_numpy(np.stack([b[0] for b in batch])[:, None])
    codes = [encode(b[1]) for b in batch]
    lengths = torch.tensor([len(c) for c in codes], dtype=torch.long)
    targets = torch.zeros((len(codes), max(1, int(lengths.max()))), dtype=torch.long)
    for i, c in enumerate(codes):
        targets[i, : len(c)] = torch.tensor(c, dtype=torch.long)
    return images, targets, lengths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    ap.add_argument("--openimages", type=Path, default=Path("training/labels/openimages.tsv"),
                    help="transcribed Open Images plates (train split trained on, val split validated on)")
    ap.add_argument("--out", type=Path, default=Path("training/runs/ocr-stream"))
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--widths", default="1.0,1.5,2.0")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--real-frac", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--validate-every", type=float, default=45.0, help="seconds")
    ap.add_argument("--init", type=Path, help="continue from this checkpoint (NAME.pt with NAME.json beside it); "
                                             "the widths are then the checkpoint's")
    ap.add_argument("--init-onnx", type=Path, help="fine-tune this shipped ocr.onnx (BatchNorm frozen; its width from "
                                                  "models.json beside it); it stays the candidate to beat")
    ap.add_argument("--ema", type=float, default=0.0, help="validate and keep an exponential moving average of the "
                                                            "weights with this decay (0: the weights themselves)")
    ap.add_argument("--style-weight", action="append", default=[], metavar="STYLE=WEIGHT",
                    help="draw this plate style with another weight than training.synth.ocr_samples.STYLE_WEIGHTS "
                         "(repeatable)")
    ap.add_argument("--two-row-val", type=int, default=0, metavar="N",
                    help="also validate on N rendered two-row plates (fixed seed) and count them in the score")
    ap.add_argument("--seed", type=int, default=21)
    a = ap.parse_args()
    if a.ema and not 0.0 < a.ema < 1.0:
        ap.error(f"--ema must lie strictly between 0 and 1 (0 turns averaging off), not {a.ema}")
    if a.two_row_val < 0:
        ap.error(f"--two-row-val must be 0 or more, not {a.two_row_val}")
    try:
        overrides = style_overrides(a.style_weight)
        style_weights = style_weights_with(overrides) if overrides else None
    except ValueError as e:
        ap.error(str(e))
    a.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(a.out / "ocr-stream.log"), logging.StreamHandler()])
    torch.manual_seed(a.seed)
    real_train, real_val = load_real_crops(a.labels, a.data)
    ccpd_train, ccpd_val = load_ccpd(a.data)
    oi_train, oi_val = load_openimages(a.openimages, a.data)
    log.info("device %s; real train %d val %d; ccpd train %d val %d; open images train %d val %d; workers %d; "
             "batch %d; %.1f min", a.device, len(real_train), len(real_val), len(ccpd_train), len(ccpd_val),
             len(oi_train), len(oi_val), a.workers, a.batch, a.minutes)
    if style_weights is not None:
        log.info("style weights: %s", overrides)
    two_row_val: list[FixedSample] = []
    # Workers start (fork) before CUDA and the thread pools are up: forking after them is not safe.
    stream = OcrStream(real_train + ccpd_train + oi_train, a.real_frac, a.seed, style_weights)
    loader = DataLoader(stream, batch_size=a.batch,
                        num_workers=a.workers, collate_fn=collate, prefetch_factor=4 if a.workers else None,
                        persistent_workers=a.workers > 0)
    batches = iter(loader)
    if a.two_row_val:  # rendered only now: OpenCV's thread pool must not be up when the workers fork
        from training.synth.fonts import cjk_fonts, latin_fonts

        two_row_val += [FixedSample(img, text) for img, text in
                        two_row_samples(a.two_row_val, TWO_ROW_VAL_SEED, latin_fonts(), cjk_fonts())]
    candidates = []
    init = json.loads(a.init.with_suffix(".json").read_text()) if a.init else None
    if a.init_onnx:
        shipped = json.loads((a.init_onnx.parent / "models.json").read_text())["ocr"]
        init = {**shipped["selected_checkpoint"], "init_onnx_sha256": shipped["sha256"]}
    widths = [float(init.get("width", 1.0))] if init else [float(v) for v in a.widths.split(",")]
    # a network recovered from ONNX, or continued from such a fine-tune, keeps its BatchNorm statistics fixed
    frozen = a.init_onnx is not None or bool(init and init.get("frozen_batchnorm"))
    for w in widths:
        model = ocr_from_onnx(a.init_onnx, w) if a.init_onnx else PlateCRNN(width=w)
        if a.init:
            model.load_state_dict(torch.load(a.init, map_location="cpu"))
        model = model.to(a.device)
        opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
        n = sum(p.numel() for p in model.parameters())
        name = f"ocr_w{w:g}".replace(".", "_")
        config = {"width": w, "parameters": n, "seed": a.seed}
        if init is not None:
            config["continued_from"] = {k: init[k] for k in ("seed", "step", "samples_seen", "init_onnx_sha256",
                                                             "continued_from") if k in init}
            config["frozen_batchnorm"] = frozen
        candidates.append(Candidate(name, model, opt, a.lr, config))
        if a.ema:
            candidates[-1].average_weights(a.ema)
        log.info("candidate %s: %d parameters", name, n)
        if init is not None:  # the starting point is a candidate too: a continuation must beat it to be kept
            score, record, line = validation_figures(model, real_val, ccpd_val, two_row_val, oi_val)
            candidates[-1].consider(score, {"step": 0, "samples_seen": 0, **record}, a.out)
            log.info("%s at the start: %s", name, line)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)

    def prepare(batch: Batch) -> Batch:
        images, targets, lengths = batch
        return (images.to(a.device, non_blocking=True).float() / 255, targets.to(a.device), lengths.to(a.device))

    def loss(c: Candidate, batch: Batch) -> torch.Tensor:
        x, targets, lengths = batch
        c.model.train()
        if frozen:  # the un-folded BatchNorms of a shipped network keep their (identity) statistics
            freeze_batchnorm(c.model)
        logp = c.model(x)
        steps = torch.full((len(lengths),), logp.shape[1], dtype=torch.long, device=a.device)
        return ctc(logp.permute(1, 0, 2), targets, steps, lengths)  # type: ignore[no-any-return]

    def validate(c: Candidate) -> tuple[float, dict[str, Any], str]:
        score, figs, line = validation_figures(c.evaluated, real_val, ccpd_val, two_row_val, oi_val)
        record = {**figs, "real_val_n": len(real_val), "ccpd_val_n": len(ccpd_val), "real_train_n": len(real_train),
                  "ccpd_train_n": len(ccpd_train), "oi_train_n": len(oi_train), "real_frac": a.real_frac,
                  "batch": a.batch}
        if style_weights is not None:
            record["style_weights"] = overrides
        return score, record, line

    train_candidates(candidates, batches, minutes=a.minutes, validate_every=a.validate_every, out=a.out,
                     prepare=prepare, loss=loss, validate=validate, clip=5.0, log=log)

if __name__ == "__main__":
    main()
