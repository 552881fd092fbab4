"""The production diff's summary on the document and request pages, without adding to their views (issue 14)."""

from django import template

from records.models import ReleaseDiff

register = template.Library()


@register.inclusion_tag("records/partials/release_diff_summary.html")
def release_diff_summary(document):
    diff = ReleaseDiff.objects.filter(document=document, scope=ReleaseDiff.Scope.REQUEST).first()
    return {"document": document, "diff": diff, "campaign_param": ""}


@register.inclusion_tag("records/partials/release_diffs.html")
def release_diffs(records_request):
    """Each release of the request that has been compared, oldest first: one query."""
    diffs = (
        ReleaseDiff.objects.filter(document__request=records_request, scope=ReleaseDiff.Scope.REQUEST)
        .select_related("document")
        .order_by("document__uploaded_at", "document_id")
    )
    return {"diffs": list(diffs), "campaign_param": ""}
