from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Agency, Communication, Event, Membership, RecordsRequest, Statute, Tag, TrackingNumber

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordsRequestForm(forms.ModelForm):
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
            self.fields["tracking_text"].initial = "\n".join(
                n.number if n.kind == TrackingNumber.INITIAL else f"{n.kind}: {n.number}"
                for n in self.instance.tracking_numbers.all()
            )

    def clean_sent_date(self):
        sent = self.cleaned_data.get("sent_date")
        if sent and sent > timezone.localdate():
            raise forms.ValidationError("The sent date is in the future. Log a request once it has gone out.")
        return sent

    def clean_tracking_text(self):
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
        numbers = [n for _, n in entries]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise forms.ValidationError(f"Listed twice: {', '.join(repeated)}.")
        return entries

    def clean(self):
        data = super().clean()
        sent, received = data.get("sent_date"), data.get("received_date")
        if sent and received and received < sent:
            self.add_error("received_date", "The agency cannot have received it before it was sent.")
        agency = data.get("agency")
        if agency and data.get("tracking_text") and not data.get("confirm_duplicate_tracking"):
            clashes = self.tracking_clashes(agency, [n for _, n in data["tracking_text"]])
            if clashes:
                listed = "; ".join(f"{num} is already on “{title}”" for num, title in clashes)
                self.add_error(
                    "tracking_text",
                    f"{listed}. If that is right, tick the box below to save anyway; nothing was merged.",
                )
        return data

    def tracking_clashes(self, agency, numbers):
        """Our other requests to this agency that already carry one of these numbers."""
        existing = (
            TrackingNumber.objects.filter(request__team=self.team, number__in=numbers)
            .filter(agency=agency)
            .exclude(request_id=self.instance.pk)
            .select_related("request")
        )
        return [(t.number, t.request.title) for t in existing]

    def save_related(self, request_obj):
        """Tags and tracking numbers, after the request itself is saved."""
        names = {n.strip() for n in self.cleaned_data.get("tags_text", "").split(",") if n.strip()}
        tags = [Tag.objects.get_or_create(team=self.team, name=name)[0] for name in sorted(names)]
        request_obj.tags.set(tags)
        wanted = self.cleaned_data.get("tracking_text", [])
        request_obj.tracking_numbers.exclude(number__in=[n for _, n in wanted]).delete()
        for kind, number in wanted:
            TrackingNumber.objects.update_or_create(
                request=request_obj, number=number,
                defaults={"kind": kind, "agency": request_obj.agency},
            )  # fmt: skip


class TimelineEntryForm(forms.ModelForm):
    """An event or a communication on a request: dated today by default, never in the future."""

    FUTURE_MESSAGE = "That date is in the future."

    def __init__(self, *args, records_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.records_request = records_request
        self.fields["date"].initial = timezone.localdate

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(self.FUTURE_MESSAGE)
        return date


class EventForm(TimelineEntryForm):
    FUTURE_MESSAGE = "That date is in the future: log events once they have happened."

    class Meta:
        model = Event
        fields = ["kind", "date", "outcome", "amount", "note"]
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def clean_date(self):
        date = super().clean_date()
        sent = self.records_request.sent_date
        if sent and date < sent:
            raise forms.ValidationError(f"That is before the request was sent ({sent:%Y-%m-%d}).")
        return date

    def clean(self):
        data = super().clean()
        kind, outcome = data.get("kind"), data.get("outcome")
        if kind in Event.OUTCOME_KINDS and not outcome:
            self.add_error("outcome", "Say what the outcome was: granted, partly granted, denied or no records.")
        if kind not in Event.OUTCOME_KINDS and outcome:
            self.add_error("outcome", "Only a final response or an appeal decision has an outcome.")
        return data


class CommunicationForm(TimelineEntryForm):
    class Meta:
        model = Communication
        fields = ["direction", "channel", "date", "sender", "recipient", "subject", "body"]
        widgets = {"date": DATE_INPUT, "body": forms.Textarea(attrs={"rows": 5})}


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
