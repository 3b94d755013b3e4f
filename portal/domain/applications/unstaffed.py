"""Offices that hold open cases while nobody works there yet.

Every commune, district and province office exists (generated from the address data), so a case is
routed to its office whether or not anyone has been given a role there. It waits in that office's queue,
and nobody is told about it (escalation tells an office's own supervisors, and it has none), until an
administrator appoints staff. This list is how people above notice:

- an administrator sees every such office in the country;
- a supervisor of a province (or capital) office sees those in their province: its district, khan and
  municipal offices and its commune and sangkat offices;
- a supervisor of a district, khan or municipal office sees the commune and sangkat offices in it;
- anyone else (a commune office's or a ministry's supervisor) has no offices below them: the page says so.

It shows counts and office names only: no case, reference or applicant, and nothing to open.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from portal.data import queues
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.model import DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND, Agency
from portal.domain.geo import places


@dataclass(frozen=True)
class UnstaffedOffice:
    slug: str
    name: dict[str, str]
    province: dict[str, str]  # the province it is in ({} for a ministry or department)
    open: int
    overdue: int


@dataclass(frozen=True)
class Scope:
    """The places whose offices a viewer oversees: everything, or some provinces and districts."""

    everything: bool = False
    provinces: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return self.everything or bool(self.provinces or self.districts)

    def covers(self, agency: Agency | None) -> bool:
        if self.everything:
            return True
        if agency is None or not agency.is_local_office:
            return False
        return agency.province_code in self.provinces or agency.district_code in self.districts


def scope_of(supervised: Collection[str], *, is_admin: bool) -> Scope:
    """What a viewer oversees: an administrator everything; a supervisor the places under the province
    and district offices they supervise."""
    if is_admin:
        return Scope(everything=True)
    catalogue = get_catalogue()
    found = [catalogue.agency(slug) for slug in supervised]
    return Scope(
        provinces=frozenset(a.province_code for a in found if a and a.kind == PROVINCE_OFFICE_KIND),
        districts=frozenset(a.district_code for a in found if a and a.kind == DISTRICT_OFFICE_KIND),
    )


def unstaffed_offices(scope: Scope, now: datetime) -> list[UnstaffedOffice]:
    """The offices in `scope` with cases in their queue and no active clerk or supervisor, busiest first."""
    if not scope:
        return []
    catalogue = get_catalogue()
    shown = []
    for row in queues.unstaffed_queues(now):
        agency = catalogue.agency(row.agency)
        if not scope.covers(agency):
            continue
        province = places.by_code("province", agency.province_code) if agency and agency.province_code else None
        shown.append(UnstaffedOffice(
            slug=row.agency, name=dict(agency.name) if agency else {"km": row.agency, "en": row.agency},
            province={"km": province.name_km, "en": province.name_en} if province else {},
            open=row.open, overdue=row.overdue,
        ))
    return shown
