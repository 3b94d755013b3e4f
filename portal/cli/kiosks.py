"""`flask kiosks`: centres and kiosks from the command line (the admin pages do the same): list them,
and issue a kiosk a new one-time enrolment link (the old one stops working)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import kiosks as kiosk_data
from portal.domain import kiosks
from portal.domain.links import external_url
from portal.extensions import db

group = AppGroup("kiosks", help="Centres and their kiosks.")


@group.command("list")
def list_kiosks() -> None:
    """Every centre and its kiosks, with their state."""
    require_database()
    for centre in kiosk_data.centres():
        click.echo(f"{centre.slug}  {centre.name_en}  ({centre.kind}, commune {centre.commune_code})")
        for kiosk in centre.kiosks:
            state = "revoked" if kiosk.revoked_at else "enrolled" if kiosk.device_digest else "not enrolled"
            click.echo(f"  {kiosk.public_id}  {kiosk.name}  {kiosk.printer_kind}  {state}")


@group.command("link")
@click.argument("public_id")
def new_link(public_id: str) -> None:
    """Print a new enrolment link for the kiosk PUBLIC_ID (valid 24 hours, once)."""
    require_database()
    kiosk = kiosk_data.kiosk(public_id)
    if kiosk is None:
        raise click.ClickException(f"no kiosk {public_id!r}; see `flask kiosks list`")
    secret = kiosks.issue_link(None, kiosk)
    db.session.commit()
    click.echo(external_url("kiosk.enrol", secret=secret))


def demo_kiosk() -> tuple[str, str, str]:
    """The demo Community Tech Center in Battambang and its kiosk, made once; a fresh enrolment link on
    every run. (centre name, kiosk name, link); the caller commits."""
    centre = kiosk_data.centre_by_slug(DEMO_CENTRE["slug"])
    if centre is None:
        centre = kiosks.create_centre(None, **DEMO_CENTRE)
    kiosk = next((k for k in centre.kiosks if k.name == DEMO_KIOSK_NAME), None)
    if kiosk is None:
        kiosk, secret = kiosks.register_kiosk(None, centre=centre, name=DEMO_KIOSK_NAME, printer_kind="thermal80",
                                              province="02", district="0203", commune="020301")
    else:
        secret = kiosks.issue_link(None, kiosk)
    return centre.name_en, kiosk.name, external_url("kiosk.enrol", secret=secret)


DEMO_CENTRE = {"slug": "demo-ctc-battambang", "name_km": "មជ្ឈមណ្ឌលបច្ចេកវិទ្យាសហគមន៍បាត់ដំបង (សាកល្បង)",
               "name_en": "Battambang Community Tech Center (demo)", "kind": "tech_center",
               "province": "02", "district": "0203", "commune": "020301"}
DEMO_KIOSK_NAME = "Demo kiosk 1"
