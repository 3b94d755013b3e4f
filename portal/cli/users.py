"""`flask users ...`: staff and administrator accounts from the command line.

The initial password and the TOTP secret are printed once, here, and never again: the
database keeps only the password's hash.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal import staffing
from portal.cli.checks import require_database
from portal.extensions import db

group = AppGroup("users", help="Accounts: staff and administrators.")


def _print_credentials(account: staffing.NewAccount) -> None:
    click.echo(f"Initial password: {account.password}")
    click.echo(f"TOTP secret:      {account.totp_secret}")
    click.echo(f"otpauth URI:      {account.otpauth_uri}")
    click.echo("These are shown only once: hand them to the person directly, never by email.")


def _create(make) -> staffing.NewAccount:
    require_database()
    try:
        account = make()
    except staffing.StaffingError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    return account


@group.command("create-staff")
@click.option("--email", required=True, help="Work email address; the staff member signs in with it.")
@click.option("--name-km", required=True, help="Name in Khmer script.")
@click.option("--name-latin", required=True, help="Name in Latin letters, as in the passport.")
@click.option("--agency", "agencies", multiple=True, required=True,
              help="Agency slug (see services/agencies.yaml); repeat together with --role.")
@click.option("--role", "roles", multiple=True, required=True,
              help="clerk or supervisor; the n-th --role goes with the n-th --agency.")
def create_staff(email: str, name_km: str, name_latin: str, agencies: tuple[str, ...],
                 roles: tuple[str, ...]) -> None:
    """Create a staff account with one or more agency roles (e.g. --agency moc --role clerk)."""
    if len(agencies) != len(roles):
        raise click.ClickException(
            f"give one --role for each --agency (got {len(agencies)} agencies and {len(roles)} roles)"
        )
    account = _create(lambda: staffing.create_staff(
        email=email, name_km=name_km, name_latin=name_latin, roles=zip(agencies, roles, strict=True)
    ))
    granted = ", ".join(f"{role} at {agency}" for agency, role in zip(agencies, roles, strict=True))
    click.echo(f"Created staff account {account.person.email}: {granted}.")
    _print_credentials(account)


@group.command("create-admin")
@click.option("--email", required=True, help="Email address; the administrator signs in with it.")
@click.option("--name-km", default=None, help="Name in Khmer script (optional).")
@click.option("--name-latin", default=None, help="Name in Latin letters (optional).")
def create_admin(email: str, name_km: str | None, name_latin: str | None) -> None:
    """Create an administrator account (signs in with a password and a TOTP code)."""
    account = _create(lambda: staffing.create_admin(email=email, name_km=name_km, name_latin=name_latin))
    click.echo(f"Created administrator account {account.person.email}.")
    _print_credentials(account)
