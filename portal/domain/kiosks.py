"""Kiosks at centres (issue 14): registering them, their one-time enrolment links and their device credential.

A kiosk is enrolled by opening a one-time link in its browser. The link's secret is random and only its
SHA-256 is stored, with an expiry (ENROLMENT_HOURS) and the time it was used; issuing a new link replaces
the old one. Enrolling gives the browser a device secret (kept in a cookie by portal.web.kiosk.device,
stored here as its SHA-256); enrolling again replaces it, and revoking the kiosk ends it at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from portal.data import kiosks as kiosk_data
from portal.data.db import utcnow
from portal.data.models import Centre, Kiosk
from portal.domain import audit
from portal.domain.geo import places

ENROLMENT_HOURS = 24
CENTRE_KINDS = ("tech_center", "post_office", "commune_hall")
PRINTER_KINDS = ("a4", "thermal80")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) gives


class KioskError(Exception):
    """A refusal the web layer words for the person."""


class SlugTaken(KioskError):
    pass


class LinkNotUsable(KioskError):
    """Unknown, used or expired: the person is told the same for all three."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def place_is_valid(province: str | None, district: str | None, commune: str | None) -> bool:
    return (places.get("province", province) is not None and places.get("district", district, province) is not None
            and places.get("commune", commune, district) is not None)


def create_centre(admin, *, slug: str, name_km: str, name_en: str, kind: str,
                  province: str, district: str, commune: str) -> Centre:
    if kiosk_data.centre_by_slug(slug) is not None:
        raise SlugTaken(slug)
    centre = Centre(slug=slug, name_km=name_km, name_en=name_en, kind=kind, province_code=province,
                    district_code=district, commune_code=commune)
    kiosk_data.add(centre)
    audit.record_kiosk_change(admin, "centre_created", "centre", centre.public_id, kind=kind, commune=commune)
    return centre


def register_kiosk(admin, *, centre: Centre, name: str, printer_kind: str,
                   province: str, district: str, commune: str) -> tuple[Kiosk, str]:
    """The new kiosk and the secret of its first enrolment link (shown once, never stored)."""
    kiosk = Kiosk(centre=centre, name=name, printer_kind=printer_kind, province_code=province,
                  district_code=district, commune_code=commune)
    kiosk_data.add(kiosk)
    audit.record_kiosk_change(admin, "kiosk_registered", "kiosk", kiosk.public_id, centre=centre.slug,
                              printer=printer_kind)
    return kiosk, _new_link(kiosk)


def issue_link(admin, kiosk: Kiosk) -> str:
    """A new enrolment link; the previous one stops working. A revoked kiosk is brought back this way."""
    secret = _new_link(kiosk)
    audit.record_kiosk_change(admin, "enrolment_link_issued", "kiosk", kiosk.public_id)
    return secret


def _new_link(kiosk: Kiosk) -> str:
    secret = secrets.token_urlsafe(32)
    kiosk.enrolment_digest = digest(secret)
    kiosk.enrolment_expires_at = utcnow() + timedelta(hours=ENROLMENT_HOURS)
    kiosk.enrolment_used_at = None
    return secret


def enrol(link_secret: str) -> tuple[Kiosk, str]:
    """Use a link: the kiosk and its new device secret (for the cookie). Raises LinkNotUsable."""
    if not SECRET.match(link_secret or ""):
        raise LinkNotUsable()
    kiosk = kiosk_data.kiosk_by_enrolment(digest(link_secret))
    now = utcnow()
    if kiosk is None or kiosk.enrolment_used_at is not None or kiosk.enrolment_expires_at <= now:
        raise LinkNotUsable()
    device_secret = secrets.token_urlsafe(32)
    kiosk.enrolment_used_at = now
    kiosk.device_digest = digest(device_secret)
    kiosk.enrolled_at = now
    kiosk.revoked_at = None
    kiosk.last_seen_at = now
    audit.record(audit.KIOSK_ENROLLED, actor=None, actor_role="kiosk", subject_type="kiosk",
                 subject_id=kiosk.public_id)
    return kiosk, device_secret


def revoke(admin, kiosk: Kiosk) -> None:
    """The device credential and any open link stop working now."""
    kiosk.revoked_at = utcnow()
    kiosk.device_digest = None
    kiosk.enrolment_digest = None
    kiosk.enrolment_expires_at = None
    audit.record_kiosk_change(admin, "revoked", "kiosk", kiosk.public_id)


LAST_SEEN_STEP = timedelta(minutes=1)


def by_device_secret(device_secret: str | None) -> Kiosk | None:
    """The enrolled, not revoked kiosk this device secret belongs to, or None. Notes when it was last
    seen, at most once a minute, in a unit of work of its own (never committing a request's changes)."""
    if not SECRET.match(device_secret or ""):
        return None
    kiosk = kiosk_data.kiosk_by_device(digest(device_secret))
    if kiosk is None or kiosk.revoked_at is not None:
        return None
    now = utcnow()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at >= LAST_SEEN_STEP:
        kiosk_data.note_seen(kiosk.id, now)
    return kiosk
