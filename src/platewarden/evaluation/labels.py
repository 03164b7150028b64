"""Labelled images: ``NAME.txt`` per image or one ``labels.tsv``, lines ``file x y w h TEXT [GROUP]``.

Tab-separated lines may carry the GROUP column. In a space-separated line (OpenALPR's own files) the text runs to
the end of the line, so a plate written with spaces ("B 21 GSB") stays one text; such files carry no group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platewarden.domain.plates import normalize_plate


@dataclass(frozen=True)
class LabelledPlate:
    image: Path
    box: tuple[int, int, int, int]
    text: str  # normalised; empty when unknown
    group: str = ""  # the optional seventh column (openalpr-ocr: the US state), for accuracy per group


def load_labels(folder: Path) -> list[LabelledPlate]:
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    files = [folder / "labels.tsv"] if (folder / "labels.tsv").exists() else sorted(folder.glob("*.txt"))
    out = []
    for f in files:
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            tabbed = "\t" in line
            parts = line.split("\t") if tabbed else line.split(maxsplit=5)
            if len(parts) < 5:
                continue
            try:
                box = tuple(int(float(v)) for v in parts[1:5])
            except ValueError:
                continue
            text = normalize_plate(parts[5]) if len(parts) > 5 else ""
            group = parts[6].strip().lower() if tabbed and len(parts) > 6 else ""
            out.append(LabelledPlate(folder / parts[0], box, text, group))  # type: ignore[arg-type]
    return out


def ccpd_split(folder: Path) -> tuple[list[LabelledPlate], list[LabelledPlate]]:
    """The CCPD crops of ``folder/labels.tsv`` as (training, held-out): every fifth line is held out, never trained
    on. The one definition of that split, for the trainer, our validation and the model card."""
    plates = load_labels(folder)
    return ([p for i, p in enumerate(plates) if i % 5 != 0], [p for i, p in enumerate(plates) if i % 5 == 0])
