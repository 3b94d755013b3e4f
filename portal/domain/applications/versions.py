"""Pinning: an application keeps the exact definition it started on.

The definition's YAML text and the text of its document templates are stored once per content hash
(`service_versions`), with the definitions of the agencies and the category it names; an application
points at its row and is always read with them, whatever `services/` says now (docs/services.md §10).
Rows pinned before the templates and agencies were kept (migration 0027) are read with the current ones.
"""

from __future__ import annotations

from flask import current_app

from portal.data import applications as application_data
from portal.domain.catalogue import Agency, Service, get_catalogue, snapshots
from portal.domain.catalogue.loader import load_service_text


def pin(service: Service):
    catalogue = get_catalogue()
    root = current_app.config["SERVICES_PATH"]
    named = dict.fromkeys(service.agencies)  # an output's issued_by is one of them
    agencies = {slug: snapshots.agency_record(catalogue.agencies[slug], root) for slug in named
                if slug in catalogue.agencies}
    categories = {service.category: snapshots.category_record(catalogue.categories[service.category])}
    return application_data.pin_version(service.slug, service.version, service.content_hash, service.raw,
                                        templates=service.templates, agencies=agencies, categories=categories)


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
            # The current definition of an agency or category wins; a kept one stands in for one that is gone.
            cache[key] = load_service_text(
                version.definition, root / version.slug / "service.yaml", root,
                snapshots.with_kept_agencies(catalogue.agencies, version.agencies),
                snapshots.with_kept_categories(catalogue.categories, version.categories),
                templates=version.templates)
    return cache[key]


def agency_for(application, slug: str | None) -> Agency | None:
    """The agency `slug` as an application's documents name it: its current definition (a renamed office
    prints its current name and seal), else the one its version kept (a retired office, as last known)."""
    return get_catalogue().agency(slug) or snapshots.kept_agency(application.service_version.agencies, slug)


def template_of(application, service: Service, output) -> str:
    """The name a document request renders `output` with: the text its version kept, else (a version pinned
    before templates were kept) the file in the service's folder."""
    version = application.service_version
    if version.templates is not None and output.template in version.templates:
        return snapshots.template_name(version.slug, version.content_hash, output.template)
    return f"{service.slug}/{output.template}"
