"""Help and trust pages: how to apply and what each status means, where the offices are and how to
complain, and the privacy notice. Public and cacheable like the catalogue: they store no session and
show nothing about the visitor; everything on them is read from the definitions in `services/`."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.domain.applications.status_guide import COMMON_STATUSES, status_guide
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.routing import may_route_to

blueprint = Blueprint("help", __name__)


@blueprint.get("/help")
def help_page():
    return render_template("pages/public/help.html", common_statuses=COMMON_STATUSES,
                           services=status_guide(get_catalogue()))


@blueprint.get("/contact")
def contact():
    catalogue = get_catalogue()
    offices = [agency for agency in catalogue.agencies.values() if not agency.is_routing_placeholder]
    return render_template(
        "pages/public/contact.html",
        head_offices=[(office, _services_of(office, catalogue)) for office in offices if not office.is_commune_office],
        commune_offices=[(office, _services_of(office, catalogue)) for office in offices if office.is_commune_office],
    )


@blueprint.get("/privacy")
def privacy():
    services = [service for service in get_catalogue().services if service.status != "draft"]
    return render_template("pages/public/privacy.html", services=services)


def _services_of(office, catalogue) -> list:
    """The services an office handles: those naming it, and those whose routing can send a case to it
    (a commune office for a service routed to the commune office of the applicant's address)."""
    return [service for service in catalogue.live() if office.slug in service.agencies or may_route_to(service, office)]
