"""Merge per-sheet transcripts (``transcripts/sheet_NNN.tsv``) with the sheets' source maps into ``real_crops.tsv``.

    python training/labels/merge_transcripts.py SHEETS_DIR

Output columns: source (relative to ../shared/data/train), x, y, w, h, text, status, note. Text is normalised to
upper-case letters and digits; a row whose text holds anything else is reported and marked uncertain.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    sheets = Path(sys.argv[1])
    rows = []
    for tr in sorted((HERE / "transcripts").glob("sheet_*.tsv")):
        source_map = {}
        with open(sheets / (tr.stem + ".csv"), newline="") as f:
            for num, sid in csv.reader(f):
                source_map[int(num)] = sid
        for line in tr.read_text().splitlines():
            parts = [*line.split("\t"), "", "", "", ""]
            if not parts[0].strip().isdigit():
                continue
            num, text, status, note = int(parts[0]), parts[1].strip().upper(), parts[2].strip(), parts[3].strip()
            text = re.sub(r"[\s\-.·]", "", text)
            if text and not re.fullmatch(r"[A-Z0-9]+", text):
                print(f"{tr.name} #{num}: odd text {text!r}, marked uncertain", file=sys.stderr)
                status = "uncertain"
            if status not in ("ok", "uncertain", "illegible"):
                status = "uncertain"
            src, box = source_map[num].split("#")
            rows.append([src, *box.split(","), text, status, note])
    with open(HERE / "real_crops.tsv", "w", newline="") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(rows)
    counts = {s: sum(r[6] == s for r in rows) for s in ("ok", "uncertain", "illegible")}
    print(len(rows), "rows", counts)


if __name__ == "__main__":
    main()
