from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from . import timeline_rules
from .models import Agency, Communication, Event, Membership, RecordsRequest, Statute, TrackingNumber

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleCheckedForm(forms.ModelForm):
    """Shows the messages of records.timeline_rules (shared with the API) on the fields they name."""

    def add_rule_errors(self, errors: dict, renames: dict | None = None) -> None:
        for name, messages in errors.items():
            name = (renames or {}).get(name, name)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class VersionedForm(RuleCheckedForm):
    """Carries the version the user opened, so a save over someone else's is caught (timeline_writes)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class RecordsRequestForm(VersionedForm):
    tags_text = forms.CharField(label="Tags", required=False, help_text="Comma-separated, e.g. ALPR, contracts.")
    tracking_text = forms.CharField(
        label="Agency tracking numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. Prefix with 'appeal:' or 'referral:' where it is not the initial number.",
    )
    confirm_duplicate_tracking = forms.BooleanField(
        label="Yes, this tracking number really is shared with another of our requests", required=False
    )
    RULE_FIELDS = {"tags": "tags_text", "tracking_numbers": "tracking_text"}

    class Meta:
        model = RecordsRequest
        fields = [
            "title", "agency", "statute", "body", "reference", "sent_date", "received_date",
            "assignee", "project", "fee_estimate", "fee_waiver_requested", "fee_paid", "expedited_requested",
        ]  # fmt: skip
        widgets = {
            "sent_date": DATE_INPUT,
            "received_date": DATE_INPUT,
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        self.fields["statute"].queryset = Statute.objects.order_by("code")
        self.fields["assignee"].queryset = get_user_model().objects.filter(memberships__team=team).order_by("username")
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(t.name for t in self.instance.tags.all())
            self.fields["tracking_text"].initial = tracking_text(self.instance.tracking_numbers.all())

    def clean_tags_text(self) -> list[str]:
        return sorted({n.strip() for n in self.cleaned_data.get("tags_text", "").split(",") if n.strip()})

    def clean_tracking_text(self) -> list[tuple[str, str]]:
        entries = []
        for line_no, line in enumerate(self.cleaned_data.get("tracking_text", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            kind, sep, number = line.partition(":")
            if sep and kind.strip().lower() in dict(TrackingNumber.KIND_CHOICES):
                kind, number = kind.strip().lower(), number.strip()
            else:
                kind, number = TrackingNumber.INITIAL, line
            if not number:
                raise forms.ValidationError(f"Line {line_no} has a kind but no number.")
            entries.append((kind, number))
        return entries

    def clean(self):
        data = super().clean()
        errors = timeline_rules.request_errors(
            team=self.team,
            request_pk=self.instance.pk,
            agency=data.get("agency"),
            sent_date=data.get("sent_date"),
            received_date=data.get("received_date"),
            tags=data.get("tags_text"),
            tracking_numbers=data.get("tracking_text"),
            confirm_duplicate_tracking=data.get("confirm_duplicate_tracking"),
        )
        self.add_rule_errors(errors, self.RULE_FIELDS)
        return data


def tracking_text(numbers) -> str:
    """Tracking numbers as the form shows them: one a line, the kind first where it is not the initial."""
    return "\n".join(n.number if n.kind == TrackingNumber.INITIAL else f"{n.kind}: {n.number}" for n in numbers)


class TimelineEntryForm(RuleCheckedForm):
    """An event or a communication on a request: dated today by default."""

    def __init__(self, *args, records_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.records_request = records_request
        self.fields["date"].initial = timezone.localdate

    def entry_fields(self) -> dict:
        """The model's fields as typed, for records.timeline_writes (not the form's own, like version)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EventForm(VersionedForm, TimelineEntryForm):
    class Meta:
        model = Event
        fields = ["kind", "date", "outcome", "amount", "note"]
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        self.add_rule_errors(
            timeline_rules.event_errors(
                self.records_request, kind=data.get("kind"), date=data.get("date"), outcome=data.get("outcome")
            )
        )
        return data


class CommunicationForm(TimelineEntryForm):
    class Meta:
        model = Communication
        fields = ["direction", "channel", "date", "sender", "recipient", "subject", "body"]
        widgets = {"date": DATE_INPUT, "body": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        data = super().clean()
        self.add_rule_errors(timeline_rules.entry_date_errors(data.get("date")))
        return data


class AgencyForm(forms.ModelForm):
    state = forms.CharField(required=False, max_length=40, help_text="Two-letter postal code; blank for federal.")

    class Meta:
        model = Agency
        fields = [
            "name", "abbreviation", "level", "state", "parent", "records_officer", "email",
            "portal_url", "address", "default_statute",
        ]  # fmt: skip
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_state(self):
        state = self.cleaned_data.get("state", "").strip().upper()
        if state and (len(state) != 2 or not state.isalpha()):
            raise forms.ValidationError("Use the two-letter postal code, e.g. CA.")
        return state

    def clean(self):
        data = super().clean()
        if data.get("level") != Agency.FEDERAL and not data.get("state"):
            self.add_error("state", "State, county and city agencies need a state.")
        return data


class InviteForm(forms.Form):
    """Invite by username or email. It never says whether an account exists (see teams.invite)."""

    who = forms.CharField(label="Username or email", max_length=254)
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES, initial=Membership.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES)
