"""What the API's documentation and errors say, in both languages (lazy: each answer in the language asked)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

API_TITLE = _l("One Window API")
API_DESCRIPTION = _l(
    "The government services of One Window for businesses' software and partner systems. Every text a "
    "person reads is given in Khmer (km) and English (en). Errors are problem details (RFC 9457) in the "
    "language of the Accept-Language header, Khmer if none is asked for.")

CATALOGUE = {
    "tag": _l("The services and what applying to each asks for"),
    "list_summary": _l("List the services open in the catalogue"),
    "list_description": _l("Each live service with its current version, audience, agencies and processing time."),
    "get_summary": _l("Get one service: its steps, fields, documents and fees"),
    "get_description": _l(
        "Everything applying asks for, as the service's definition states it: field types, required and "
        "conditional fields, lengths, patterns, ranges, options, cross-field rules, documents and fees."),
}
DOCUMENT = {
    "tag": _l("This API's own description"),
    "summary": _l("The OpenAPI 3.1 document of this API"),
    "description": _l("Generated from the routes themselves, in the language of the Accept-Language header."),
}

PROBLEMS = {
    400: (_l("The request is not valid"), _l("Check the request against the API's documentation.")),
    401: (_l("Authentication is needed"), _l("Send a valid access token in the Authorization header.")),
    403: (_l("Not allowed"), _l("Your token does not allow this.")),
    404: (_l("Not found"), _l("Nothing exists at this address, or you are not allowed to see it.")),
    405: (_l("Method not allowed"), _l("This address does not take that method.")),
    413: (_l("The request is too large"), _l("Send a smaller request.")),
    429: (_l("Too many requests"), _l("Wait before sending more requests.")),
    500: (_l("Something went wrong on our side"), _l("Nothing was changed. Try again in a few minutes.")),
    503: (_l("The service is not available right now"), _l("Please try again in a few minutes.")),
}
