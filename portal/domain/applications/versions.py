"""Pinning: an application keeps the exact definition it started on.

The definition's YAML text is stored once per content hash (`service_versions`); an application
points at its row and is always read with that text, whatever `services/` says now.
"""

from __future__ import annotations

from flask import current_app

from portal.data import applications as application_data
from portal.domain.catalogue import Service, get_catalogue
from portal.domain.catalogue.loader import load_service_text


def pin(service: Service):
    return application_data.pin_version(service.slug, service.version, service.content_hash, service.raw)


def definition_for(application) -> Service:
    """The Service an application was started on (parsed once per process and version)."""
    # Keyed by content, not by row id: a rolled-back row's id can be handed out again.
    cache = current_app.extensions.setdefault("pinned_services", {})
    version = application.service_version
    key = (version.slug, version.content_hash)
    if key not in cache:
        root = current_app.config["SERVICES_PATH"]
        catalogue = get_catalogue()
        current = catalogue.get(version.slug)
        if current is not None and current.content_hash == version.content_hash:
            cache[key] = current
        else:
            cache[key] = load_service_text(version.definition, root / version.slug / "service.yaml", root,
                                                  catalogue.agencies, catalogue.categories)
    return cache[key]
