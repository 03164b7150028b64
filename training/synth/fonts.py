"""The fonts the training generator draws with, and their licences (disclosed in the model card).

All come from Debian packages (``apt-get install fonts-dejavu-core fonts-liberation fonts-freefont-ttf
fonts-urw-base35 fonts-croscore fonts-open-sans fonts-roboto-unhinted fonts-wqy-zenhei``); a font that is missing is
skipped with a warning, and OpenCV's Hershey faces (no file) are always there.
"""
from __future__ import annotations

import logging
from pathlib import Path

from platewarden.synthetic.glyphs import Font, hershey_fonts, stroke_fonts

LATIN_FONTS: dict[str, str] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf": "Bitstream Vera / DejaVu licence (permissive)",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf": "Bitstream Vera / DejaVu licence (permissive)",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf": "Bitstream Vera / DejaVu licence (permissive)",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf": "SIL OFL 1.1",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf": "SIL OFL 1.1",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf": "SIL OFL 1.1",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf": "GPL-3.0 with font exception",
    "/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf": "GPL-3.0 with font exception",
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf": "AGPL-3.0 with font exception (URW base35)",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Bold.otf": "AGPL-3.0 with font exception (URW base35)",
    "/usr/share/fonts/opentype/urw-base35/URWGothic-Demi.otf": "AGPL-3.0 with font exception (URW base35)",
    "/usr/share/fonts/truetype/croscore/Arimo-Bold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/croscore/Cousine-Bold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/open-sans/OpenSans-CondBold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/open-sans/OpenSans-Bold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Regular.ttf": "Apache-2.0",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "Bitstream Vera / DejaVu licence (permissive)",
}
CJK_FONTS: dict[str, str] = {
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc": "GPL-2.0 with font exception (WenQuanYi Zen Hei)",
}
HERSHEY_LICENCE = "Hershey fonts built into OpenCV (public domain)"
STROKE_LICENCE = "our own plate face (platewarden.synthetic.stroke_font), drawn from centre lines; project licence"


def available(table: dict[str, str]) -> list[Font]:
    fonts = []
    for path, _licence in table.items():
        if Path(path).exists():
            fonts.append(Font(Path(path).stem, Path(path)))
        else:
            logging.warning("font missing, skipped: %s", path)
    return fonts


def latin_fonts() -> list[Font]:
    return available(LATIN_FONTS) + hershey_fonts() + stroke_fonts()


def cjk_fonts() -> list[Font]:
    return available(CJK_FONTS)
