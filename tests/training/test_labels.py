"""Reading label files in the OpenALPR benchmark format, as ``bench accuracy`` and the model card do."""

from __future__ import annotations

from pathlib import Path

import pytest

from platewarden.evaluation.labels import load_labels


def test_space_separated_text_keeps_its_spaces_and_tabs_carry_a_group(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a.jpg 10 20 100 25 B 21 GSB\n")  # OpenALPR's own files: spaces
    (tmp_path / "b.txt").write_text("b.jpg\t1\t2\t3\t4\tKX 7204\tCA\n")  # ours: tabs, with a group
    (tmp_path / "c.txt").write_text("c.jpg 5 6 7 8\nnot a label line\nd.jpg x 1 2 3 ABC\n")
    a, b, c = load_labels(tmp_path)
    assert (a.image.name, a.box, a.text, a.group) == ("a.jpg", (10, 20, 100, 25), "B21GSB", "")
    assert (b.text, b.group) == ("KX7204", "ca")
    assert (c.box, c.text) == ((5, 6, 7, 8), "")  # no text: unknown; malformed lines are skipped


def test_labels_need_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_labels(tmp_path / "missing")
