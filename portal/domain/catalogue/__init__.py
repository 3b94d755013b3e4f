"""The service catalogue: definitions read from `services/`, loaded once per process."""

from __future__ import annotations

from flask import current_app

from portal.domain.catalogue.loader import DefinitionError, load_catalogue
from portal.domain.catalogue.model import Agency, Catalogue, Category, Fee, Field, Service, Step

__all__ = [
    "Agency", "Catalogue", "Category", "DefinitionError", "Fee", "Field", "Service", "Step", "forget_loaded",
    "get_catalogue", "load_catalogue",
]

# Everything a process builds from `services/` once: the catalogue, the document template
# environment and the parsed pinned versions.
LOADED_FROM_SERVICES = ("catalogue", "pdf_templates", "pinned_services")


def get_catalogue() -> Catalogue:
    catalogue = current_app.extensions.get("catalogue")
    if catalogue is None:
        catalogue = load_catalogue(current_app.config["SERVICES_PATH"])
        current_app.extensions["catalogue"] = catalogue
    return catalogue


def forget_loaded(app) -> None:
    """Drop what was loaded from `services/`, so the next request reads the folder again."""
    for key in LOADED_FROM_SERVICES:
        app.extensions.pop(key, None)
