from django import template

from ..invitations import pending_invitations

register = template.Library()


@register.inclusion_tag("records/partials/invitations_banner.html", takes_context=True)
def invitations_banner(context):
    """The dashboard's banner of pending team invitations (one query)."""
    return {"invitations": list(pending_invitations(context["request"].user))}
