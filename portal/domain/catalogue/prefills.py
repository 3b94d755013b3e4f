"""What a field's `prefill:` may name, and where each value comes from: the applicant's profile, or the
business they apply for. The loader accepts exactly these names; the journey fills a step's empty
fields with them. A new source is one line here, and must give None when the profile has nothing: a kiosk
guest (applying without an account, portal/domain/guests.py) has an empty profile and types every answer."""

from __future__ import annotations

# name -> (person, organisation or None) -> the value, or None when there is none
PREFILLS = {
    "profile.name_km": lambda p, o: p.name_km, "profile.name_latin": lambda p, o: p.name_latin,
    "profile.national_id": lambda p, o: p.national_id,
    "profile.date_of_birth": lambda p, o: p.date_of_birth.isoformat() if p.date_of_birth else None,
    "profile.phone": lambda p, o: p.phone, "profile.email": lambda p, o: p.email,
    "profile.address": lambda p, o: {"province": p.province_code, "district": p.district_code,
                                     "commune": p.commune_code, "village": p.village_code,
                                     "street": p.street} if p.province_code else None,
    "organisation.name_km": lambda p, o: o.name_km if o else None,
    "organisation.name_en": lambda p, o: o.name_en if o else None,
    "organisation.registration_number": lambda p, o: o.registration_number if o else None,
    "organisation.tax_id": lambda p, o: o.tax_id if o else None,
}
