"""The agency choices of the administrator's staff pages, kept short with ~1,900 offices in the country.

Without a province chosen: the ministries and departments, the offices already set up (someone holds a
role there, or agencies.yaml lists them), and the 25 province and capital offices. With a province chosen:
also that province's district, khan and municipal offices, each with its commune and sangkat offices, one
group per district (at most ~120 choices).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.data import agencies as agency_data
from portal.domain.catalogue import Agency, get_catalogue
from portal.domain.catalogue.model import DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND, is_routing_placeholder
from portal.domain.geo import places

CENTRAL = "central"
STAFFED = "staffed"
PROVINCES = "provinces"


@dataclass(frozen=True)
class AgencyGroup:
    key: str  # CENTRAL, STAFFED, PROVINCES, or "district" for one district's offices
    agencies: tuple[Agency, ...]
    name: dict[str, str] | None = None  # a district group's name: its district office's


def province_or_none(code: str | None) -> str | None:
    """A province code from the address data, or None for anything else (a filter, never trusted)."""
    return code if code and places.by_code("province", code) is not None else None


def agency_groups(province: str | None) -> list[AgencyGroup]:
    catalogue = get_catalogue()
    offices = catalogue.all_agencies()
    staffed = agency_data.staffed_slugs()
    groups = [
        AgencyGroup(CENTRAL, tuple(a for a in catalogue.agencies.values()
                                   if not a.is_local_office and not a.is_routing_placeholder)),
        AgencyGroup(STAFFED, tuple(a for a in offices if a.is_local_office
                                   and (a.slug in staffed or a.slug in catalogue.agencies))),
        AgencyGroup(PROVINCES, tuple(a for a in offices if a.kind == PROVINCE_OFFICE_KIND)),
    ]
    province = province_or_none(province)
    if province is not None:
        for district in (a for a in offices if a.kind == DISTRICT_OFFICE_KIND and a.province_code == province):
            below = tuple(a for a in offices if a.district_code == district.district_code
                          and a.kind != DISTRICT_OFFICE_KIND)
            groups.append(AgencyGroup("district", (district, *below), name=dict(district.name)))
    return [group for group in groups if group.agencies]


def provinces() -> list[places.Place]:
    return list(places.children("province"))


def is_assignable(slug: str | None) -> bool:
    """A role may be given at any agency row (each listed agency and each local office), not the placeholder."""
    row = agency_data.get_by_slug(slug) if slug and len(slug) <= SLUG_MAX else None
    return row is not None and not is_routing_placeholder(row)


SLUG_MAX = 60  # agencies.slug
