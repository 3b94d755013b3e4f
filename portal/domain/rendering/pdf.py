"""HTML to PDF with WeasyPrint, in Khmer that is shaped, wrapped and never silently broken.

Three things a plain `HTML(string=...).write_pdf()` gets wrong for us, handled here:
- fonts: the static Noto Sans Khmer instances (fonts.py) are declared with @font-face, so the
  output never depends on what fonts the machine happens to have;
- wrapping: Khmer text gets U+200B between words (portal.domain.i18n.khmer), or it would not wrap;
- failures WeasyPrint only logs (a glyph no font has, an image that does not load) are turned
  into a RenderError, so a job fails and retries instead of issuing a document with boxes;
- accessibility: documents are tagged PDF/UA-1 (structure, language, title) for screen readers,
  and Khmer text carries /ActualText (actual_text.py), so it is read and copied in reading order.
Resources may only come from the template folders and `data:` URIs: never from the network.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from portal.domain.i18n.khmer import break_html_text
from portal.domain.rendering import actual_text
from portal.domain.rendering.fonts import WEIGHTS, static_font_path

# Tagged PDF for screen readers (WeasyPrint's variant names: weasyprint.pdf.VARIANTS).
PDF_VARIANT = "pdf/ua-1"

_BROKEN_OUTPUT = (".notdef glyph rendered", "Failed to load image", "Failed to load stylesheet",
                  "Failed to load font")


class RenderError(RuntimeError):
    """The document could not be rendered correctly; nothing should be issued."""


class _Trap(logging.Handler):
    """Collects what WeasyPrint logs about broken output during one render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(_BROKEN_OUTPUT):
            self.problems.append(message.splitlines()[0][:300])


class _LocalFetcher(URLFetcher):
    """Fetches `data:` URIs and files inside the allowed folders; refuses everything else."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed):
                raise ValueError(f"resource outside the template folders: {path.name}")
        return super().fetch(url, headers)


class PdfRenderer:
    """Renders HTML documents to PDF bytes; one per process (fonts are loaded once)."""

    # WeasyPrint logs through one global logger; renders in one process run one at a time.
    _lock = threading.Lock()

    def __init__(self, fonts_dir: Path, resource_dirs: list[Path]):
        self.fonts_dir = fonts_dir
        self.resource_dirs = [*resource_dirs, fonts_dir]
        actual_text.install()
        self.font_config = FontConfiguration()
        self.base_css = CSS(string=self._font_faces(), font_config=self.font_config)

    def allow(self, resource_dirs: list[Path]) -> None:
        """Read resources from `resource_dirs` (and the fonts) from now on."""
        self.resource_dirs = [*resource_dirs, self.fonts_dir]

    def _font_faces(self) -> str:
        rules = []
        for weight, value in WEIGHTS.items():
            uri = static_font_path(weight, self.fonts_dir).as_uri()
            rules.append(
                f'@font-face {{ font-family: "Noto Sans Khmer"; src: url("{uri}"); font-weight: {value}; }}'
            )
        return "\n".join(rules)

    def render(self, html: str, base_dir: Path, *, tagged: bool = True) -> bytes:
        """PDF bytes of `html`; relative URLs resolve inside `base_dir`. Raises RenderError.

        `tagged=False` for a fragment drawn into another page (the QR stamp): its structure tags
        would point into a structure tree the page does not have."""
        document = HTML(
            string=break_html_text(html),
            base_url=str(base_dir.resolve()) + "/",
            url_fetcher=_LocalFetcher(self.resource_dirs),
        )
        trap = _Trap()
        logger = logging.getLogger("weasyprint")
        with self._lock:
            logger.addHandler(trap)
            try:
                pdf = document.write_pdf(stylesheets=[self.base_css], font_config=self.font_config,
                                         pdf_variant=PDF_VARIANT if tagged else None)
            finally:
                logger.removeHandler(trap)
        if trap.problems:
            raise RenderError("; ".join(dict.fromkeys(trap.problems)))
        return pdf
