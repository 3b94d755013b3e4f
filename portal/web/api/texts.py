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
APPLICATIONS = {
    "tag": _l("A business's applications"),
    "list_summary": _l("List the business's applications, newest first"),
    "list_description": _l("The applications of the business the token belongs to, a page at a time: follow "
                           "the link in next until it is null."),
    "get_summary": _l("Get one application: its state, history and issued documents"),
    "get_description": _l("Only an application of the token's own business: any other is not found."),
    "limit": _l("How many applications a page holds (1 to 100; 50 if not given)."),
    "cursor": _l("Where the page starts: the value from the previous page's next link."),
    "bad_cursor": _l("The cursor is not one this API gave. Start again from the first page."),
    "bad_limit": _l("The limit must be a whole number from 1 to 100."),
}
TOKENS = {
    "scheme": _l("A business's personal API token (ow_...), made by one of its owners in their account."),
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
