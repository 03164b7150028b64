"""Train the plate detector on real photos plus composites; export to ONNX and check it against torch.

    python -m training.detector.train --steps 6000 --out training/runs/detector
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from training.detector.data import Compositor, Scene, load_scenes, make_sample
from training.detector.model import PlateDetector
from training.from_onnx import detector_from_onnx, freeze_batchnorm

log = logging.getLogger("train-detector")


def focal(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on a Gaussian heat map."""
    p = logits.sigmoid().clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p**2 * (1 - target) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def loss_fn(out: torch.Tensor, target: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    heat = focal(out[:, 0], (target[:, 0] > 0.999).float() + target[:, 0] * (target[:, 0] <= 0.999).float())
    n = w[:, 1].sum().clamp(min=1)
    box = (F.l1_loss(out[:, 1:5], target[:, 1:5], reduction="none") * w[:, 1:2]).sum() / n
    nc = w[:, 2].sum().clamp(min=1)
    cor = (F.l1_loss(out[:, 5:13], target[:, 5:13], reduction="none") * w[:, 2:3]).sum() / nc
    return heat + box + cor


def detect(model: torch.nn.Module, img: np.ndarray, width: int = 640, thr: float = 0.3) -> list[tuple[float, ...]]:
    s = width / img.shape[1]
    h = int(np.ceil(img.shape[0] * s / 32) * 32)
    canvas = np.zeros((h, width, 3), np.uint8)
    import cv2

    r = cv2.resize(img, (width, int(img.shape[0] * s)))
    canvas[: r.shape[0]] = r
    x = torch.from_numpy(canvas[..., ::-1].transpose(2, 0, 1).copy()).float()[None] / 255
    with torch.no_grad():
        out = model(x.to(next(model.parameters()).device))[0].float().cpu()
    heat = out[0].sigmoid()
    peaks = (heat == F.max_pool2d(heat[None, None], 3, 1, 1)[0, 0]) & (heat > thr)
    dets = []
    for iy, ix in peaks.nonzero().tolist():
        w, hh = (out[1, iy, ix].exp() * 4).item(), (out[2, iy, ix].exp() * 4).item()
        cx, cy = (ix + out[3, iy, ix].item()) * 4, (iy + out[4, iy, ix].item()) * 4
        dets.append(((cx - w / 2) / s, (cy - hh / 2) / s, w / s, hh / s, heat[iy, ix].item()))
    return dets


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ax1, ay1, ax2, ay2 = a[0], a[1], a[0] + a[2], a[1] + a[3]
    bx1, by1, bx2, by2 = b[0], b[1], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0, min(ax2, bx2) - max(ax1, bx1)), max(0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    return inter / max(1e-6, a[2] * a[3] + b[2] * b[3] - inter)


def evaluate(model: torch.nn.Module, scenes: list[Scene]) -> tuple[float, float]:
    """(recall at IoU 0.5, false positives per image) on full validation images."""
    model.eval()
    hit = total = fp = 0
    for sc in scenes:
        dets = detect(model, sc.image)
        used = set()
        for b in sc.boxes:
            total += 1
            for k, d in enumerate(dets):
                if k not in used and iou(b, d) >= 0.5:
                    used.add(k)
                    hit += 1
                    break
        fp += len(dets) - len(used)
    model.train()
    return hit / max(1, total), fp / max(1, len(scenes))


def export_onnx(model: torch.nn.Module, path: Path) -> float:
    import onnxruntime as ort

    model.eval()
    torch.onnx.export(model, (torch.rand(1, 3, 384, 640),), str(path), input_names=["image"], output_names=["maps"],
                      dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                    "maps": {0: "batch", 2: "h4", 3: "w4"}}, opset_version=17, dynamo=False)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.rand(1, 3, 352, 640)
    with torch.no_grad():
        ref = model(x).numpy()
    return float(np.abs(sess.run(None, {"image": x.numpy()})[0] - ref).max())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--out", type=Path, default=Path("training/runs/detector"))
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--composite", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init", type=Path)
    ap.add_argument("--init-onnx", type=Path, help="Fine-tune the weights of a shipped detector.onnx (BatchNorm "
                                                   "kept frozen: the export folded it into the convolutions).")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(a.out / "train.log"), logging.StreamHandler()])
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    train, val = load_scenes(a.data)
    log.info("scenes: train %d (%d boxes), val %d (%d boxes)", len(train), sum(len(s.boxes) for s in train),
             len(val), sum(len(s.boxes) for s in val))
    comp = Compositor()
    model = PlateDetector()
    if a.init:
        model.load_state_dict(torch.load(a.init, map_location="cpu"))
    frozen_bn = a.init_onnx is not None
    if a.init_onnx:
        model = detector_from_onnx(a.init_onnx)
        model.train()
        rec, fpi = evaluate(model, val)
        log.info("initial weights from %s: recall@0.5 %.4f false positives/image %.3f", a.init_onnx, rec, fpi)
    log.info("parameters: %d", sum(p.numel() for p in model.parameters()))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.05)
    best, t0 = -1.0, time.time()
    for step in range(1, a.steps + 1):
        xs, ts, ws = [], [], []
        for _ in range(a.batch):
            sc = rng.choice(train)
            if rng.random() < a.composite:
                sc = comp.paste(sc, rng)
            x, t, w = make_sample(sc, rng)
            xs.append(x)
            ts.append(t)
            ws.append(w)
        if frozen_bn:
            freeze_batchnorm(model)
        out = model(torch.from_numpy(np.stack(xs)))
        loss = loss_fn(out, torch.from_numpy(np.stack(ts)), torch.from_numpy(np.stack(ws)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        sched.step()
        if step % 50 == 0:
            log.info("step %d loss %.4f lr %.5f %.1fs", step, loss.item(), sched.get_last_lr()[0], time.time() - t0)
        if step % 500 == 0 or step == a.steps:
            rec, fpi = evaluate(model, val)
            log.info("step %d validation: recall@0.5 %.4f false positives/image %.3f", step, rec, fpi)
            torch.save(model.state_dict(), a.out / "last.pt")
            score = rec - 0.05 * fpi
            if score > best:
                best = score
                torch.save(model.state_dict(), a.out / "best.pt")
                (a.out / "best.json").write_text(json.dumps({"step": step, "val_recall": rec, "val_fp_per_image": fpi,
                                                             "train_scenes": len(train), "val_scenes": len(val),
                                                             "seed": a.seed}, indent=2))
    model.load_state_dict(torch.load(a.out / "best.pt", map_location="cpu"))
    diff = export_onnx(model, a.out / "detector.onnx")
    log.info("exported %s; max |onnx - torch| = %.2e", a.out / "detector.onnx", diff)
    if diff > 1e-3:
        raise SystemExit(f"ONNX output differs from torch by {diff}")


if __name__ == "__main__":
    main()
