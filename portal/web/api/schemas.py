"""The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API answers: the document's components."""

from __future__ import annotations

TEXT = {"$ref": "#/components/schemas/Text"}
EXPRESSION = {"type": "string", "description": "An expression of the service definition language (docs/services.md)."}
TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601."}
DAY = {"type": "string", "format": "date"}
MONEY = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "A decimal amount, as a string."}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


COMPONENTS: dict[str, dict] = {
    "Text": {
        "type": "object", "description": "A text in Khmer and English.",
        "properties": {"km": {"type": "string"}, "en": {"type": "string"}}, "required": ["km", "en"],
    },
    "Problem": {
        "type": "object", "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": _array({"type": "object", "properties": {
                "field": {"type": ["string", "null"], "description": "The field's id; null: the request as a whole."},
                "pointer": {"type": ["string", "null"], "description": "JSON Pointer into what was sent."},
                "step": {"type": ["string", "null"], "description": "The step a missing answer belongs to."},
                "message": {"type": "string"}}, "required": ["field", "message"]}),
        },
        "required": ["type", "title", "status"],
    },
    "Option": {"type": "object", "properties": {"value": {"type": "string"}, "label": TEXT},
               "required": ["value", "label"]},
    "Field": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "type": {"type": "string"}, "label": TEXT, "hint": TEXT,
            "required": {"type": "boolean"}, "required_when": EXPRESSION, "show_when": EXPRESSION,
            "min_length": {"type": "integer"}, "max_length": {"type": "integer"},
            "pattern": {"type": "string"}, "pattern_message": TEXT, "min": MONEY, "max": MONEY,
            "currencies": _array({"type": "string"}), "options": _array(_ref("Option")),
            "options_from": {"type": "string"}, "fields": _array(_ref("Field")),
            "min_items": {"type": "integer"}, "max_items": {"type": "integer"},
            "accept": _array({"type": "string"}), "max_mb": {"type": "integer"},
            "not_in_future": {"type": "boolean"}, "not_in_past": {"type": "boolean"},
        },
        "required": ["id", "type", "label", "required"],
    },
    "Step": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "title": TEXT, "intro": TEXT, "show_when": EXPRESSION,
            "fields": _array(_ref("Field")),
            "rules": _array({"type": "object", "properties": {"field": {"type": "string"}, "check": EXPRESSION,
                                                              "message": TEXT}}),
        },
        "required": ["id", "title", "fields"],
    },
    "ServiceSummary": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"}, "version": {"type": "integer"}, "content_hash": {"type": "string"},
            "title": TEXT, "summary": TEXT, "audience": _array({"type": "string"}),
            "category": {"type": "object", "properties": {"slug": {"type": "string"}, "name": TEXT}},
            "agencies": _array({"type": "object", "properties": {"slug": {"type": "string"}, "name": TEXT}}),
            "processing_working_days": {"type": "object", "properties": {"min": {"type": "integer"},
                                                                         "max": {"type": "integer"}}},
            "takes_applications": {"type": "boolean"},
            "links": {"type": "object", "properties": {"self": {"type": "string", "format": "uri"},
                                                       "page": {"type": "string", "format": "uri"}}},
        },
        "required": ["slug", "version", "title", "summary", "audience", "takes_applications", "links"],
    },
    "ServiceList": {"type": "object", "properties": {"services": _array(_ref("ServiceSummary"))},
                    "required": ["services"]},
    "Service": {
        "allOf": [_ref("ServiceSummary"), {
            "type": "object",
            "properties": {
                "eligibility": TEXT, "requirements": _array(TEXT), "legal_basis": TEXT,
                "steps": _array(_ref("Step")),
                "documents": _array({"type": "object", "properties": {
                    "id": {"type": "string"}, "label": TEXT, "hint": TEXT, "accept": _array({"type": "string"}),
                    "max_mb": {"type": "integer"}, "required": {"type": "boolean"}, "required_when": EXPRESSION}}),
                "fees": _array({"type": "object", "properties": {
                    "id": {"type": "string"}, "label": TEXT, "note": TEXT,
                    "amounts": {"type": "object", "additionalProperties": MONEY},
                    "computed": TEXT, "currency": {"type": "string"}, "when": EXPRESSION, "per": {"type": "string"}}}),
                "waivers": _array({"type": "object", "properties": {
                    "id": {"type": "string"}, "label": TEXT, "when": EXPRESSION,
                    "fees": _array({"type": "string"})}}),
            },
        }],
    },
    "ApplicationSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "reference": {"type": ["string", "null"]},
            "service": {"type": "object", "properties": {"slug": {"type": "string"}, "version": {"type": "integer"},
                                                         "title": TEXT}, "required": ["slug", "version", "title"]},
            "state": {"type": "string"}, "state_label": TEXT,
            "created_at": TIME, "submitted_at": {"oneOf": [TIME, {"type": "null"}]}, "updated_at": TIME,
            "links": {"type": "object", "properties": {"self": {"type": "string", "format": "uri"}}},
        },
        "required": ["id", "reference", "service", "state", "state_label", "created_at", "submitted_at",
                     "updated_at", "links"],
    },
    "ApplicationList": {
        "type": "object",
        "properties": {"applications": _array(_ref("ApplicationSummary")),
                       "next": {"type": ["string", "null"], "description": "The next page, or null after the last."}},
        "required": ["applications", "next"],
    },
    "Application": {
        "allOf": [_ref("ApplicationSummary"), {
            "type": "object",
            "properties": {
                "history": _array({"type": "object", "properties": {
                    "at": TIME, "action": {"type": "string"}, "label": TEXT, "from_state": {"type": "string"},
                    "to_state": {"type": "string"}}, "required": ["at", "action", "label", "from_state", "to_state"]}),
                "issued_documents": _array({"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "issued_at": TIME,
                    "status": {"type": "string"}, "download": {"type": "string", "format": "uri"}},
                    "required": ["id", "name", "issued_at", "status", "download"]}),
            },
            "required": ["history", "issued_documents"],
        }],
    },
    "NewApplication": {
        "type": "object", "properties": {"service": {"type": "string", "description": "The service's slug."}},
        "required": ["service"],
    },
    "StepAnswers": {
        "type": "object", "description": (
            "{field id: answer}, in the shapes the service's fields take: text, numbers and dates (YYYY-MM-DD) as "
            "strings or numbers; money as {amount, currency}; an address as {province, district, commune, "
            "village, street}; a choice as its value, several as a list; a declaration as true; a group as a "
            "list of objects; a file as the id of one of the business's documents. null clears an answer."),
        "additionalProperties": True,
    },
    "Attachment": {
        "type": "object", "properties": {
            "requirement": {"type": "string", "description": "The id of one of the service's documents."},
            "file": {"type": "string", "contentMediaType": "application/octet-stream"}},
        "required": ["requirement", "file"],
    },
    "Draft": {
        "allOf": [_ref("ApplicationSummary"), {
            "type": "object",
            "properties": {
                "answers": {"type": "object"},
                "steps": _array({"type": "object", "properties": {"id": {"type": "string"}, "title": TEXT},
                                 "required": ["id", "title"]}),
                "documents": _array({"type": "object", "properties": {
                    "id": {"type": "string"}, "label": TEXT, "required": {"type": "boolean"},
                    "attached": _array({"type": "object", "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id", "name"]})},
                    "required": ["id", "label", "required", "attached"]}),
                "missing": _array({"type": "object", "properties": {
                    "step": {"type": ["string", "null"]}, "label": TEXT}, "required": ["step", "label"]}),
            },
            # Without `answers` in the answer to an upload: kept for replays, it holds no personal data.
            "required": ["steps", "documents", "missing"],
        }],
    },
    "TokenRequest": {
        "type": "object", "properties": {
            "grant_type": {"const": "client_credentials"}, "scope": {"type": "string"},
            "client_id": {"type": "string"}, "client_secret": {"type": "string"}},
        "required": ["grant_type"],
    },
    "AccessToken": {
        "type": "object", "properties": {
            "access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer"}, "scope": {"type": "string"}},
        "required": ["access_token", "token_type", "expires_in"],
    },
    "VerificationRequest": {
        "type": "object", "properties": {
            "token": {"type": "string", "description": "From the QR code: the token, or the whole link."},
            "file": {"type": "string", "contentMediaType": "application/pdf",
                     "description": "Optional, multipart only: the PDF to compare with the document issued."}},
        "required": ["token"],
    },
    "Verification": {
        "type": "object", "properties": {
            "state": {"enum": ["valid", "expired", "revoked", "superseded", "invalid"]},
            "document": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                "title": TEXT, "holder": TEXT, "issued_on": DAY, "expires_on": {"oneOf": [DAY, {"type": "null"}]},
                "issued_by": {"oneOf": [TEXT, {"type": "null"}]},
                "copy": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                    "number": {"type": "integer"}, "of": {"type": "integer"}}}]},
                "revoked_on": {"oneOf": [DAY, {"type": "null"}]},
                "revocation_reason": {"oneOf": [TEXT, {"type": "null"}]},
                "replaced_on": {"oneOf": [DAY, {"type": "null"}]}},
                "required": ["title", "holder", "issued_on", "expires_on", "issued_by"]}]},
            "file": {"enum": ["identical", "changed_after_issue", "different", None]},
        },
        "required": ["state", "document", "file"],
    },
    "DocumentFile": {"type": "string", "contentMediaType": "application/pdf", "description": "The file's bytes."},
    "OpenApiDocument": {"type": "object", "description": "An OpenAPI 3.1 document."},
}
