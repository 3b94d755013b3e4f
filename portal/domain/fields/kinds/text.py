"""Free text: one line (`text`) or several (`textarea`)."""

from __future__ import annotations

from functools import partial

from portal.domain.fields.definition_fields import TEXT_MAX, TEXTAREA_MAX, CleanedTextArea, clean_text
from portal.domain.fields.kinds.base import InputKind
from portal.domain.i18n.formatting import pick

# Letters of both scripts, digits and the punctuation of addresses and names: what people type.
TYPED = " កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅំះ្ abcdefghijklmnopqrstuvwxyzABCXYZ0123456789០១២៣៤៥៦៧៨៩-,.'/"


class TextKind(InputKind):
    multiline = False

    def cleaner(self, label, locale):
        spec = self.spec
        return partial(clean_text, label=label, multiline=self.multiline, min_length=spec.min_length,
                       max_length=spec.max_length, pattern=spec.pattern,
                       pattern_message=pick(spec.pattern_message, locale) if spec.pattern_message else None)

    def answers(self):
        from hypothesis import strategies as st

        limit = self.spec.max_length or (TEXTAREA_MAX if self.multiline else TEXT_MAX)
        return st.text(TYPED, min_size=1, max_size=min(limit, 80)).map(str.strip).filter(bool)


class TextareaKind(TextKind):
    multiline = True
    input_class = CleanedTextArea
