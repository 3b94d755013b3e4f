"""Khmer word breaking.

Khmer is written without spaces between words, and WeasyPrint only breaks lines at spaces or
explicit break opportunities: an unspaced Khmer sentence runs straight out of its box. We insert
ZERO WIDTH SPACE (U+200B) between the words `khmercut` finds, which gives correct line breaks
and is invisible.

The full stop "។" (and the end-of-text "៕") belongs to the word before it: khmercut returns it as a
word of its own, and a break before it would start a line with it. It is glued to what precedes it
with WORD JOINER (U+2060), which forbids a break on both sides; a space typed before it goes too.
"""

from __future__ import annotations

import re
from functools import lru_cache

import khmercut

ZWSP = "\u200b"
WORD_JOINER = "\u2060"
FULL_STOPS = "។៕"
# Break opportunities before a full stop (spaces, our own U+200B), or none: replaced by one WORD JOINER.
_BEFORE_FULL_STOP = re.compile(r"(?:[\s\u200b\u2060]+|(?<![\s\u200b\u2060]))(?=[។៕])")
KHMER_RUN = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]{2,}")
# Text between tags of an HTML document; tag attributes and <style>/<script>/<title> bodies are left
# alone (the title becomes the PDF's metadata, where break characters have no use).
_TEXT_NODE = re.compile(r"(<(style|script|title)\b.*?</\2>)|>([^<]+)<", re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=4096)
def _break_run(run: str) -> str:
    return ZWSP.join(khmercut.tokenize(run))


def insert_word_breaks(text: str) -> str:
    """Put U+200B between Khmer words and glue full stops to the word before; other text is returned
    as it is."""
    return glue_full_stops(KHMER_RUN.sub(lambda m: _break_run(m.group(0)), text))


def glue_full_stops(text: str) -> str:
    """A WORD JOINER (and no space or break) before every "។" and "៕", so no line starts with one."""
    return _BEFORE_FULL_STOP.sub(WORD_JOINER, text)


def break_html_text(html: str) -> str:
    """`insert_word_breaks` on every text node of an HTML document."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return ">" + insert_word_breaks(match.group(3)) + "<"

    return _TEXT_NODE.sub(replace, html)
