from django import template

from ..views.proposals import panel_context

register = template.Library()


@register.inclusion_tag("records/partials/proposals_panel.html", takes_context=True)
def proposals_panel(context, records_request, communication=None, document=None):
    """The "Proposed from letters" panel: a request's, or one letter's; shown only where there is something."""
    source = f"communication:{communication.pk}" if communication else f"document:{document.pk}" if document else ""
    return panel_context(records_request, user=context["request"].user, source=source)
