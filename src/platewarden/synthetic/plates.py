"""Render licence plates of many styles as images with known text.

Used by the demo (a street scene with known plates), by the tests (scenes rendered at test time) and by the
training generator in ``training/`` (which adds fonts, degradations and composites). What real plates carry besides
their registration (state names, slogans, logos, stacked small characters, EU strips, seals, screws, dealer frames)
is drawn on purpose: a recogniser that never saw these reads them as characters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.synthetic.formats import STYLE_FORMATS, US_SLOGANS, US_STATES, fill_pattern, plate_text
from platewarden.synthetic.glyphs import Font, glyph_mask, hershey_fonts
from platewarden.synthetic.scenery import SCENERY_SHARE_US, draw_scenery

Color = tuple[int, int, int]  # BGR

# How often a US plate is drawn in our stamped plate face (when the caller offers it) rather than a desktop font.
# 0.3 trained the shipped OCR; a second round at 0.5 did not beat it (training/logs/ocr-finetune2-not-kept.log).
STAMPED_FACE_SHARE_US = 0.3
EU_STRIP_CODES = {"DE": "D", "FR": "F", "IT": "I", "ES": "E", "NL": "NL", "RO": "RO", "GB": "UK"}
BR_CITIES = ("SP - SAO PAULO", "RJ - RIO DE JANEIRO", "MG - BELO HORIZONTE", "PR - CURITIBA", "BA - SALVADOR")


@dataclass(frozen=True)
class PlateSpec:
    """What to draw: the style, the layout (with separators and ``/`` between rows) and the region it belongs to."""

    style: str
    layout: str
    region: str
    country: str | None

    @property
    def text(self) -> str:
        return plate_text(self.layout)

    @property
    def rows(self) -> int:
        return self.layout.count("/") + 1


@dataclass(frozen=True)
class RenderedPlate:
    """A plate image (BGR, plate fills it) and the vertical extent of each text row, as fractions of its height."""

    image: np.ndarray
    spec: PlateSpec
    row_spans: tuple[tuple[float, float], ...]


def random_spec(rng: random.Random, styles: list[str] | None = None) -> PlateSpec:
    style = rng.choice(styles or list(STYLE_FORMATS))
    region, country, patterns = STYLE_FORMATS[style]
    layout = fill_pattern(rng.choice(patterns), rng, region, country)
    return PlateSpec(style, layout, region, country)


def random_spec_with_rows(rng: random.Random, style: str, rows: int, tries: int = 100) -> PlateSpec:
    """A random spec of ``style`` drawn with ``rows`` rows (a style such as cn-yellow draws one or two); a style that
    draws none such in ``tries`` draws is refused by name rather than looped on."""
    for _ in range(tries):
        spec = random_spec(rng, [style])
        if spec.rows == rows:
            return spec
    raise ValueError(f"style {style} draws no {({1: 'one', 2: 'two'}).get(rows, str(rows))}-row plates")


def spec_for_text(text: str, style: str) -> PlateSpec:
    """A spec that draws exactly ``text`` (separators allowed) in ``style``."""
    region, country, _ = STYLE_FORMATS[style]
    return PlateSpec(style, text, region, country)


def _dark(rng: random.Random) -> Color:
    return rng.choice([(20, 20, 20), (90, 30, 10), (30, 30, 120), (40, 80, 20), (10, 10, 60), (60, 20, 20)])


def _light(rng: random.Random) -> Color:
    base = rng.choice([(245, 245, 245), (240, 225, 200), (200, 235, 250), (230, 240, 230), (235, 235, 220)])
    return tuple(int(np.clip(c + rng.randint(-15, 10), 0, 255)) for c in base)  # type: ignore[return-value]


def _draw_string(img: np.ndarray, s: str, x0: float, y0: float, char_h: int, char_w: int, gap: int,
                 color: Color, font: Font, sep_w: float = 0.5) -> float:
    """Draw ``s`` with its top-left at (x0, y0); returns the x after the last character."""
    x = x0
    for ch in s:
        if ch == " ":
            x += char_w * sep_w
            continue
        if ch in "-·":
            y = int(y0 + char_h * 0.5)
            cv2.line(img, (int(x + char_w * 0.1), y), (int(x + char_w * 0.4), y), color, max(1, char_h // 12))
            x += char_w * 0.5
            continue
        w = int(char_w * (1.05 if ord(ch) > 127 else 1.0))
        mask = glyph_mask(font, ch, w, char_h)
        _blend(img, mask, int(x), int(y0), color)
        x += w + gap
    return x


def _string_width(s: str, char_w: int, gap: int, sep_w: float = 0.5) -> float:
    w = 0.0
    for ch in s:
        if ch == " ":
            w += char_w * sep_w
        elif ch in "-·":
            w += char_w * 0.5
        else:
            w += char_w * (1.05 if ord(ch) > 127 else 1.0) + gap
    return w - gap


def _blend(img: np.ndarray, mask: np.ndarray, x: int, y: int, color: Color) -> None:
    h, w = mask.shape
    H, W = img.shape[:2]
    x1, y1, x2, y2 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x2 <= x1 or y2 <= y1:
        return
    m = (mask[y1 - y: y2 - y, x1 - x: x2 - x].astype(np.float32) / 255.0)[..., None]
    region = img[y1:y2, x1:x2].astype(np.float32)
    img[y1:y2, x1:x2] = (region * (1 - m) + np.array(color, np.float32) * m).astype(np.uint8)


def _small_text(img: np.ndarray, s: str, cx: float, y: float, h: int, color: Color, rng: random.Random) -> None:
    """Decorative text (state names, slogans): drawn with a Hershey face, never part of the registration."""
    face = rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX])
    scale = max(0.2, h / 22.0)
    thick = max(1, int(h / 9))
    (tw, th_), _ = cv2.getTextSize(s, face, scale, thick)
    cv2.putText(img, s, (int(cx - tw / 2), int(y + th_)), face, scale, color, thick, cv2.LINE_AA)


def _eu_strip(img: np.ndarray, x: int, w: int, code: str, rng: random.Random) -> None:
    h = img.shape[0]
    cv2.rectangle(img, (x, 0), (x + w, h), (150, 50, 0), -1)
    cx, cy, r = x + w // 2, int(h * 0.3), int(w * 0.3)
    for k in range(12):
        a = 2 * np.pi * k / 12
        cv2.circle(img, (int(cx + r * np.cos(a)), int(cy + r * np.sin(a))), max(1, w // 18), (0, 210, 255), -1)
    if code:
        scale = w / (28.0 * max(1, len(code)) ** 0.8)
        (tw, _th), _ = cv2.getTextSize(code, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        cv2.putText(img, code, (cx - tw // 2, int(h * 0.85)), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2,
                    cv2.LINE_AA)


def render_plate(spec: PlateSpec, rng: random.Random, fonts: list[Font] | None = None,
                 distractors: bool = True) -> RenderedPlate:
    """Draw ``spec``. ``distractors`` adds what real plates carry besides their registration."""
    font = rng.choice(fonts or hershey_fonts())
    plate_faces = [f for f in fonts or () if f.stroke]
    if plate_faces and spec.region == "us" and rng.random() < STAMPED_FACE_SHARE_US:
        font = rng.choice(plate_faces)  # the stamped gothic faces most states use
    style = spec.style
    rows = spec.layout.split("/")
    fg: Color = (20, 20, 20)
    border: Color | None = (30, 30, 30)
    left = right = 0.04
    top_pad, bottom_pad = 0.15, 0.15
    if style.startswith("us"):
        H = 150
        W = 300
        bg = _light(rng)
        fg = _dark(rng)
        img = np.full((H, W, 3), bg, np.uint8)
        if rng.random() < 0.5:  # gradient or scenery band
            band = np.linspace(0, 1, H)[:, None, None] * np.array([rng.randint(-60, 0) for _ in range(3)])
            img = np.clip(img.astype(np.float32) + band, 0, 255).astype(np.uint8)
        if distractors and rng.random() < SCENERY_SHARE_US:
            draw_scenery(img, rng)
        border = None if rng.random() < 0.5 else fg
        if distractors:
            _small_text(img, rng.choice(US_STATES), W / 2, 6, rng.randint(16, 26), _dark(rng), rng)
            if rng.random() < 0.7:
                _small_text(img, rng.choice(US_SLOGANS), W / 2, H - 26, rng.randint(10, 16), _dark(rng), rng)
        top_pad, bottom_pad = 0.27, 0.22
    elif style.startswith("br-mercosul"):
        H, W = 130, 400
        img = np.full((H, W, 3), (245, 245, 245), np.uint8)
        cv2.rectangle(img, (0, 0), (W, int(H * 0.22)), (140, 60, 0), -1)
        _small_text(img, "BRASIL", W / 2, 2, 20, (255, 255, 255), rng)
        cv2.rectangle(img, (W - 40, 4), (W - 14, 22), (40, 160, 40), -1)
        top_pad, bottom_pad = 0.3, 0.1
    elif style.startswith("br-grey"):
        H, W = 130, 400
        g = rng.randint(150, 200)
        img = np.full((H, W, 3), (g, g, g), np.uint8)
        _small_text(img, rng.choice(BR_CITIES), W / 2, 3, 18, (20, 20, 20), rng)
        top_pad, bottom_pad = 0.27, 0.1
    elif style.startswith("cn"):
        two = spec.rows == 2
        H, W = (220, 440) if two else (140, 440 if style != "cn-green" else 480)
        if style == "cn-blue":
            img = np.full((H, W, 3), (160, 60, 10), np.uint8)
            fg = (255, 255, 255)
        elif style == "cn-green":
            grad = np.linspace(0, 1, H)[:, None]
            col = np.array([140, 220, 120])[None, :] * (1 - grad) + np.array([245, 250, 245])[None, :] * grad
            img = np.repeat(col[:, None, :], W, axis=1).astype(np.uint8)
        else:
            img = np.full((H, W, 3), (20, 200, 250), np.uint8)
        border = fg
        top_pad, bottom_pad = 0.12, 0.12
    else:  # European styles
        two = spec.rows == 2
        H, W = (200, 300) if two else (110, 520)
        yellow = style == "nl" or (style.startswith("uk") and rng.random() < 0.5)
        img = np.full((H, W, 3), (20, 200, 250) if yellow else _light(rng), np.uint8)
        strip_w = int(0.085 * 520) if not two else 40
        code = EU_STRIP_CODES.get(spec.country or "", rng.choice(["", "A", "B", "CZ", "PL", "S", "DK", "H"]))
        if not (style.startswith("uk") and rng.random() < 0.4):
            _eu_strip(img, 0, strip_w, code, rng)
            left = strip_w / W + 0.02
        if style in ("fr", "it"):
            cv2.rectangle(img, (W - strip_w, 0), (W, H), (150, 50, 0), -1)
            right = strip_w / W + 0.02
            if style == "fr" and distractors:
                _small_text(img, f"{rng.randint(1, 95):02d}", W - strip_w / 2, H * 0.55, 18, (255, 255, 255), rng)
        top_pad, bottom_pad = (0.13, 0.13) if not two else (0.08, 0.08)
    if border is not None:
        cv2.rectangle(img, (2, 2), (W - 3, H - 3), border, max(2, H // 40))

    usable_top, usable_bottom = top_pad * H, (1 - bottom_pad) * H
    n_rows = len(rows)
    row_gap = 0.06 * H if n_rows > 1 else 0
    # Chinese two-row plates have a small top row and a big bottom row.
    weights = [0.4, 0.6] if (n_rows == 2 and style.startswith("cn")) else [1.0 / n_rows] * n_rows
    avail_h = usable_bottom - usable_top - row_gap * (n_rows - 1)
    spans = []
    y = usable_top
    for row, wgt in zip(rows, weights, strict=True):
        row_h = avail_h * wgt
        char_h = int(row_h * rng.uniform(0.86, 0.98))
        avail_w = W * (1 - left - right)
        n = max(1, len(row.replace(" ", "").replace("-", "")))
        aspect = rng.uniform(0.42, 0.6)
        char_w = int(char_h * aspect)
        gap = int(char_w * rng.uniform(0.08, 0.25))
        total = _string_width(row, char_w, gap)
        if total > avail_w * 0.97:
            shrink = avail_w * 0.97 / total
            char_w, gap = max(2, int(char_w * shrink)), int(gap * shrink)
            total = _string_width(row, char_w, gap)
        elif n <= 4 and total < avail_w * 0.5:
            gap = int(gap * 1.5)
            total = _string_width(row, char_w, gap)
        x0 = W * left + (avail_w - total) / 2
        y0 = y + (row_h - char_h) / 2
        if distractors and style.startswith("de") and " " in row and rng.random() < 0.9:
            first = row.split(" ")[0]
            sx = x0 + _string_width(first, char_w, gap) + char_w * 0.25
            cv2.circle(img, (int(sx), int(y0 + char_h * 0.3)), max(2, char_w // 4), (40, 40, 160), -1)
            cv2.circle(img, (int(sx), int(y0 + char_h * 0.72)), max(2, char_w // 4), (60, 140, 60), -1)
            row = first + "  " + row[len(first) + 1:]
        if distractors and style == "us" and rng.random() < 0.4 and (" " in row or "-" in row):
            # Many states set an emblem (a horse and rider, a state outline, a star, a seal) between the groups of
            # the registration, at the characters' height: it must be seen as no character at all.
            head = row.replace("-", " ").split(" ")[0]
            row = head + " " + row.replace("-", " ")[len(head) + 1:]
            sep_w = rng.uniform(0.9, 1.4)
            total = _string_width(row, char_w, gap, sep_w)
            if total > avail_w * 0.97:  # no room for a wide gap: narrow it (never below a plain space)
                sep_w = max(0.5, sep_w - (total - avail_w * 0.97) / char_w)
                total = _string_width(row, char_w, gap, sep_w)
            x0 = W * left + (avail_w - total) / 2
            ex = x0 + _string_width(head, char_w, gap, sep_w) + gap + char_w * sep_w / 2
            eh = char_h * rng.uniform(0.55, 1.0)
            draw_emblem(img, ex, y0 + char_h * rng.uniform(0.4, 0.6), char_w * sep_w * rng.uniform(0.7, 1.1), eh,
                    rng.choice([fg, _dark(rng), (40, 40, 200), (160, 80, 20), (40, 120, 40)]), rng)
            _draw_string(img, row, x0, y0, char_h, char_w, gap, fg, font, sep_w)
        else:
            _draw_string(img, row, x0, y0, char_h, char_w, gap, fg, font)
        spans.append((y0 / H, (y0 + char_h) / H))
        y += row_h + row_gap

    if distractors:
        _decorate(img, spec, rng, fg)
    return RenderedPlate(img, spec, tuple(spans))


def draw_emblem(img: np.ndarray, cx: float, cy: float, w: float, h: float, color: Color, rng: random.Random) -> None:
    """A pictorial mark about the size of a character: star, seal, outline, sun, rider-like silhouette or peaks."""
    kind = rng.choice(["star", "seal", "outline", "sun", "rider", "peaks"])
    rx, ry = max(2.0, w / 2), max(2.0, h / 2)
    if kind == "star":
        pts = [(cx + (rx if k % 2 == 0 else rx * 0.45) * np.sin(np.pi * k / 5),
                cy - (ry if k % 2 == 0 else ry * 0.45) * np.cos(np.pi * k / 5)) for k in range(10)]
        cv2.fillPoly(img, [np.array(pts, np.int32)], color, cv2.LINE_AA)
    elif kind == "seal":
        r = int(min(rx, ry))
        iy, ix = int(np.clip(cy, 0, img.shape[0] - 1)), int(np.clip(cx, 0, img.shape[1] - 1))
        ground = tuple(int(c) for c in img[iy, ix])
        cv2.circle(img, (int(cx), int(cy)), r, color, -1, cv2.LINE_AA)
        cv2.circle(img, (int(cx), int(cy)), max(1, int(r * 0.7)), ground, -1)  # the plate's own colour inside the ring
        cv2.circle(img, (int(cx), int(cy)), max(1, int(r * 0.35)), color, -1, cv2.LINE_AA)
    elif kind == "outline":
        pts = [(cx + rx * np.cos(a) * rng.uniform(0.6, 1.0), cy + ry * np.sin(a) * rng.uniform(0.6, 1.0))
               for a in np.linspace(0, 2 * np.pi, rng.randint(5, 10), endpoint=False)]
        cv2.fillPoly(img, [np.array(pts, np.int32)], color, cv2.LINE_AA)
    elif kind == "sun":
        radius = min(rx, ry)
        cv2.circle(img, (int(cx), int(cy)), max(1, int(radius * 0.45)), color, -1, cv2.LINE_AA)
        for a in np.linspace(0, 2 * np.pi, rng.choice([4, 8, 12]), endpoint=False):
            cv2.line(img, (int(cx + radius * 0.6 * np.cos(a)), int(cy + radius * 0.6 * np.sin(a))),
                     (int(cx + radius * np.cos(a)), int(cy + radius * np.sin(a))), color, max(1, int(radius / 6)),
                     cv2.LINE_AA)
    elif kind == "rider":  # a body, a head and legs: the shape of a horse and rider, roughly
        cv2.ellipse(img, (int(cx), int(cy)), (int(rx * 0.8), int(ry * 0.3)), rng.uniform(-25, 25), 0, 360, color, -1)
        cv2.circle(img, (int(cx + rx * 0.75), int(cy - ry * 0.45)), max(1, int(ry * 0.18)), color, -1)
        for lx in (-0.6, -0.3, 0.3, 0.6):
            cv2.line(img, (int(cx + rx * lx), int(cy)), (int(cx + rx * (lx + rng.uniform(-0.3, 0.3))),
                     int(cy + ry)), color, max(1, int(rx / 6)), cv2.LINE_AA)
        cv2.line(img, (int(cx), int(cy - ry * 0.2)), (int(cx - rx * 0.1), int(cy - ry)), color, max(1, int(rx / 5)))
    else:
        base = cy + ry
        pts = [(cx - rx, base), (cx - rx * 0.3, cy - ry * 0.4), (cx, cy + ry * 0.1), (cx + rx * 0.4, cy - ry),
               (cx + rx, base)]
        cv2.fillPoly(img, [np.array(pts, np.int32)], color, cv2.LINE_AA)


def _decorate(img: np.ndarray, spec: PlateSpec, rng: random.Random, fg: Color) -> None:
    """Screws, a logo, stacked small characters, a dealer frame: the things real plates carry."""
    H, W = img.shape[:2]
    if rng.random() < 0.6:
        for sx in (0.22, 0.78) if rng.random() < 0.5 else (0.1, 0.9):
            cv2.circle(img, (int(W * sx), int(H * 0.1)), max(2, H // 28), (150, 150, 150), -1)
    if spec.region == "us":
        if rng.random() < 0.25:
            cx, cy, r = int(W * rng.uniform(0.3, 0.7)), int(H * 0.52), int(H * 0.12)
            pts = [(cx + int(r * np.cos(a) * rng.uniform(0.6, 1.2)), cy + int(r * np.sin(a) * rng.uniform(0.6, 1.2)))
                   for a in np.linspace(0, 2 * np.pi, 9)[:-1]]
            cv2.fillPoly(img, [np.array(pts, np.int32)], _dark(rng))
        if rng.random() < 0.2:
            _small_text(img, rng.choice(["DV", "PH", "TL", "VET", "MC"]), W * 0.07, H * 0.38, 14, fg, rng)
        if rng.random() < 0.35:  # registration stickers in a top corner: a coloured square with a month or year
            sw, sh = int(W * rng.uniform(0.1, 0.16)), int(H * rng.uniform(0.14, 0.22))
            sx = rng.choice([int(W * 0.03), W - sw - int(W * 0.03)])
            sy = int(H * rng.uniform(0.02, 0.08))
            colour = rng.choice([(0, 200, 255), (40, 40, 220), (60, 170, 60), (200, 120, 30), (0, 140, 255)])
            cv2.rectangle(img, (sx, sy), (sx + sw, sy + sh), colour, -1)
            label = rng.choice(["JAN", "MAR", "JUN", "SEP", "DEC", "24", "25", "26", "27", "7", "12"])
            _small_text(img, label, sx + sw / 2, sy + 2, max(6, sh - 6), (20, 20, 20), rng)
        if rng.random() < 0.3:
            cv2.rectangle(img, (0, 0), (W - 1, H - 1), (30, 30, 30), max(4, H // 14))
            _small_text(img, rng.choice(["AUTO MALL", "HONDA OF CITY", "TOYOTA", "SUBARU DEALER"]), W / 2,
                        H - max(4, H // 14) - 2, 9, (220, 220, 220), rng)
