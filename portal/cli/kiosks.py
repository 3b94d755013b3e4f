"""`flask kiosks`: centres and kiosks from the command line (the admin pages do the same): list them,
and issue a kiosk a new one-time enrolment link (the old one stops working)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import kiosks as kiosk_data
from portal.data import people
from portal.domain import assisted, kiosks, staff_accounts
from portal.domain.identity import enrolment
from portal.domain.identity.contacts import ContactError, parse_contact
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


@group.command("operators")
def list_operators() -> None:
    """Every centre's operators."""
    require_database()
    for operator in assisted.operators():
        person = operator.person
        state = "" if person.is_active else "  (deactivated)"
        click.echo(f"{operator.centre.slug}  {person.public_id}  {person.display_name}  "
                   f"{person.email or person.phone or ''}{state}")


def _contact(text: str):
    try:
        return parse_contact(text)
    except ContactError as error:
        raise click.ClickException(str(error.message)) from None


@group.command("operator-add")
@click.argument("centre_slug")
@click.argument("email_or_phone")
@click.option("--name-km", default=None, help="Name in Khmer (for a new account).")
@click.option("--name-latin", default=None, help="Name in Latin letters (for a new account).")
def add_operator(centre_slug: str, email_or_phone: str, name_km: str | None, name_latin: str | None) -> None:
    """Make the account EMAIL_OR_PHONE an operator of the centre CENTRE_SLUG; an email address with no account
    gets a new one. Prints the enrolment link (password and authenticator) when the person needs one."""
    require_database()
    centre = kiosk_data.centre_by_slug(centre_slug)
    if centre is None:
        raise click.ClickException(f"no centre {centre_slug!r}; see `flask kiosks list`")
    contact = _contact(email_or_phone)
    try:
        added = assisted.add_operator(None, centre, contact.kind, contact.value, name_km=name_km,
                                      name_latin=name_latin, send_link=False)
    except assisted.NeedsEmail:
        raise click.ClickException("no account has this phone number; a new operator is made from an email "
                                   "address") from None
    except assisted.CannotBeOperator:
        raise click.ClickException("this account is deactivated or a guest record") from None
    except assisted.AlreadyOperator as refused:
        raise click.ClickException(f"already an operator of {refused.centre.slug}") from None
    except staff_accounts.StaffingError as refused:
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    person = added.operator.person
    click.echo(f"{'New account' if added.new_account else 'Account'} {person.public_id} is now an operator of "
               f"{centre.slug}.")
    if added.enrolment_started:
        click.echo("Enrolment link (password and authenticator app; valid 72 hours, once):")
        click.echo(enrolment.link(person))


@group.command("operator-remove")
@click.argument("email_or_phone")
def remove_operator(email_or_phone: str) -> None:
    """The account EMAIL_OR_PHONE is no longer an operator."""
    require_database()
    contact = _contact(email_or_phone)
    person = people.get_by_contact(contact.kind, contact.value)
    try:
        centre = assisted.remove_operator(None, person)
    except assisted.NotOperator:
        raise click.ClickException("no operator has this email address or phone number") from None
    db.session.commit()
    click.echo(f"{person.public_id} is no longer an operator of {centre.slug}.")


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
