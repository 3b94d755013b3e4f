"""`flask users ...`: staff and administrator accounts from the command line.

Nobody who creates an account learns its credentials. A staff member gets a one-time enrolment link
by email (through the outbox: a worker must run) and chooses their own password and authenticator
app. The first administrator has nobody to send them a link, and mail may not be set up yet, so
`create-admin` prints their one-time link here instead (valid 72 hours, works once); an
administrator's link is always printed, a staff member's never is.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import people
from portal.domain import staff_accounts
from portal.domain.i18n.formatting import date_time
from portal.domain.identity import enrolment
from portal.extensions import db

group = AppGroup("users", help="Accounts: staff and administrators.")


def _create(make):
    require_database()
    try:
        person = make()
    except staff_accounts.StaffingError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    return person


def _expiry(person) -> str:
    return date_time(person.enrolment_expires_at, "medium", "en")


def _print_link(person) -> None:
    click.echo(f"Enrolment link:   {enrolment.link(person)}")
    click.echo(f"It works once, until {_expiry(person)} (Cambodia time). Give it to the administrator "
               "in person or over a channel you trust: whoever opens it first sets up the account.")


@group.command("create-staff")
@click.option("--email", required=True, help="Work email address; the staff member signs in with it.")
@click.option("--name-km", required=True, help="Name in Khmer script.")
@click.option("--name-latin", required=True, help="Name in Latin letters, as in the passport.")
@click.option("--agency", "agencies", multiple=True, required=True,
              help="Agency slug (see services/agencies.yaml); repeat together with --role.")
@click.option("--role", "roles", multiple=True, required=True,
              help="clerk, supervisor or cashier; the n-th --role goes with the n-th --agency.")
def create_staff(email: str, name_km: str, name_latin: str, agencies: tuple[str, ...],
                 roles: tuple[str, ...]) -> None:
    """Create a staff account with one or more agency roles (e.g. --agency moc --role clerk) and email
    the staff member an enrolment link."""
    if len(agencies) != len(roles):
        raise click.ClickException(
            f"give one --role for each --agency (got {len(agencies)} agencies and {len(roles)} roles)"
        )
    person = _create(lambda: staff_accounts.create_staff(
        email=email, name_km=name_km, name_latin=name_latin, roles=zip(agencies, roles, strict=True)
    ))
    granted = ", ".join(f"{role} at {agency}" for agency, role in zip(agencies, roles, strict=True))
    click.echo(f"Created staff account {person.email}: {granted}.")
    click.echo(f"An enrolment link is being emailed to {person.email}; it works once, until {_expiry(person)} "
               "(Cambodia time).")


@group.command("create-admin")
@click.option("--email", required=True, help="Email address; the administrator signs in with it.")
@click.option("--name-km", default=None, help="Name in Khmer script (optional).")
@click.option("--name-latin", default=None, help="Name in Latin letters (optional).")
def create_admin(email: str, name_km: str | None, name_latin: str | None) -> None:
    """Create an administrator account and print its one-time enrolment link."""
    person = _create(lambda: staff_accounts.create_admin(email=email, name_km=name_km, name_latin=name_latin))
    click.echo(f"Created administrator account {person.email}.")
    _print_link(person)


@group.command("send-enrolment")
@click.option("--email", required=True, help="The account's email address.")
def send_enrolment(email: str) -> None:
    """A new enrolment link for an account (earlier links stop working): emailed to staff, printed
    here for administrators. The current password and authenticator keep working until it is used."""
    require_database()
    person = people.get_by_email(email)
    if person is None or not person.needs_totp:
        raise click.ClickException(f"no staff or administrator account has the email address {email.strip()}")
    if not person.is_active:
        raise click.ClickException("the account is deactivated; reactivate it first")
    if person.is_admin:
        enrolment.start(person)
        db.session.commit()
        _print_link(person)
        return
    enrolment.send_link(person)
    db.session.commit()
    click.echo(f"A new enrolment link is being emailed to {person.email}; it works once, until "
               f"{_expiry(person)} (Cambodia time).")
