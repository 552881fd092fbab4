"""OpenAPI schema generation: document the error answers every operation can give.

drf-spectacular documents the success responses only; clients (and schemathesis, in CI) need the
401/403/404/400 answers in the schema too, with the body DRF sends for them.
"""

from drf_spectacular.openapi import AutoSchema

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors / detail) → messages.",
    "additionalProperties": True,
}


class TrackerAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "400": ("The request was not valid: the fields say why.", FIELD_ERRORS),
            "401": ("Not signed in: send `Authorization: Token <key>`.", DETAIL),
            "403": ("Signed in, but your role in that team is read-only.", DETAIL),
            "404": ("No such object among your teams' (or no such page of results).", DETAIL),
        }
        for code, (description, schema) in errors.items():
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return responses
