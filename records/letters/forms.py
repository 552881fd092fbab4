from django import forms

from ..models import Communication, LetterKind, LetterTemplate, RecordsRequest, Statute, Team
from .placeholders import template_errors


class LetterTemplateForm(forms.ModelForm):
    """A team's template; unknown placeholders are errors here, before anything is saved."""

    preview_request = forms.ModelChoiceField(
        queryset=RecordsRequest.objects.none(), required=False, label="Preview with request",
        help_text="Press Preview to see the letter filled in for this request; nothing is saved.",
    )  # fmt: skip

    class Meta:
        model = LetterTemplate
        fields = ["kind", "statute", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "mono"})}
        help_texts = {"statute": "Leave empty to use this wording for every statute without its own."}

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["statute"].queryset = Statute.objects.order_by("code")
        self.fields["statute"].empty_label = "Any statute"
        self.fields["preview_request"].queryset = RecordsRequest.objects.for_team(team).select_related("agency")

    def clean_subject(self):
        return self._checked(self.cleaned_data["subject"])

    def clean_body(self):
        return self._checked(self.cleaned_data["body"])

    def _checked(self, text):
        errors = template_errors(text)
        if errors:
            raise forms.ValidationError(errors)
        return text

    def clean(self):
        data = super().clean()
        if "kind" in data:
            clash = LetterTemplate.objects.filter(team=self.team, kind=data["kind"], statute=data.get("statute"))
            if clash.exclude(pk=self.instance.pk).exists():
                statute = data.get("statute")
                raise forms.ValidationError(
                    f"Your team already has a “{LetterKind(data['kind']).label}” template for "
                    f"{statute.code if statute else 'any statute'}: edit that one instead."
                )
        return data


class LetterChoiceForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices, label="Kind of letter")


SEND_CHANNELS = [
    (value, label) for value, label in Communication.CHANNEL_CHOICES if value in ("email", "letter", "portal", "fax")
]


class LetterSendForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices, widget=forms.HiddenInput)
    channel = forms.ChoiceField(choices=SEND_CHANNELS, label="Sent by", initial="email")
    date = forms.DateField(label="Date sent", widget=forms.DateInput(attrs={"type": "date"}))


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["letterhead_address", "letterhead_contact"]
        widgets = {"letterhead_address": forms.Textarea(attrs={"rows": 3})}
