"""Merge the two independent readings and the third look of the Open Images plates into ``openimages.tsv``.

    python training/labels/make_sheets.py ../shared/data/train SHEETS/ --set openimages
    python training/labels/merge_openimages.py SHEETS/

Protocol (``PROTOCOL.md``, "Open Images"): readers A and B each read every numbered crop of the contact sheets
(``openimages/reader_a``, ``openimages/reader_b``: ``num text status country state note`` per sheet). A crop on
which both gave the same text and status, and neither was uncertain, is settled; every other crop had a third look
(``openimages/third_look``: ``sheet num text status country state note``) whose decision is final.

Output ``openimages.tsv``: ``source x y w h text status country group split note`` (source relative to
``../shared/data/train``). ``group`` is ``us-XX`` for a US plate whose state shows (``us`` otherwise), else the
country code in lower case: the by-origin tables use it. ``split`` is by photo: in file-name order, every fifth
photo is validation. ``openimages_ids.txt`` lists the Open Images IDs of the photos with at least one plate used
(status ok). Only text goes into the repository, never an image.
"""
from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
OI = HERE / "openimages"
NO_TEXT = {"illegible", "erased", "non_latin", "not_a_plate"}
STATUSES = NO_TEXT | {"ok", "uncertain"}


def norm_text(text: str) -> str:
    """Upper-case letters and digits; an umlaut's letter kept without its marks (DÜW → DUW)."""
    ascii_text = unicodedata.normalize("NFKD", text.upper()).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", ascii_text)


def read_sheets(folder: Path) -> dict[tuple[str, int], list[str]]:
    out = {}
    for f in sorted(folder.glob("sheet_*.tsv")):
        for line in f.read_text().splitlines():
            p = ([*line.split("\t"), "", "", "", "", "", ""])[:6]
            if p[0].strip().isdigit():
                out[(f.stem, int(p[0]))] = [norm_text(p[1]), p[2].strip(), p[3].strip().upper(), p[4].strip().upper(),
                                            p[5].strip()]
    return out


def settled(a: list[str], b: list[str]) -> bool:
    same_status = a[1] == b[1] or (a[1] in NO_TEXT and b[1] in NO_TEXT)
    return a[0] == b[0] and same_status and "uncertain" not in (a[1], b[1])


def group_of(country: str, state: str) -> str:
    if country == "US":
        return f"us-{state.lower()}" if re.fullmatch(r"[A-Z]{2}", state) else "us"
    return country.lower()


def main() -> None:
    sheets = Path(sys.argv[1])
    source: dict[tuple[str, int], str] = {}
    for f in sorted(sheets.glob("sheet_*.csv")):
        with open(f, newline="") as fh:
            for num, sid in csv.reader(fh):
                source[(f.stem, int(num))] = sid
    a, b = read_sheets(OI / "reader_a"), read_sheets(OI / "reader_b")
    third: dict[tuple[str, int], list[str]] = {}
    for f in sorted((OI / "third_look").glob("*.tsv")):
        for line in f.read_text().splitlines():
            p = ([*line.split("\t"), "", "", "", "", "", "", ""])[:7]
            third[(p[0], int(p[1]))] = [norm_text(p[2]), p[3].strip(), p[4].strip().upper(), p[5].strip().upper(),
                                        p[6].strip()]
    missing = [k for k in source if k not in a or k not in b]
    if missing:
        raise SystemExit(f"crops without two readings: {missing[:5]}")
    photos = sorted({sid.split("#")[0] for sid in source.values()})
    val_photos = {p for i, p in enumerate(photos) if i % 5 == 4}
    rows, how = [], Counter()
    for key, sid in sorted(source.items(), key=lambda kv: kv[1]):
        ra, rb = a[key], b[key]
        if settled(ra, rb):
            text, status = ra[0], ra[1]
            country, state = ra[2] or rb[2], ra[3] or rb[3]
            note = "; ".join(n for n in (ra[4], rb[4]) if n)
            how["agreed"] += 1
        elif key in third:
            text, status, country, state, note = third[key]
            how["third look"] += 1
        else:
            raise SystemExit(f"{key}: readers differ and there is no third look")
        if status not in STATUSES:
            raise SystemExit(f"{key}: unknown status {status!r}")
        if status in NO_TEXT:
            text = ""
        src, box = sid.split("#")
        split = "val" if src in val_photos else "train"
        rows.append([src, *box.split(","), text, status, country, group_of(country, state), split,
                     note.replace("\t", " ")])
    with open(HERE / "openimages.tsv", "w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["source", "x", "y", "w", "h", "text", "status", "country", "group", "split", "note"])
        w.writerows(rows)
    used = sorted({Path(r[0]).stem.removeprefix("oi_") for r in rows if r[6] == "ok"})
    (HERE / "openimages_ids.txt").write_text("".join(f"{i}\n" for i in used))
    print(f"{len(rows)} plates in {len(photos)} photos ({len(val_photos)} validation photos); {dict(how)}")
    print("status:", dict(Counter(r[6] for r in rows)))
    per = Counter((r[7] or "?", r[9]) for r in rows if r[6] == "ok")
    print("legible (ok) plates per country, train / val:")
    for c in sorted({c for c, _ in per}, key=lambda c: -(per[(c, "train")] + per[(c, "val")])):
        print(f"  {c}: {per[(c, 'train')]} / {per[(c, 'val')]}")


if __name__ == "__main__":
    main()
