import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django_filters.widgets import DateRangeWidget, SuffixedMultiWidget

from .models import Agency, Page, RecordsRequest, Status, Statute, Tag, TrackingNumber
from .review.marks import filter_by_mark


class DatePickerRange(DateRangeWidget):
    """Two real date pickers; ?sent_after=…&sent_before=… in the URL."""

    def __init__(self, attrs=None):
        picker = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        SuffixedMultiWidget.__init__(self, (picker, picker), attrs)


DATE_RANGE = DatePickerRange()
MAX_ID = 2**63 - 1  # the largest id a database row can have (a signed 64-bit integer)


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number in the database's range, else a form error (SQLite cannot even
    compare with 10**23: it raised OverflowError, a 500; issue 10)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault(
            "error_messages",
            {
                "min_value": "Numbers start at 1: nothing has that number.",
                "max_value": "That number is too large: nothing has it.",
            },
        )
        super().__init__(*args, **kwargs)


class RecordsRequestFilter(django_filters.FilterSet):
    """The request list. Applied on top of RecordsRequest.objects.visible_to(user); state lives in the URL."""

    q = django_filters.CharFilter(label="Title, reference or tracking no.", method="filter_text")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, widget=forms.SelectMultiple(attrs={"size": 4}))
    open = django_filters.BooleanFilter(
        label="Open or closed", method="filter_open",
        widget=forms.Select(choices=[("", "Any"), ("true", "Open only"), ("false", "Closed only")]),
    )  # fmt: skip
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.order_by("name"), empty_label="Any")
    statute = django_filters.ModelChoiceFilter(queryset=Statute.objects.order_by("code"), empty_label="Any")
    assignee = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), empty_label="Anyone")
    tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.none(), empty_label="Any")
    project = django_filters.CharFilter(lookup_expr="iexact")
    sent = django_filters.DateFromToRangeFilter(field_name="sent_date", label="Sent between", widget=DATE_RANGE)
    deadline = django_filters.ChoiceFilter(
        label="Deadline", choices=[("overdue", "Overdue"), ("due_within", "Due within N days")],
        method="filter_deadline", empty_label="Any",
    )  # fmt: skip
    within = django_filters.NumberFilter(label="N days", method="filter_noop", min_value=0, max_value=365)
    ordering = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Newest first",
        fields=(
            ("sent_date", "sent"),
            ("due_date", "due"),
            ("title", "title"),
            ("agency__name", "agency"),
            ("status", "status"),
            ("created_at", "created"),
        ),
    )

    class Meta:
        model = RecordsRequest
        fields = [
            "q",
            "status",
            "open",
            "deadline",
            "within",
            "agency",
            "statute",
            "assignee",
            "tag",
            "project",
            "sent",
        ]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the user's own teams only: no other team's people or tags leak.
        self.filters["assignee"].queryset = get_user_model().objects.filter(memberships__team__in=teams).distinct()
        self.filters["tag"].queryset = Tag.objects.filter(team__in=teams)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(reference__icontains=value)
            | Q(id__in=TrackingNumber.objects.filter(number__icontains=value).values("request_id"))
        )  # fmt: skip

    def filter_deadline(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        days = self.form.cleaned_data.get("within")
        return queryset.due_within(int(days) if days is not None else 7)

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_deadline

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open().values("pk"))


class AgencyFilter(django_filters.FilterSet):
    """The agency directory (pages and API): shared by every team, so no team scope here."""

    name = django_filters.CharFilter(method="filter_name", label="Name or abbreviation contains")
    level = django_filters.ChoiceFilter(choices=Agency.LEVEL_CHOICES, empty_label="Any")
    state = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Agency
        fields = ["name", "level", "state"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(abbreviation__icontains=value))


class PageSearchFilter(django_filters.FilterSet):
    """Narrows the team-scoped pages before the full-text match; state lives in the URL."""

    # A number, not a select: a desk has thousands of requests (a 5,000-option select cost 200 ms a page).
    # The pages are already team-scoped, so another team's id simply matches nothing.
    request = IdFilter(field_name="document__request_id", label="Request no.")
    # issue 11: only the files released in one campaign (a number, as for the request: pages are team-scoped).
    campaign = IdFilter(field_name="document__request__campaign_id", label="Campaign no.")
    # The querysets as functions: every search deep-copies the filters, and copying a queryset
    # cost more than the engine's answer to a rare word (about 2 ms of each search).
    agency = django_filters.ModelChoiceFilter(
        field_name="document__request__agency",
        label="Agency",
        queryset=lambda request: Agency.objects.order_by("name"),
        empty_label="Any",
    )
    statute = django_filters.ModelChoiceFilter(
        field_name="document__request__statute",
        label="Statute",
        queryset=lambda request: Statute.objects.order_by("code"),
        empty_label="Any",
    )
    released = django_filters.DateFromToRangeFilter(
        field_name="document__uploaded_at__date", label="Released between", widget=DATE_RANGE
    )
    type = django_filters.ChoiceFilter(
        field_name="document__detected_type", label="File type", empty_label="Any",
        choices=[("pdf", "PDF"), ("tiff", "TIFF"), ("jpeg", "JPEG"), ("png", "PNG")],
    )  # fmt: skip
    ocr = django_filters.BooleanFilter(
        field_name="ocr",
        label="Text from OCR",
        widget=forms.Select(choices=[("", "Any"), ("true", "OCR'd pages only"), ("false", "Text-layer pages only")]),
    )

    mark = django_filters.CharFilter(method="filter_mark", label="Tagged (review)")

    class Meta:
        model = Page
        fields = ["request", "campaign", "agency", "statute", "released", "type", "ocr", "mark"]

    def filter_mark(self, queryset, name, value):
        return filter_by_mark(queryset, value.strip())
