"""Serializers: the API's shapes. A write is validated here, on typed values, by the same rules as the
pages' forms (records.timeline_rules: no future dates, received after sent, outcomes only on responses,
tracking-number clashes, lengths), then saved by the same functions (records.timeline_writes)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework import serializers

from records import timeline_rules, timeline_writes
from records.access import READ_ONLY, can_write, writable_teams
from records.models import (
    Agency,
    Communication,
    Document,
    Event,
    RecordsRequest,
    Statute,
    Team,
    TrackingNumber,
)  # fmt: skip


def _user(serializer):
    return serializer.context["request"].user


def _absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _check(errors: dict) -> None:
    if errors:
        raise serializers.ValidationError(errors)


def _current(attrs: dict, instance, name: str):
    """A field's value after this write: sent in the body, else (PATCH) as stored."""
    if name in attrs:
        return attrs[name]
    return getattr(instance, name) if instance is not None else None


def _model_fields(attrs: dict, names) -> dict:
    return {name: attrs[name] for name in names if name in attrs}


class TrackingNumberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingNumber
        fields = ["number", "kind"]
        # The length is checked with the other rules (timeline_rules), with the same message as the page.
        extra_kwargs = {"number": {"max_length": None}}


class TagNamesField(serializers.ListField):
    child = serializers.CharField()  # its length is checked with the other rules (timeline_rules)

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
            "created_at", "updated_at", "version", "url", "confirm_duplicate_tracking",
        ]  # fmt: skip
        read_only_fields = ["status", "due_date", "created_at", "updated_at", "version"]

    MODEL_FIELDS = [
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
        if self.instance is not None:
            if "team" in attrs and attrs["team"] != self.instance.team:
                raise serializers.ValidationError({"team": ["A request cannot move to another team."]})
            return self.instance.team
        if attrs.get("team") is not None:
            return attrs["team"]
        writable = list(writable_teams(_user(self))[:2])
        if len(writable) == 1:
            return writable[0]
        raise serializers.ValidationError({"team": ["You are an editor in several teams: say which."]})

    def validate(self, attrs):
        team = self._team(attrs)
        if not can_write(_user(self), team):
            raise PermissionDenied(READ_ONLY)
        attrs["team"] = team
        attrs["tracking_numbers"] = self._tracking(attrs)
        _check(
            timeline_rules.request_errors(
                team=team,
                request_pk=self.instance.pk if self.instance is not None else None,
                agency=_current(attrs, self.instance, "agency"),
                sent_date=_current(attrs, self.instance, "sent_date"),
                received_date=_current(attrs, self.instance, "received_date"),
                tags=attrs.get("tags"),
                tracking_numbers=attrs["tracking_numbers"],
                confirm_duplicate_tracking=attrs.get("confirm_duplicate_tracking", False),
            )
        )
        return attrs

    @staticmethod
    def _tracking(attrs):
        if "tracking_numbers" not in attrs:
            return None  # PATCH without them: left as they are
        return [(t.get("kind", TrackingNumber.INITIAL), t["number"]) for t in attrs["tracking_numbers"]]

    def create(self, validated_data):
        records_request = RecordsRequest(
            team=validated_data["team"], **_model_fields(validated_data, self.MODEL_FIELDS)
        )
        return self._save(records_request, validated_data)

    def update(self, instance, validated_data):
        for name, value in _model_fields(validated_data, self.MODEL_FIELDS).items():
            setattr(instance, name, value)
        return self._save(instance, validated_data)

    def _save(self, records_request, validated_data):
        return timeline_writes.save_request(
            records_request,
            user=_user(self),
            tags=validated_data.get("tags"),
            tracking_numbers=validated_data["tracking_numbers"],
            expected_version=self.context.get("expected_version"),
        )


class _OnRequestSerializer(serializers.ModelSerializer):
    """Events and communications: they belong to a request the caller can see and, to write, edit."""

    request = serializers.PrimaryKeyRelatedField(queryset=RecordsRequest.objects.none())
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

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
            raise PermissionDenied(READ_ONLY)
        _check(self.rule_errors(records_request, attrs))
        attrs["request"] = records_request
        return attrs

    def rule_errors(self, records_request, attrs) -> dict:
        raise NotImplementedError

    def fields_to_save(self, validated_data) -> dict:
        return {name: value for name, value in validated_data.items() if name != "request"}


class EventSerializer(_OnRequestSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id", "request", "kind", "kind_display", "date", "outcome", "amount", "note", "created_by", "created_at",
            "version",
        ]  # fmt: skip
        read_only_fields = ["created_at", "version"]

    def rule_errors(self, records_request, attrs) -> dict:
        return timeline_rules.event_errors(
            records_request,
            kind=_current(attrs, self.instance, "kind"),
            date=_current(attrs, self.instance, "date"),
            outcome=_current(attrs, self.instance, "outcome"),
        )

    def create(self, validated_data):
        return timeline_writes.log_event(
            validated_data["request"], user=_user(self), **self.fields_to_save(validated_data)
        )

    def update(self, instance, validated_data):
        return timeline_writes.edit_event(
            instance,
            user=_user(self),
            expected_version=self.context.get("expected_version"),
            **self.fields_to_save(validated_data),
        )


class CommunicationSerializer(_OnRequestSerializer):
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

    def rule_errors(self, records_request, attrs) -> dict:
        return timeline_rules.entry_date_errors(_current(attrs, self.instance, "date"))

    def create(self, validated_data):
        return timeline_writes.log_communication(
            validated_data["request"], user=_user(self), **self.fields_to_save(validated_data)
        )

    def update(self, instance, validated_data):
        return timeline_writes.edit_communication(instance, user=_user(self), **self.fields_to_save(validated_data))


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

    def get_download_url(self, obj) -> str:
        # The download view is permission-checked like every page.
        return _absolute(self, reverse("document_download", args=[obj.pk]))


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
    kind = serializers.CharField(help_text="page, request or communication.")
    request_id = serializers.IntegerField()
    document_id = serializers.IntegerField(allow_null=True)
    filename = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)
    ocr = serializers.BooleanField()
    communication_id = serializers.IntegerField(allow_null=True, help_text="Communication hits only.")
    title = serializers.CharField(help_text="Request and communication hits: the title or subject.")
    snippet = serializers.CharField(help_text="Escaped text; the matches are wrapped in <mark>…</mark>.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    matched = serializers.IntegerField(help_text="Pages matching: exact with matched_exact, else an estimate.")
    matched_capped = serializers.BooleanField(help_text="The opposite of matched_exact (kept for old clients).")
    matched_exact = serializers.BooleanField()
    sort = serializers.CharField()
    next_after = serializers.IntegerField(allow_null=True, help_text="Pass as `after` for the next screen.")
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    has_next = serializers.BooleanField()
    requests_matched = serializers.IntegerField(
        allow_null=True, help_text="Request and communication hits in all, exactly (page them with kind=request)."
    )
    results = SearchHitSerializer(many=True)
