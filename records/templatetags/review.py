"""The withholding table on the request page, without adding to the request view (issue 14)."""

from django import template

from records.review.withholding import BOX_WARNING, withholding_for

register = template.Library()


@register.inclusion_tag("records/partials/withholding.html")
def withholding_table(records_request):
    return {"object": records_request, "withholding": withholding_for(records_request), "box_warning": BOX_WARNING}
