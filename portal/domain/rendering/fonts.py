"""Noto Sans Khmer, cut once from the variable font into static instances.

The packaged font is one variable TTF (wdth, wght axes, ~360 KB). Static Regular and Bold
instances render PDFs ~2x faster (LIBRARY-NOTES) and, as WOFF2, weigh a fraction of the TTF
for phones on slow connections. They are made on first use and kept under `instance/fonts/`.
"""

from __future__ import annotations

import threading
from pathlib import Path

import fontpkg
from flask import current_app
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

WEIGHTS = {"regular": 400, "bold": 700}
_lock = threading.Lock()


def variable_font_path() -> Path:
    return Path(fontpkg.path("Noto Sans Khmer"))


def static_font_path(weight: str, directory: Path, flavor: str = "ttf") -> Path:
    """The static instance for `weight` ("regular" or "bold"), made if missing."""
    target = directory / f"NotoSansKhmer-{weight}.{flavor}"
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            directory.mkdir(parents=True, exist_ok=True)
            font = TTFont(variable_font_path())
            instance = instantiateVariableFont(font, {"wght": WEIGHTS[weight], "wdth": 100}, static=True)
            if flavor == "woff2":
                instance.flavor = "woff2"
            partial = target.with_suffix(f".{flavor}.part")
            instance.save(partial)
            partial.replace(target)  # readers never see half a file
    return target


def web_font_path(name: str) -> Path | None:
    """`noto-sans-khmer-regular` -> its WOFF2 file; None for any other name."""
    prefix = "noto-sans-khmer-"
    weight = name.removeprefix(prefix)
    if not name.startswith(prefix) or weight not in WEIGHTS:
        return None
    return static_font_path(weight, Path(current_app.instance_path) / "fonts", flavor="woff2")
