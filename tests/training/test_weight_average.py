"""Streamed training can keep an exponential moving average of the weights and validate and save that instead of the
last step's weights (needs the ``train`` extra)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from training.stream import Candidate, train_candidates  # noqa: E402


def test_the_training_loop_keeps_and_saves_the_average(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    c = Candidate("lin", model, torch.optim.SGD(model.parameters(), lr=0.1), 0.1, {"width": 1.0})
    assert c.evaluated is model  # no average: the weights themselves
    c.average_weights(0.9)
    assert c.config["weight_average"] == {"kind": "exponential moving average", "decay": 0.9}
    after_steps: list[Any] = []

    def loss(cand: Candidate, batch: Sequence[Any]) -> Any:
        return cand.model(batch[0]).pow(2).mean()

    def validate(cand: Candidate) -> tuple[float, dict[str, Any], str]:
        after_steps.append(model.weight.detach().clone())  # type: ignore[operator]  # after every step here
        return float(len(after_steps)), {}, ""

    batches = iter([(torch.ones(4, 3),) for _ in range(5)])
    train_candidates([c], batches, minutes=10, validate_every=0.0, out=tmp_path, prepare=lambda b: b, loss=loss,
                     validate=validate, clip=5.0, log=logging.getLogger("test"))
    assert len(after_steps) == 5
    expected = after_steps[0]  # the first update copies, later ones move a tenth of the way
    for w in after_steps[1:]:
        expected = 0.9 * expected + 0.1 * w
    assert torch.allclose(c.evaluated.weight, expected, atol=1e-6)
    assert not torch.allclose(c.evaluated.weight, model.weight)
    saved = torch.load(tmp_path / "lin.pt")  # the best (last) validation saved the average, not the weights
    assert torch.allclose(saved["weight"], expected, atol=1e-6)


@pytest.mark.parametrize("decay", [0.0, 1.0, 1.5, -0.2])
def test_a_decay_outside_zero_to_one_is_refused(decay: float) -> None:
    model = torch.nn.Linear(3, 1)
    c = Candidate("lin", model, torch.optim.SGD(model.parameters(), lr=0.1), 0.1, {})
    with pytest.raises(ValueError, match="between 0 and 1"):
        c.average_weights(decay)
    assert c.averaged is None and "weight_average" not in c.config
