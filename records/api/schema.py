"""OpenAPI schema generation: document the error answers every operation can give.

drf-spectacular documents the success responses only; clients (and schemathesis, in CI) need the
401/403/404/400 answers in the schema too, with the body DRF sends for them.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .concurrency import VersionedViewSetMixin

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors / detail) → messages.",
    "additionalProperties": True,
}


PRECONDITION_FAILED = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "current": {"type": "object", "additionalProperties": True}},
    "required": ["detail", "current"],
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the version you read (GET gives it). If someone has saved since, the write "
    "is refused with 412 and nothing changes. Left out, the write is made whatever the stored version.",
)


def _versioned(view) -> bool:
    return isinstance(view, VersionedViewSetMixin)


class TrackerAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in ("PUT", "PATCH") and _versioned(self.view):
            parameters = [*parameters, IF_MATCH]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method in ("PUT", "PATCH") and _versioned(self.view):
            responses["412"] = {
                "description": "If-Match named a version that is no longer the current one: nothing was saved; "
                "`current` is the request or event as it now stands.",
                "content": {"application/json": {"schema": PRECONDITION_FAILED}},
            }
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
