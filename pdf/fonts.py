"""The CJK TrueType font the documents use (Debian's fonts-wqy-zenhei by default)."""
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFError

from pdf import PdfError

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "YekuoCJK"


class FontNotFound(PdfError):
    """No usable CJK font at the configured path: install fonts-wqy-zenhei or set YEKUO_PDF_FONT."""


@lru_cache(maxsize=None)
def register_font(path: str = DEFAULT_FONT) -> TTFont:
    """Register the font with ReportLab once; a clear error when it is missing or unusable."""
    if not Path(path).is_file():
        raise FontNotFound(f"no CJK font at {path}: install fonts-wqy-zenhei (make does) or set YEKUO_PDF_FONT",
                           {"font": [path]})
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=0)
    except (TTFError, OSError) as exc:
        raise FontNotFound(f"{path} is not a usable TrueType font: {exc}", {"font": [path]}) from None
    if not covers(font, "供电方案答复单"):
        raise FontNotFound(f"{path} has no Chinese glyphs", {"font": [path]})
    pdfmetrics.registerFont(font)
    return font


def covers(font: TTFont, text: str) -> bool:
    return not missing_glyphs(font, text)


def missing_glyphs(font: TTFont, text: str) -> set:
    """Characters of ``text`` the font has no glyph for (spaces and line breaks aside)."""
    mapping = font.face.charToGlyph
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in mapping}
