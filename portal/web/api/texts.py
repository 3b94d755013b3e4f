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
    "download_summary": _l("Download a document issued for the application"),
    "download_description": _l("The signed PDF, exactly as issued (its QR code checks it). Only a document of "
                               "the token's own business's application: any other is not found."),
}
FILING = {
    "tag": _l("Filing an application for the business"),
    "create_summary": _l("Start a draft application for the business"),
    "create_description": _l(
        "The draft is the token's business's, made by the owner who made the token. Give the service's slug; "
        "the answer lists the steps to answer, the documents to attach and what is still missing."),
    "answer_summary": _l("Answer one step of a draft"),
    "answer_description": _l(
        "The answers are checked exactly as the step's page checks them: fields, conditions, the step's rules "
        "and the service's limits. They replace the step's saved answers field by field (null clears one); a "
        "field not sent keeps its saved or prefilled answer. Nothing is saved unless every answer is valid: "
        "each problem names its field by a JSON Pointer."),
    "attach_summary": _l("Attach a file for one of the service's documents"),
    "attach_description": _l(
        "multipart/form-data with `requirement` (the document's id) and `file`. The file is checked as on the "
        "application's page: its kind from its content, its size, scripts in PDFs and a virus scan."),
    "submit_summary": _l("Submit the draft"),
    "submit_description": _l(
        "Everything the service requires must be given. Send an Idempotency-Key: a retry with the same key "
        "gets the first answer, and the application is filed once. After the office asked for more "
        "information (and opened answers or documents again), this sends the corrected application back."),
    "not_object": _l("The body must be a JSON object."),
    "no_service": _l("No live service for businesses has this slug."),
    "no_step": _l("This draft has no step with this id (a step can depend on earlier answers)."),
    "invalid_title": _l("Some answers are not valid"),
    "invalid": _l("Nothing was saved. Correct the answers listed in errors, then send them again."),
    "closed_title": _l("This application cannot be changed now"),
    "closed": _l("It is no longer a draft, and the office did not ask for this part again."),
    "no_requirement": _l("This service asks for no document with this id, given the answers so far."),
    "no_file": _l("Send the file in the part named file."),
    "refused_title": _l("The file was not accepted"),
    "submitted_title": _l("Already submitted"),
    "submitted": _l("This application was submitted before: it is filed once."),
    "missing_title": _l("Something is still missing"),
    "missing": _l("Give the answers and documents listed in errors, then submit again."),
    "refused": _l("The service does not allow this application: see errors."),
}
WRITES = {
    "key": _l("Any unique value of up to 255 characters (a UUID): a retry with the same key and the same request "
              "gets the first answer again, for a day."),
    "bad_key_title": _l("The Idempotency-Key header is not valid"),
    "bad_key": _l("Use 1 to 255 printable characters without spaces, such as a UUID."),
    "key_reused_title": _l("This Idempotency-Key was used for another request"),
    "key_reused": _l("Use a new key for each different request; reuse a key only to retry the same request."),
}
PARTNERS = {
    "tag": _l("Partner systems: checking issued documents"),
    "scheme": _l("A partner system's access token, from the token endpoint with the client id and secret an "
                 "administrator gave it (OAuth 2.0 client credentials)."),
    "token_summary": _l("Get an access token for a partner system"),
    "token_description": _l(
        "OAuth 2.0 client credentials: grant_type=client_credentials, with the client id and secret in HTTP "
        "Basic authentication or in the form, and optionally the scopes wanted. The token is valid for an "
        "hour. Errors are OAuth's own JSON, such as {\"error\": \"invalid_client\"}."),
}
VERIFY = {
    "summary": _l("Check an issued document"),
    "description": _l(
        "The token from the document's QR code (or the whole link in it), as JSON {\"token\": ...}, or as "
        "multipart/form-data with token and the PDF you were given in file. The answer is the one the public "
        "check page gives: valid, expired, revoked, superseded or invalid, what the document says, and whether "
        "the file is exactly the document issued."),
    "no_token": _l("Send the token from the document's QR code."),
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
    409: (_l("Conflict"), _l("The request conflicts with the current state of the resource.")),
    413: (_l("The request is too large"), _l("Send a smaller request.")),
    422: (_l("The request could not be processed"), _l("See errors for what to correct.")),
    429: (_l("Too many requests"), _l("Wait before sending more requests.")),
    500: (_l("Something went wrong on our side"), _l("Nothing was changed. Try again in a few minutes.")),
    503: (_l("The service is not available right now"), _l("Please try again in a few minutes.")),
}
