"""`flask demo load`: demo accounts for trying the portal on a development machine.

It creates, once: a citizen in Battambang (signs in with email or phone), a second citizen, the
business "Srey Sros Spice Shop" owned by the first with the second as a member, a clerk and a
supervisor for every agency office, a cashier at one office, and an administrator. Running it again creates nothing and
prints the same table. The passwords are fixed and written here so that testers can share them:

    citizens        sokha-rice-field-2026 / dara-mango-tree-2026
    staff           lotus-pond-office-2026
    administrator   palm-sugar-admin-2026

TOTP secrets are random when an account is created and read back from the database afterwards
(opened with the data key), so an authenticator app set up once keeps working. Demo accounts get
these known credentials directly (`staff_accounts.PresetCredentials`); real staff accounts never do: they
enrol with a one-time link. It also makes demo applications for the back
office (see `demo_cases`), once: not when the citizens already have applications. It refuses to run
in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli import demo_cases
from portal.cli.checks import require_database
from portal.cli.kiosks import DEMO_CENTRE, demo_kiosk
from portal.data import agencies as agency_data
from portal.data import kiosks as kiosk_data
from portal.data import organisations, people
from portal.domain import assisted, staff_accounts
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.identity import totp
from portal.domain.identity.passwords import hash_password
from portal.domain.staff_accounts.rules import is_office
from portal.extensions import db

group = AppGroup("demo", help="Demo data for development.")

EMAIL_DOMAIN = "demo.onewindow.gov.kh"
# Published on purpose (see above); `flask demo load` refuses to run in production.
CITIZEN_PASSWORD = "sokha-rice-field-2026"  # noqa: S105
MEMBER_PASSWORD = "dara-mango-tree-2026"  # noqa: S105
STAFF_PASSWORD = "lotus-pond-office-2026"  # noqa: S105
ADMIN_PASSWORD = "palm-sugar-admin-2026"  # noqa: S105

CITIZEN = {
    "email": f"sokha@{EMAIL_DOMAIN}",
    "phone": "+85512345678",
    "name_km": "សុខ សុខា",
    "name_latin": "Sok Sokha",
    "national_id": "020310001",
    "date_of_birth": date(1990, 4, 14),
    "province_code": "02",
    "district_code": "0203",
    "commune_code": "020310",
    "village_code": "02031002",  # Kampong Krabei, Svay Por, Battambang
    "street": "No. 12, Street 3",
}
MEMBER = {
    "phone": "+85517234567",
    "name_km": "ចាន់ ដារា",
    "name_latin": "Chan Dara",
}
BUSINESS = {"name_km": "ហាងលក់គ្រឿងទេសស្រីស្រស់", "name_en": "Srey Sros Spice Shop"}
# Staff names, handed out in order; the email address says which agency and role an account has.
STAFF_NAMES = [
    ("កែវ វណ្ណា", "Keo Vanna"), ("ហេង សុវណ្ណ", "Heng Sovann"), ("លី ស្រីនាង", "Ly Sreyneang"),
    ("មាស សុផល", "Meas Sophal"), ("ឈិន ពិសិដ្ឋ", "Chhin Piseth"), ("នួន បុប្ផា", "Nuon Bopha"),
    ("សែម រតនា", "Sem Rathana"), ("ពៅ ច័ន្ទធី", "Pov Chanthy"), ("អ៊ុំ វិចិត្រ", "Um Vichet"),
    ("យិន សុភាព", "Yin Sopheap"),
]
CASE_ROLES, CASHIER = ("clerk", "supervisor"), "cashier"
OPERATOR_NAMES = ("ចាន់ ដារ៉ា", "Chan Dara")
CASHIER_NAMES = ("ស៊ុន សុខលី", "Sun Sokly")
ADMIN = {"email": f"admin@{EMAIL_DOMAIN}", "name_km": "ទេព សុធានី", "name_latin": "Tep Sotheany"}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    agency: str
    sign_in: str
    password: str
    totp_secret: str | None = None

    @property
    def otpauth_uri(self) -> str | None:
        return totp.otpauth_uri(self.totp_secret, self.sign_in) if self.totp_secret else None


class Loader:
    """Creates what is missing and remembers how many accounts were new."""

    def __init__(self) -> None:
        self.created = 0
        self._staff_password_hash: str | None = None

    def citizen(self, fields: dict, password: str):
        existing = (people.get_by_email(fields["email"]) if fields.get("email")
                    else people.get_by_phone(fields["phone"]))
        if existing is not None:
            return existing
        self.created += 1
        return people.create(password_hash=hash_password(password), **fields)

    def staff(self, agency_slug: str, role: str, names: tuple[str, str]):
        email = f"{role}.{agency_slug}@{EMAIL_DOMAIN}"
        existing = people.get_by_email(email)
        if existing is not None:
            return existing
        self.created += 1
        # One Argon2 hash for the shared demo password instead of one per account: much quicker, and
        # a shared salt reveals nothing about a password that is published anyway.
        self._staff_password_hash = self._staff_password_hash or hash_password(STAFF_PASSWORD)
        preset = staff_accounts.PresetCredentials(self._staff_password_hash, totp.new_secret())
        return staff_accounts.create_staff(email=email, name_km=names[0], name_latin=names[1],
                                           roles=[(agency_slug, role)], preset=preset)

    def admin(self):
        existing = people.get_by_email(ADMIN["email"])
        if existing is not None:
            return existing
        self.created += 1
        preset = staff_accounts.PresetCredentials(hash_password(ADMIN_PASSWORD), totp.new_secret())
        return staff_accounts.create_admin(preset=preset, **ADMIN)


def demo_operator(centre_slug: str) -> DemoAccount:
    """The demo centre's operator (assisted service, docs/kiosks.md): the staff password and a TOTP secret.
    Made once; the caller commits."""
    email = f"operator@{EMAIL_DOMAIN}"
    person = people.get_by_email(email)
    if person is None:
        person = people.create(email=email, password_hash=hash_password(STAFF_PASSWORD),
                               name_km=OPERATOR_NAMES[0], name_latin=OPERATOR_NAMES[1])
        totp.store(person, totp.new_secret())
        assisted.make_operator(person, kiosk_data.centre_by_slug(centre_slug))
    return DemoAccount("kiosk operator", "-", email, STAFF_PASSWORD, totp.secret_of(person))


def load_demo() -> tuple[list[DemoAccount], int, demo_cases.Summary]:
    """Create the missing demo records; returns every demo account, how many were new, and how many
    demo applications there are (and were new)."""
    catalogue = get_catalogue()
    agency_data.sync(catalogue.all_agencies())
    loader = Loader()
    citizen = loader.citizen(CITIZEN, CITIZEN_PASSWORD)
    member = loader.citizen(MEMBER, MEMBER_PASSWORD)
    business = next((o for o in organisations.for_member(citizen) if o.name_en == BUSINESS["name_en"]), None)
    if business is None:
        business = organisations.create(owner=citizen, **BUSINESS)
    if organisations.membership(business, member) is None:
        organisations.add_member(business, member, "member")

    accounts = [
        DemoAccount("citizen, business owner", "-", f"{citizen.email} or {citizen.phone}", CITIZEN_PASSWORD),
        DemoAccount("citizen, business member", "-", member.phone, MEMBER_PASSWORD),
    ]
    offices = [a for a in catalogue.agencies.values() if is_office(a)]
    names = iter(STAFF_NAMES * (2 * len(offices) // len(STAFF_NAMES) + 1))
    staff = {}
    for agency in offices:
        # The case roles, and those agencies.yaml declares for the office (a district's technical officer).
        for role in (*CASE_ROLES, *agency_roles.of(catalogue, agency.slug)):
            person = staff[(agency.slug, role)] = loader.staff(agency.slug, role, next(names))
            accounts.append(DemoAccount(role, agency.slug, person.email, STAFF_PASSWORD, totp.secret_of(person)))
    # One cashier, at the first office (the counter and the finance page); the cases need none.
    if offices:
        cashier = loader.staff(offices[0].slug, CASHIER, CASHIER_NAMES)
        accounts.append(DemoAccount(CASHIER, offices[0].slug, cashier.email, STAFF_PASSWORD, totp.secret_of(cashier)))
    admin = loader.admin()
    accounts.append(DemoAccount("administrator", "-", admin.email, ADMIN_PASSWORD, totp.secret_of(admin)))
    applications = demo_cases.load(demo_cases.DemoPeople(sokha=citizen, dara=member, shop=business, staff=staff))
    return accounts, loader.created, applications


def print_table(accounts: list[DemoAccount]) -> None:
    headers = ("ROLE", "AGENCY", "SIGN IN WITH", "PASSWORD", "TOTP SECRET")
    rows = [(a.role, a.agency, a.sign_in, a.password, a.totp_secret or "-") for a in accounts]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for account, row in zip(accounts, rows, strict=True):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if account.otpauth_uri:
            click.echo(f"    {account.otpauth_uri}")


@group.command("load")
def load() -> None:
    """Create the demo accounts (idempotent) and print them."""
    if current_app.config["PORTAL_SETTINGS"].production:
        raise click.ClickException("demo data is for development only; refusing to run with PORTAL_ENV=production")
    require_database()
    try:
        accounts, created, applications = load_demo()
        centre_name, kiosk_name, kiosk_link = demo_kiosk()
        accounts.append(demo_operator(DEMO_CENTRE["slug"]))
    except staff_accounts.StaffingError as error:
        db.session.rollback()
        raise click.ClickException(f"demo data: {error}") from None
    db.session.commit()
    click.echo(f"Demo data: {created} new account(s), {applications.created} new application(s); "
               f"business: {BUSINESS['name_en']} ({BUSINESS['name_km']}).")
    click.echo(f"Demo kiosk: {kiosk_name} at {centre_name}. Open this one-time link (24 hours) in the browser "
               f"that should become the kiosk (a new link on every run; docs/kiosks.md):\n    {kiosk_link}\n")
    click.echo("Demo accounts (development only). Staff and the administrator also need a TOTP code:")
    click.echo("add the secret, or the otpauth:// link under it, to an authenticator app.\n")
    print_table(accounts)
    click.echo(f"\nDemo applications: {applications.total}, in the queues of the offices above "
               "(/staff/queue; supervisors: /staff/dashboard).")
