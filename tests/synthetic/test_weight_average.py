"""Streamed training can keep an exponential moving average of the weights and validate and save that instead of the
last step's weights (needs the ``train`` extra)."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.stream import Candidate  # noqa: E402


def test_average_follows_the_weights_with_its_decay_and_is_what_gets_saved(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    c = Candidate("lin", model, torch.optim.SGD(model.parameters(), lr=0.1), 0.1, {"width": 1.0})
    assert c.evaluated is model  # no average: the weights themselves
    c.average_weights(0.9)
    assert c.config["weight_average"] == {"kind": "exponential moving average", "decay": 0.9}
    history = []
    for _ in range(5):
        loss = model(torch.ones(4, 3)).pow(2).mean()
        c.optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        c.optimiser.step()
        assert c.averaged is not None
        c.averaged.update_parameters(model)  # type: ignore[operator]
        history.append(model.weight.detach().clone())  # type: ignore[operator]
    expected = history[0]  # the first update copies, later ones move a tenth of the way
    for w in history[1:]:
        expected = 0.9 * expected + 0.1 * w
    assert torch.allclose(c.evaluated.weight, expected, atol=1e-6)
    assert not torch.allclose(c.evaluated.weight, model.weight)
    c.consider(0.5, {"step": 5}, tmp_path)
    saved = torch.load(tmp_path / "lin.pt")
    assert torch.allclose(saved["weight"], expected, atol=1e-6)
