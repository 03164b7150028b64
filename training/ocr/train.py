"""Train the plate OCR (CRNN + CTC) on synthetic plates mixed with real transcribed crops; export to ONNX.

    python -m training.ocr.train --pool /tmp/ocrpool --steps 20000 --out training/runs/ocr

Fixed seeds; a log line every 100 steps; validation on real crops the model never trains on; the best checkpoint
by real validation accuracy is exported to ONNX and checked against the torch output.
"""
from __future__ import annotations

import argparse
import functools
import json
import logging
import operator
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import nn

from platewarden.recognition.alphabet import ALPHABET, encode
from training.ocr.data import load_ccpd, load_pool, load_real_crops
from training.ocr.model import PlateCRNN

log = logging.getLogger("train-ocr")


def greedy(logp: torch.Tensor) -> list[str]:
    out = []
    for seq in logp.argmax(-1).tolist():
        s, prev = [], 0
        for k in seq:
            if k != prev and k != 0:
                s.append(ALPHABET[k - 1])
            prev = k
        out.append("".join(s))
    return out


class Validatable(Protocol):
    """What validation reads: a network input (``sample(None)``, the fixed cut) and its text."""

    @property
    def text(self) -> str: ...

    def sample(self, rng: random.Random | None) -> np.ndarray: ...


def evaluate(model: nn.Module, crops: Sequence[Validatable]) -> float:
    if not crops:
        return float("nan")
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(crops), 128):
            chunk = crops[i: i + 128]
            x = torch.from_numpy(np.stack([c.sample(None) for c in chunk])[:, None].astype(np.float32) / 255)
            logp = model(x.to(next(model.parameters()).device)).float().cpu()
            correct += sum(p == c.text for p, c in zip(greedy(logp), chunk, strict=True))
    model.train()
    return correct / len(crops)


def export_onnx(model: nn.Module, path: Path) -> float:
    """Export and return the largest difference between ONNX Runtime's and torch's outputs on random inputs."""
    import onnxruntime as ort

    model.eval()
    dummy = torch.rand(2, 1, 48, 160)
    torch.onnx.export(model, (dummy,), str(path), input_names=["image"], output_names=["logprobs"],
                      dynamic_axes={"image": {0: "batch"}, "logprobs": {0: "batch"}}, opset_version=17,
                      dynamo=False)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.rand(4, 1, 48, 160)
    diff = float(np.abs(sess.run(None, {"image": x.numpy()})[0] - model(x).detach().numpy()).max())
    return diff


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    ap.add_argument("--out", type=Path, default=Path("training/runs/ocr"))
    ap.add_argument("--init", type=Path)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--real-frac", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(a.out / "train.log"), logging.StreamHandler()])
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)

    real_train, real_val = load_real_crops(a.labels, a.data)
    ccpd_train, ccpd_val = load_ccpd(a.data)
    log.info("real train %d val %d; ccpd train %d val %d", len(real_train), len(real_val), len(ccpd_train),
             len(ccpd_val))
    model = PlateCRNN()
    if a.init:
        model.load_state_dict(torch.load(a.init, map_location="cpu"))
    log.info("parameters: %d", sum(p.numel() for p in model.parameters()))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.05)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    pool_x, pool_y = load_pool(a.pool)
    real_pool = real_train + ccpd_train
    best, t0 = -1.0, time.time()
    for step in range(1, a.steps + 1):
        if step % 500 == 1:
            pool_x, pool_y = load_pool(a.pool)
        n_real = int(a.batch * a.real_frac) if real_pool else 0
        imgs, texts = [], []
        for _ in range(n_real):
            c = rng.choice(real_pool)
            imgs.append(c.sample(rng))
            texts.append(c.text)
        for i in rng.sample(range(len(pool_y)), a.batch - n_real):
            img = pool_x[i]
            if rng.random() < 0.5:  # cheap extra jitter: shift and rescale contrast
                img = np.roll(img, rng.randint(-3, 3), axis=1)
                if rng.random() < 0.3:
                    img = 255 - img  # light text on dark plates
            imgs.append(img)
            texts.append(pool_y[i])
        x = torch.from_numpy(np.stack(imgs)[:, None].astype(np.float32) / 255)
        targets = [encode(t) for t in texts]
        logp = model(x)
        loss = ctc(logp.permute(1, 0, 2), torch.tensor(functools.reduce(operator.iadd, targets, [])),
                   torch.full((len(texts),), logp.shape[1], dtype=torch.long),
                   torch.tensor([len(t) for t in targets]))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        if step % 100 == 0:
            log.info("step %d loss %.4f lr %.5f pool %d %.1fs", step, loss.item(), sched.get_last_lr()[0],
                     len(pool_y), time.time() - t0)
        if step % 1000 == 0 or step == a.steps:
            acc_real, acc_ccpd = evaluate(model, real_val), evaluate(model, ccpd_val)
            score = np.nanmean([acc_real, acc_ccpd])
            log.info("step %d validation: real %.4f ccpd %.4f", step, acc_real, acc_ccpd)
            torch.save(model.state_dict(), a.out / "last.pt")
            if score > best:
                best = score
                torch.save(model.state_dict(), a.out / "best.pt")
                (a.out / "best.json").write_text(json.dumps(
                    {"step": step, "real_val": acc_real, "ccpd_val": acc_ccpd, "real_val_n": len(real_val),
                     "ccpd_val_n": len(ccpd_val), "real_train_n": len(real_train), "ccpd_train_n": len(ccpd_train),
                     "synthetic_pool": len(pool_y), "seed": a.seed}, indent=2))
    model.load_state_dict(torch.load(a.out / "best.pt", map_location="cpu"))
    diff = export_onnx(model, a.out / "ocr.onnx")
    log.info("exported %s; max |onnx - torch| = %.2e", a.out / "ocr.onnx", diff)
    if diff > 1e-3:
        raise SystemExit(f"ONNX output differs from torch by {diff}")


if __name__ == "__main__":
    main()
