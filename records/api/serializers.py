"""Serializers: the API's shapes. Writes are validated by the pages' own forms (records.forms), so
a rule (no future dates, received after sent, outcomes only on responses, tracking-number clashes)
holds the same way in the browser and in a script."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from records import timeline
from records.forms import CommunicationForm, EventForm, RecordsRequestForm
from records.models import (
    Agency,
    Communication,
    Document,
    Event,
    Membership,
    RecordsRequest,
    Statute,
    Team,
    TrackingNumber,
)  # fmt: skip

from ..views.access import can_write


def _user(serializer):
    return serializer.context["request"].user


def _absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _form_value(value):
    """A Python value as an HTML form would post it."""
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _form_errors(form, renames=None) -> dict:
    renames = {"__all__": "non_field_errors", **(renames or {})}
    return {renames.get(name, name): [str(e) for e in errors] for name, errors in form.errors.items()}


class TrackingNumberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingNumber
        fields = ["number", "kind"]


class TagNamesField(serializers.ListField):
    child = serializers.CharField(max_length=60)

    def to_representation(self, value):
        return [tag.name for tag in value.all()]


class RecordsRequestSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        required=False,
        help_text="Your team's id. May be left out when you are an editor in only one team. Cannot change.",
    )
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    statute = serializers.SlugRelatedField(
        slug_field="code", queryset=Statute.objects.all(), help_text="e.g. FOIA, CPRA"
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False, allow_null=True
    )
    assignee_username = serializers.SerializerMethodField()
    tags = TagNamesField(required=False)
    tracking_numbers = TrackingNumberSerializer(many=True, required=False)
    confirm_duplicate_tracking = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="Save even though another of your requests to this agency carries one of these tracking numbers.",
    )  # fmt: skip
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = RecordsRequest
        fields = [
            "id", "team", "title", "agency", "statute", "body", "reference", "sent_date", "received_date",
            "assignee", "assignee_username", "project", "tags", "tracking_numbers", "fee_estimate",
            "fee_waiver_requested", "fee_paid", "expedited_requested", "status", "status_display", "due_date",
            "created_at", "updated_at", "url", "confirm_duplicate_tracking",
        ]  # fmt: skip
        read_only_fields = ["status", "due_date", "created_at", "updated_at"]

    FORM_FIELDS = [
        "title", "agency", "statute", "body", "reference", "sent_date", "received_date", "assignee", "project",
        "fee_estimate", "fee_waiver_requested", "fee_paid", "expedited_requested",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            user = request.user
            self.fields["team"].queryset = Team.objects.filter(memberships__user=user)
            self.fields["assignee"].queryset = (
                get_user_model().objects.filter(memberships__team__memberships__user=user).distinct()
            )

    def get_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())

    def get_assignee_username(self, obj) -> str | None:
        return obj.assignee.username if obj.assignee_id else None

    def _team(self, attrs):
        user = _user(self)
        if self.instance is not None:
            if "team" in attrs and attrs["team"] != self.instance.team:
                raise serializers.ValidationError({"team": ["A request cannot move to another team."]})
            return self.instance.team
        if attrs.get("team") is not None:
            return attrs["team"]
        writable = list(Team.objects.filter(memberships__user=user, memberships__role__in=Membership.WRITE_ROLES)[:2])
        if len(writable) == 1:
            return writable[0]
        raise serializers.ValidationError({"team": ["You are an editor in several teams: say which."]})

    def validate(self, attrs):
        team = self._team(attrs)
        if not can_write(_user(self), team):
            raise PermissionDenied("Your role in this team is read-only.")
        data = {}
        if self.instance is not None:  # PATCH: what is not sent stays as it is
            data = {name: _form_value(getattr(self.instance, name)) for name in self.FORM_FIELDS}
            data["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())
            data["tracking_text"] = "\n".join(
                n.number if n.kind == TrackingNumber.INITIAL else f"{n.kind}: {n.number}"
                for n in self.instance.tracking_numbers.all()
            )
        data.update({name: _form_value(attrs[name]) for name in self.FORM_FIELDS if name in attrs})
        if "tags" in attrs:
            data["tags_text"] = ", ".join(attrs["tags"])
        if "tracking_numbers" in attrs:
            data["tracking_text"] = "\n".join(
                t["number"]
                if t.get("kind", TrackingNumber.INITIAL) == TrackingNumber.INITIAL
                else f"{t['kind']}: {t['number']}"
                for t in attrs["tracking_numbers"]
            )
        data["confirm_duplicate_tracking"] = attrs.get("confirm_duplicate_tracking", False)
        form = RecordsRequestForm(data, instance=self.instance, team=team)
        if not form.is_valid():
            raise serializers.ValidationError(
                _form_errors(form, {"tags_text": "tags", "tracking_text": "tracking_numbers"})
            )
        self._form, self._team_obj = form, team
        return attrs

    def create(self, validated_data):
        with transaction.atomic():
            records_request = self._form.save(commit=False)
            records_request.team = self._team_obj
            records_request.created_by = _user(self)
            records_request.save()
            self._form.save_related(records_request)
            timeline.recompute(records_request)
        return records_request

    def update(self, instance, validated_data):
        with transaction.atomic():
            records_request = self._form.save()
            self._form.save_related(records_request)
            timeline.recompute(records_request)
        return records_request


class _OnRequestSerializer(serializers.ModelSerializer):
    """Events and communications: they belong to a request the caller can see and, to write, edit."""

    request = serializers.PrimaryKeyRelatedField(queryset=RecordsRequest.objects.none())
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    form_class: type = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["request"].queryset = RecordsRequest.objects.visible_to(request.user)

    def validate(self, attrs):
        records_request = attrs.get("request") or self.instance.request
        if self.instance is not None and records_request != self.instance.request:
            raise serializers.ValidationError({"request": ["Cannot move to another request."]})
        if not can_write(_user(self), records_request.team):
            raise PermissionDenied("Your role in this team is read-only.")
        names = list(self.form_class._meta.fields)
        data = {n: _form_value(getattr(self.instance, n)) for n in names} if self.instance is not None else {}
        data.update({n: _form_value(attrs[n]) for n in names if n in attrs})
        form = self.form_class(data, instance=self.instance, records_request=records_request)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        self._form, self._records_request = form, records_request
        return attrs


class EventSerializer(_OnRequestSerializer):
    form_class = EventForm
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "request",
            "kind",
            "kind_display",
            "date",
            "outcome",
            "amount",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        # Status and deadlines are derived from the events: recompute with every change.
        with transaction.atomic():
            event = self._form.save(commit=False)
            event.request = self._records_request
            event.created_by = _user(self)
            event.save()
            timeline.recompute(self._records_request)
        return event

    def update(self, instance, validated_data):
        with transaction.atomic():
            event = self._form.save()
            timeline.recompute(self._records_request)
        return event


class CommunicationSerializer(_OnRequestSerializer):
    form_class = CommunicationForm
    event = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The event this communication recorded, if any."
    )

    class Meta:
        model = Communication
        fields = [
            "id", "request", "direction", "channel", "date", "sender", "recipient", "subject", "body", "event",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        comm = self._form.save(commit=False)
        comm.request = self._records_request
        comm.created_by = _user(self)
        comm.save()
        return comm

    def update(self, instance, validated_data):
        return self._form.save()


class DocumentSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="stored_file.sha256", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id", "request", "communication", "archive", "original_name", "size", "detected_type", "page_count",
            "pages_done", "state", "state_display", "error", "sha256", "uploaded_by", "uploaded_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        # The download view is permission-checked like every page; None where it is not installed.
        try:
            return _absolute(self, reverse("document_download", args=[obj.pk]))
        except NoReverseMatch:
            return None


class AgencySerializer(serializers.ModelSerializer):
    default_statute = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # Plain strings: the directory holds blanks, which are not valid "email" or "uri" formats.
    email = serializers.CharField(read_only=True)
    portal_url = serializers.CharField(read_only=True)

    class Meta:
        model = Agency
        fields = [
            "id", "name", "abbreviation", "level", "state", "parent", "records_officer", "email", "portal_url",
            "address", "default_statute",
        ]  # fmt: skip
        read_only_fields = fields


class StatuteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statute
        fields = ["id", *Statute.RULE_FIELDS]
        read_only_fields = fields


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    request_id = serializers.IntegerField()
    document_id = serializers.IntegerField(allow_null=True)
    filename = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)
    ocr = serializers.BooleanField()
    snippet = serializers.CharField(help_text="Escaped text; the matches are wrapped in <mark>…</mark>.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    matched = serializers.IntegerField(help_text="Matches ranked; with matched_capped, there were more.")
    matched_capped = serializers.BooleanField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = SearchHitSerializer(many=True)
