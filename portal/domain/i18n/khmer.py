"""Khmer word breaking.

Khmer is written without spaces between words, and WeasyPrint only breaks lines at spaces or
explicit break opportunities: an unspaced Khmer sentence runs straight out of its box. We insert
ZERO WIDTH SPACE (U+200B) between the words `khmercut` finds, which gives correct line breaks
and is invisible.
"""

from __future__ import annotations

import re
from functools import lru_cache

import khmercut

ZWSP = "\u200b"
KHMER_RUN = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]{2,}")
# Text between tags of an HTML document; tag attributes and <style>/<script> bodies are left alone.
_TEXT_NODE = re.compile(r"(<(style|script)\b.*?</\2>)|>([^<]+)<", re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=4096)
def _break_run(run: str) -> str:
    return ZWSP.join(khmercut.tokenize(run))


def insert_word_breaks(text: str) -> str:
    """Put U+200B between Khmer words; other text is returned as it is."""
    return KHMER_RUN.sub(lambda m: _break_run(m.group(0)), text)


def break_html_text(html: str) -> str:
    """`insert_word_breaks` on every text node of an HTML document."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return ">" + insert_word_breaks(match.group(3)) + "<"

    return _TEXT_NODE.sub(replace, html)
