"""The service catalogue: definitions read from `services/`, loaded once per process."""

from __future__ import annotations

from flask import current_app

from portal.catalogue.loader import DefinitionError, load_catalogue
from portal.catalogue.model import Agency, Catalogue, Category, Fee, Field, Service, Step

__all__ = [
    "Agency", "Catalogue", "Category", "DefinitionError", "Fee", "Field", "Service", "Step", "get_catalogue",
    "load_catalogue",
]


def get_catalogue() -> Catalogue:
    catalogue = current_app.extensions.get("catalogue")
    if catalogue is None:
        catalogue = load_catalogue(current_app.config["SERVICES_PATH"])
        current_app.extensions["catalogue"] = catalogue
    return catalogue
