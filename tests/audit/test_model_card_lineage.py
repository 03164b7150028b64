"""The model card names the run that made the shipped weights, and that run's log, from the record alone."""

from __future__ import annotations

from platewarden.audit.model_card import _trained_by, training_log

FIRST = {"width": 2.0, "seed": 21, "step": 3277, "samples_seen": 419_456}
FINE_TUNE = {"width": 2.0, "seed": 41, "step": 1526, "samples_seen": 97_664, "frozen_batchnorm": True,
             "continued_from": {"seed": 21, "step": 3277, "samples_seen": 419_456}}
SECOND = {"width": 2.0, "seed": 42, "step": 800, "samples_seen": 50_000, "frozen_batchnorm": True,
          "continued_from": {k: FINE_TUNE[k] for k in ("seed", "step", "samples_seen", "continued_from")}}


def test_each_run_in_a_lineage_has_its_own_log() -> None:
    logs = [training_log("ocr", r) for r in (FIRST, FINE_TUNE, SECOND)]
    assert logs == ["training/logs/ocr-stream.log", "training/logs/ocr-finetune.log",
                    "training/logs/ocr-finetune2.log"]


def test_the_card_counts_all_earlier_training() -> None:
    first = _trained_by({"selected_checkpoint": FIRST}, "ocr")
    assert first.startswith("Trained by") and "earlier" not in first
    second = _trained_by({"selected_checkpoint": SECOND}, "ocr")
    assert second.startswith("Fine-tuned from the previously shipped weights")
    assert "50,000 samples" in second and "after 517,120 samples of earlier training" in second
    assert "ocr-finetune2.log" in second
