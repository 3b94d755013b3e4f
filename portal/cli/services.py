from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.data import agencies as agency_data
from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.extensions import db

group = AppGroup("services", help="Service definitions in services/.")


@group.command("validate")
def validate() -> None:
    """Check every service definition; exit non-zero on the first error."""
    from portal.domain.catalogue.samples import load_samples

    root = current_app.config["SERVICES_PATH"]
    try:
        catalogue = load_catalogue(root)
        for service in catalogue.services:
            load_samples(root, service)  # the sample answers the generic test walks the service with
    except DefinitionError as error:
        raise click.ClickException(str(error)) from None
    for service in catalogue.services:
        click.echo(f"ok  {service.source}  (version {service.version}, {service.status})")


@group.command("sync-agencies")
def sync_agencies() -> None:
    """Create or update the agencies: those listed in services/agencies.yaml and every commune, district and
    province office of the address data."""
    from portal.cli.checks import require_database

    require_database()
    started = time.perf_counter()
    catalogue = load_catalogue(current_app.config["SERVICES_PATH"])
    agencies = catalogue.all_agencies()
    created = agency_data.sync(agencies)
    db.session.commit()
    click.echo(f"{len(agencies)} agencies ({created} new) in {time.perf_counter() - started:.2f} s.")
