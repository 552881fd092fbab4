"""Thin API views: a queryset from visible_to(user), a serializer, a FilterSet, the write permission."""

import base64
import hashlib
import logging
import re

from django.db import DatabaseError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from records import timeline_writes
from records.middleware import POLICY
from records.models import Agency, Communication, Document, Event, Page, RecordsRequest, Statute
from records.search import QueryError, search_pages, search_requests
from records.search.scope import scope_for_user

from . import filters
from .concurrency import VersionedViewSetMixin
from .permissions import TeamWritePermission
from .serializers import (
    AgencySerializer,
    CommunicationSerializer,
    DocumentSerializer,
    EventSerializer,
    RecordsRequestSerializer,
    SearchResultsSerializer,
    StatuteSerializer,
)  # fmt: skip

logger = logging.getLogger(__name__)

WRITE_PERMISSIONS = [IsAuthenticated, TeamWritePermission]


class RecordsRequestViewSet(
    VersionedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Your teams' requests. Status and due date are derived from the events: read-only here.
    The list takes the request list page's filters (q, status, open, agency, statute, …).
    A request's GET carries an `ETag`; send it back in `If-Match` with PUT/PATCH so a change made by
    someone else in between is not overwritten (412 with the current request). Without `If-Match`
    the write is made as before (last write wins)."""

    serializer_class = RecordsRequestSerializer
    filterset_class = filters.ApiRecordsRequestFilter
    permission_classes = WRITE_PERMISSIONS

    def get_queryset(self):
        return RecordsRequest.objects.visible_to(self.request.user).with_list_data().select_related("team")


class EventViewSet(VersionedViewSetMixin, viewsets.ModelViewSet):
    """Timeline events. Adding, changing or deleting one recomputes the request's status and deadlines.
    An event's GET carries an `ETag`; PUT/PATCH with `If-Match` as for requests."""

    serializer_class = EventSerializer
    filterset_class = filters.EventFilter
    permission_classes = WRITE_PERMISSIONS

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user).select_related("request__team", "created_by")

    def perform_destroy(self, instance):
        timeline_writes.delete_event(instance, user=self.request.user)


class CommunicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Letters, emails, portal messages, calls: incoming (from the agency) or outgoing."""

    serializer_class = CommunicationSerializer
    filterset_class = filters.CommunicationFilter
    permission_classes = WRITE_PERMISSIONS

    def get_queryset(self):
        return Communication.objects.visible_to(self.request.user).select_related("request__team", "created_by")


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Released (or sent) files: metadata, extraction state and a link to download the bytes."""

    serializer_class = DocumentSerializer
    filterset_class = filters.DocumentFilter

    def get_queryset(self):
        return Document.objects.visible_to(self.request.user).select_related("stored_file", "uploaded_by")


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The agency directory, shared by every team."""

    serializer_class = AgencySerializer
    filterset_class = filters.AgencyFilter
    queryset = Agency.objects.select_related("default_statute").order_by("name", "id")


class StatuteViewSet(viewsets.ReadOnlyModelViewSet):
    """Public-records laws as data, with the citation for each rule. Look one up by its code."""

    serializer_class = StatuteSerializer
    filterset_class = filters.StatuteFilter
    queryset = Statute.objects.order_by("code")
    lookup_field = "code"
    # Any segment reaches the view, so an unknown code is the API's JSON 404, not the site's HTML one.
    lookup_value_regex = "[^/]+"


class SearchParams(serializers.Serializer):
    q = serializers.CharField(
        help_text='Words (all must match), "exact phrase", OR, AND, -excluded, prefix*, a NEAR/n b (at most n words apart).'
    )
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**62)
    sort = serializers.ChoiceField(choices=["relevance", "date"], required=False, default="relevance")
    kind = serializers.ChoiceField(
        choices=["all", "page", "request"], required=False, default="all",
        help_text="all: page hits, then (at offset 0) request and communication hits; page: pages only; "
        "request: request and communication hits only, ranked together over every match and paged by offset.",
    )  # fmt: skip
    after = serializers.IntegerField(
        required=False, default=None, min_value=1, max_value=2**63 - 1,
        help_text="next_after from the previous response: continue from there (faster than a large offset).",
    )  # fmt: skip


class SearchView(APIView):
    """Full-text search of your teams' released pages, requests and communications.

    `results` holds one page of page hits (`kind: page`); on the first page (offset 0) the
    request and communication hits follow, each with its `kind` (`requests_matched` counts them all);
    `kind=request` pages through those alone, ranked over every match. Thin: records.search does the work.
    """

    @extend_schema(
        parameters=[SearchParams],
        responses={
            200: SearchResultsSerializer,
            503: OpenApiResponse(description="The search index is not ready yet."),
        },
    )
    def get(self, request):
        params = SearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        kind = params.validated_data["kind"]
        try:
            if kind == "request":
                return Response(SearchResultsSerializer(_request_body(request.user, params.validated_data)).data)
            results = search_pages(
                params.validated_data["q"],
                pages=Page.objects.visible_to(request.user),
                limit=params.validated_data["limit"],
                offset=params.validated_data["offset"],
                sort=params.validated_data["sort"],
                after=params.validated_data["after"],
                scope=scope_for_user(request.user),
            )
            others, requests_matched = [], None
            if params.validated_data["offset"] == 0 and kind == "all":
                requests = RecordsRequest.objects.visible_to(request.user)
                found = search_requests(results.query, requests=requests, limit=params.validated_data["limit"])
                others, requests_matched = found.hits, found.matched
        except QueryError as e:
            return Response({"q": [str(e)]}, status=400)
        except DatabaseError:
            logger.exception("search failed")
            return Response(
                {"detail": "The search index is not ready (run manage.py rebuild_search_index)."}, status=503
            )
        hits = [_hit_body(hit) for hit in [*results.hits, *others]]
        body = {
            "query": params.validated_data["q"], "matched": results.matched, "matched_capped": results.matched_capped,
            "offset": results.offset, "limit": results.limit, "has_next": results.has_next, "results": hits,
            "matched_exact": results.matched_exact, "next_after": results.next_after, "sort": results.sort,
            "requests_matched": requests_matched,
        }  # fmt: skip
        return Response(SearchResultsSerializer(body).data)


def _request_body(user, params: dict) -> dict:
    """The response for kind=request: one screen of request and communication hits, ranked over
    every match (records.search.search_requests), `matched` exact."""
    requests = RecordsRequest.objects.visible_to(user)
    results = search_requests(params["q"], requests=requests, limit=params["limit"], offset=params["offset"])
    return {
        "query": params["q"], "matched": results.matched, "matched_capped": False, "matched_exact": True,
        "offset": results.offset, "limit": results.limit, "has_next": results.has_next, "next_after": None,
        "sort": "relevance", "results": [_hit_body(hit) for hit in results.hits], "requests_matched": results.matched,
    }  # fmt: skip


def _hit_body(hit) -> dict:
    return {
        "kind": hit.kind, "request_id": hit.request_id, "document_id": hit.document_id, "filename": hit.filename,
        "page": hit.page, "ocr": hit.ocr, "communication_id": hit.communication_id, "title": hit.title,
        "snippet": str(hit.snippet),
    }  # fmt: skip


class NotFoundView(APIView):
    """Any other path under /api/: the API's JSON 404, not the site's HTML page."""

    permission_classes: list = []
    authentication_classes: list = []

    def initial(self, request, *args, **kwargs):
        raise NotFound()


# The Swagger UI page (drf-spectacular-sidecar's files, served by us: it works with no internet) loads
# its settings from a script URL (the "split" view), not an inline <script>, so it runs under the
# project's `script-src 'self'`. Swagger UI itself needs no inline style either; the only inline
# thing is drf-spectacular's small <style> block in the page, which this one page allows by its
# hash (computed from what we serve). No 'unsafe-inline' anywhere.
class ApiDocsView(SpectacularSwaggerSplitView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.render()
        hashes = [
            f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
            for block in re.findall(r"<style>(.*?)</style>", response.content.decode(), flags=re.S)
        ]
        response.headers["Content-Security-Policy"] = POLICY.replace(
            "style-src 'self'", " ".join(["style-src 'self'", *hashes])
        )
        return response
