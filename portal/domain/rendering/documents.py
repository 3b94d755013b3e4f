"""Templates of issued documents (Jinja, bilingual) and the process's one PDF renderer.

Document templates live beside their service (`services/<slug>/*.html`) and extend the shared
layouts in `templates/pdf/`. They are rendered with their own Jinja environment: a document is
always bilingual, Khmer first, whatever language the person who triggered it was using.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from flask import current_app
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.domain.catalogue import get_catalogue, snapshots
from portal.domain.fields.kinds import KINDS
from portal.domain.i18n import formatting
from portal.domain.rendering.kept_templates import KeptTemplates
from portal.domain.rendering.keys import KeyRing
from portal.domain.rendering.pdf import PdfRenderer

DOCUMENT_LANGUAGES = ("km", "en")  # every document is bilingual, Khmer first


def _paths() -> tuple[Path, Path]:
    from portal.paths import PROJECT_ROOT

    return current_app.config["SERVICES_PATH"], PROJECT_ROOT / "templates" / "pdf"


def template_environment() -> Environment:
    environment = current_app.extensions.get("pdf_templates")
    if environment is None:
        services, layouts = _paths()
        # StrictUndefined: a template that names data it was not given fails the job, loudly.
        environment = Environment(
            # A template kept with a pinned version (`@pinned/...`) first, then the folders' files.
            loader=ChoiceLoader([KeptTemplates(), FileSystemLoader([str(services), str(layouts)])]),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        environment.filters.update(km_digits=partial(formatting.digits, locale="km"), **document_filters(),
                                   **list_filters())
        # `service_file("seals/x.svg")`: a file of the services folder (an agency's seal), wherever the
        # template that names it lives; the renderer only loads files from the allowed folders. A retired
        # office's seal kept with a pinned version is already a `data:` URI (catalogue/snapshots.py).
        environment.globals["service_file"] = \
            lambda path: path if path.startswith("data:") else (services / path).resolve().as_uri()
        current_app.extensions["pdf_templates"] = environment
    return environment


def document_filters() -> dict:
    """`km_<name>` and `en_<name>` for each field kind that says how a document writes its value
    (`km_date`, `en_money`, `km_address`, ...)."""
    filters = {}
    for kind in KINDS.values():
        if kind.document_filter:
            for locale in DOCUMENT_LANGUAGES:
                filters[f"{locale}_{kind.document_filter}"] = partial(_in_language, kind.document, locale)
    return filters


def list_filters() -> dict:
    """`km_list` and `en_list`: the label of an answer from a list, `{{ nationality|km_list('nationalities') }}`."""
    return {f"{locale}_list": partial(_list_label, locale) for locale in DOCUMENT_LANGUAGES}


def _list_label(locale: str, value, name: str) -> str:
    return get_catalogue().lists.label(name, value, locale)


def _in_language(document, locale: str, value, *args):
    return document(value, locale, *args)


def render_html(template: str, context: dict) -> tuple[str, Path]:
    """The HTML of a document and the folder its relative resources resolve in."""
    services, _layouts = _paths()
    html = template_environment().get_template(template).render(**context)
    base_dir = (services / snapshots.folder_name(template)).parent
    return html, base_dir


def get_renderer() -> PdfRenderer:
    from portal.paths import PROJECT_ROOT

    services, layouts = _paths()
    folders = [services, layouts, PROJECT_ROOT / "static"]
    renderer = current_app.extensions.get("pdf_renderer")
    if renderer is None:
        renderer = PdfRenderer(Path(current_app.instance_path) / "fonts", folders)
        current_app.extensions["pdf_renderer"] = renderer
    else:
        # The renderer (and its loaded fonts) outlives a change of SERVICES_PATH (`forget_loaded`); the
        # folders it may read from (an agency's seal under services/) follow the current one.
        renderer.allow(folders)
    return renderer


def get_keyring() -> KeyRing:
    return KeyRing(current_app.config["PORTAL_SETTINGS"].signing_keys_path)
