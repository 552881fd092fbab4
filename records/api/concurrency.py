"""Optimistic concurrency on the API: ETag from an object's `version`, If-Match checked on writes."""

from rest_framework import status
from rest_framework.response import Response

from records import timeline_writes


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_versions(header: str) -> set[int] | None:
    """The versions an If-Match header accepts; None for no header or `*` (any). An unreadable one
    accepts nothing, so the write is refused rather than made over a copy we cannot identify."""
    if not header or header.strip() == "*":
        return None
    versions = set()
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.isdigit():
            versions.add(int(tag))
    return versions


class VersionedViewSetMixin:
    """Optimistic concurrency for objects with a `version`: a GET answers with an `ETag`; a PUT or
    PATCH with `If-Match` naming another version is refused with 412 and the current representation,
    and nothing is saved. Without `If-Match` a write is accepted as before (last write wins)."""

    expected_version: int | None = None  # from If-Match, for the save to check again

    def update(self, request, *args, **kwargs):
        accepted = if_match_versions(request.headers.get("If-Match", ""))
        if accepted is not None:
            instance = self.get_object()
            if instance.version not in accepted:
                return self._precondition_failed(instance)
            # Checked again inside the save: a write landing between this read and ours still loses.
            self.expected_version = instance.version
        return super().update(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expected_version": self.expected_version}

    def handle_exception(self, exc):
        if isinstance(exc, timeline_writes.Conflict):
            return self._precondition_failed(exc.current)
        return super().handle_exception(exc)

    def _precondition_failed(self, current):
        body = {
            "detail": "Someone else saved this since the version you sent in If-Match; nothing was changed. "
            "Here is the current one: apply your change to it and send its ETag.",
            "current": self.get_serializer(current).data,
        }
        return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current.version)})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = response.data if isinstance(response, Response) else None
        answered = self.action in {"retrieve", "create", "update", "partial_update"} and response.status_code < 300
        if answered and isinstance(data, dict) and "version" in data:
            response["ETag"] = etag(data["version"])
        return response
