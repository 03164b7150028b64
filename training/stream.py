"""What the streamed trainers share: a time-boxed learning-rate schedule, worker seeding and a per-model record.

The streamed trainers (``training.ocr.stream_train``, ``training.detector.stream_train``) exist for short runs on a
borrowed accelerator: samples are rendered on the fly by DataLoader workers (every sample fresh, none reused), the
run ends after a wall-clock budget rather than a step count, and several candidate models learn from the *same*
batches, so one run compares them on equal data. The best checkpoint of each candidate, chosen on our own
validation split only, is written with a JSON record; export to ONNX happens afterwards with ``training.export``.
"""
from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


def seed_worker(base_seed: int) -> random.Random:
    """A generator for this DataLoader worker (seed and worker id fix the stream) and one thread per worker."""
    import cv2

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    info = torch.utils.data.get_worker_info()
    wid = info.id if info is not None else 0
    return random.Random(base_seed * 1009 + wid)


class TimeBox:
    """Cosine learning-rate decay over a wall-clock budget, after a short linear warm-up.

    A step budget cannot be known in advance when throughput depends on the machine we are lent; decaying by elapsed
    time gives every run a full schedule that ends exactly when the budget does.
    """

    def __init__(self, seconds: float, warmup: float = 0.03) -> None:
        self.seconds, self.warmup, self.t0 = seconds, warmup, time.monotonic()

    @property
    def fraction(self) -> float:
        return min(1.0, (time.monotonic() - self.t0) / self.seconds)

    def factor(self) -> float:
        f = self.fraction
        if f < self.warmup:
            return max(0.02, f / self.warmup)
        return 0.5 * (1 + math.cos(math.pi * (f - self.warmup) / (1 - self.warmup)))

    @property
    def done(self) -> bool:
        return self.fraction >= 1.0


@dataclass
class Candidate:
    """One model under training, its optimiser, and its best validation so far."""

    name: str
    model: torch.nn.Module
    optimiser: torch.optim.Optimizer
    peak_lr: float
    config: dict[str, Any]
    best_score: float = -1.0
    best: dict[str, Any] = field(default_factory=dict)
    averaged: torch.optim.swa_utils.AveragedModel | None = None

    def average_weights(self, decay: float) -> None:
        """Validate and keep an exponential moving average of the weights rather than the last step's weights.

        A fine-tune's validation on ~80 real crops swings by several points from one checkpoint to the next; the
        average of the recent steps is steadier, so the checkpoint chosen on it is less a matter of luck."""
        if not 0.0 < decay < 1.0:
            raise ValueError(f"a weight-average decay must lie strictly between 0 and 1, not {decay}")
        ema = torch.optim.swa_utils.get_ema_multi_avg_fn(decay)  # type: ignore[no-untyped-call]
        self.averaged = torch.optim.swa_utils.AveragedModel(self.model, multi_avg_fn=ema, use_buffers=True)
        self.config = {**self.config, "weight_average": {"kind": "exponential moving average", "decay": decay}}

    @property
    def evaluated(self) -> torch.nn.Module:
        """The network that is validated and saved: the weight average when there is one."""
        return self.averaged.module if self.averaged is not None else self.model

    def set_lr(self, factor: float) -> None:
        for group in self.optimiser.param_groups:
            group["lr"] = self.peak_lr * factor

    def consider(self, score: float, record: dict[str, Any], out: Path) -> bool:
        """Keep this state if it is the best so far on validation; returns whether it was."""
        if score <= self.best_score:
            return False
        self.best_score, self.best = score, {**self.config, **record}
        tmp = out / f".{self.name}.pt"
        torch.save({k: v.detach().cpu() for k, v in self.evaluated.state_dict().items()}, tmp)
        os.replace(tmp, out / f"{self.name}.pt")
        (out / f"{self.name}.json").write_text(json.dumps(self.best, indent=2))
        return True


Batch = Sequence[torch.Tensor]


def train_candidates(candidates: list[Candidate], batches: Iterator[Batch], *, minutes: float, validate_every: float,
                     out: Path, prepare: Callable[[Batch], Batch], loss: Callable[[Candidate, Batch], torch.Tensor],
                     validate: Callable[[Candidate], tuple[float, dict[str, Any], str]], clip: float,
                     log: logging.Logger) -> None:
    """The loop both streamed trainers share: every candidate takes a step on each batch; every ``validate_every``
    seconds, and when the time box closes, each is validated and kept if it is its best so far.

    ``prepare`` moves a batch to the device once; ``loss`` is one candidate's loss on it; ``validate`` returns
    (score, figures to record, a line for the log).
    """
    box = TimeBox(minutes * 60)
    step, seen, last_validation = 0, 0, time.monotonic()
    for raw in batches:
        step += 1
        seen += len(raw[0])
        batch = prepare(raw)
        factor = box.factor()
        losses = []
        for c in candidates:
            c.set_lr(factor)
            value = loss(c, batch)
            c.optimiser.zero_grad()
            value.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(c.model.parameters(), clip)
            c.optimiser.step()
            if c.averaged is not None:
                c.averaged.update_parameters(c.model)
            losses.append(value.item() if step % 50 == 0 else 0.0)
        if step % 50 == 0:
            log.info("step %d seen %d lr x%.3f losses %s", step, seen, factor,
                     " ".join(f"{c.name}={v:.3f}" for c, v in zip(candidates, losses, strict=True)))
        if box.done or time.monotonic() - last_validation > validate_every:
            last_validation = time.monotonic()
            for c in candidates:
                score, record, line = validate(c)
                kept = c.consider(score, {"step": step, "samples_seen": seen, **record}, out)
                log.info("step %d %s validation: %s%s", step, c.name, line, " (best)" if kept else "")
        if box.done:
            break
    log.info("done: %d steps, %d samples; best %s", step, seen, {c.name: round(c.best_score, 4) for c in candidates})
