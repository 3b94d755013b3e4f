"""Where the project's folders are: the repository root holds services/, templates/, static/ and
translations/ beside the `portal` package."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
