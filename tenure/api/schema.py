"""OpenAPI post-processing: document the error answers every operation can give.

DRF answers 401 without credentials, 403 without the role, 404 for a record outside the caller's
scope or a page past the end, 400 for a malformed filter or body, 429 when throttled; the schema
says so, so clients (and schemathesis) know them.
"""

from __future__ import annotations

ERRORS = {
    "400": "Invalid input: a filter, page size or body field was rejected (the body names it).",
    "401": "Not authenticated: log in or send `Authorization: Token <key>`.",
    "403": "Your role may not use this operation.",
    "404": "Not found, outside your branch scope, or a page past the end.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "DRF error body: `detail`, or one list of messages per invalid field.",
    "additionalProperties": True,
    "properties": {"detail": {"type": "string"}},
}


def document_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: add the shared error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
