"""FilterSets for the API's lists. Requests reuse the request list's own FilterSet."""

import django_filters

from records.filters import AgencyFilter, IdFilter, RecordsRequestFilter  # noqa: F401 - AgencyFilter serves the API as is
from records.models import Communication, Document, Event, Statute

from ..access import teams_for


class ApiRecordsRequestFilter(RecordsRequestFilter):
    """The list page's filters; the assignee and tag choices come from the caller's teams only."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        user = getattr(request, "user", None)
        teams = teams_for(user) if user is not None and user.is_authenticated else []
        super().__init__(data, queryset, request=request, prefix=prefix, teams=teams)


class EventFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id")
    kind = django_filters.MultipleChoiceFilter(choices=Event.Kind.choices)
    date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Event
        fields = ["request", "kind", "date"]


class CommunicationFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id")
    direction = django_filters.ChoiceFilter(choices=Communication.DIRECTION_CHOICES)
    channel = django_filters.ChoiceFilter(choices=Communication.CHANNEL_CHOICES)
    date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Communication
        fields = ["request", "direction", "channel", "date"]


class DocumentFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id")
    communication = IdFilter(field_name="communication_id")
    state = django_filters.ChoiceFilter(choices=Document.State.choices)

    class Meta:
        model = Document
        fields = ["request", "communication", "state"]


class StatuteFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Statute
        fields = ["code"]
