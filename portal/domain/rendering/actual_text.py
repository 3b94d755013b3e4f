"""Khmer text that can be copied out of our PDFs, in reading order.

A PDF maps each *glyph* back to characters (its ToUnicode table). Khmer breaks that model: a
cluster such as ក្រ is drawn with the pre-base ro glyph first, a coeng subscript shares glyphs
between words, and split vowels draw two glyphs for one character. Each glyph can map to only one
string for the whole document, so text copied or read out comes back scrambled
("ព្រះរាជាណាច ក្រក្រម្ពុជា").

PDF's answer is /ActualText: a marked-content sequence that says "these glyphs read as this
text". Text extractors (poppler's pdftotext, Acrobat) and screen readers use it instead of the
glyph mapping. WeasyPrint (pinned in pyproject.toml) does not write it, so we wrap its function that
draws one line of a text box: the box's own text, in logical order, becomes the /ActualText of the
glyphs it draws. Only boxes with Khmer get one: Latin glyphs map one to one and extract fine.

The invisible break characters we insert ourselves (U+200B between words, U+2060 before "។") are
left out, so the copied text is the text as written. tests/unit/test_khmer_and_pdf.py checks the
result with pdftotext, and fails if a WeasyPrint upgrade moves the function we wrap.
"""

from __future__ import annotations

import re
from functools import wraps

import pydyf
from weasyprint import draw as weasyprint_draw

_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
_INVISIBLE = str.maketrans("", "", "\u200b\u2060")


def actual_text(text: str) -> str | None:
    """What the glyphs of `text` should read as, or None when no /ActualText is needed."""
    if not _KHMER.search(text):
        return None
    return text.translate(_INVISIBLE)


def _with_actual_text(draw_text):
    @wraps(draw_text)
    def draw(stream, textbox, *args, **kwargs):
        text = actual_text(textbox.text) if textbox.style["visibility"] == "visible" else None
        if text is None:
            return draw_text(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return draw_text(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw.wrapped_for_actual_text = True
    return draw


def install() -> None:
    """Wrap WeasyPrint's text drawing once per process (idempotent)."""
    current = weasyprint_draw.draw_text
    if not getattr(current, "wrapped_for_actual_text", False):
        weasyprint_draw.draw_text = _with_actual_text(current)
