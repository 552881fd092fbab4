"""The campaign forms: the text and the agencies (step 1), the agency merge."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from ..models import Agency
from . import matching, placeholders


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    request_text = forms.CharField(
        label="Request text",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Filled in per agency: {{ agency.name }}, {{ statute.citation }}, {{ statute.response_period }} … "
        "(the list is below the form; the same placeholders as in letter templates).",
    )
    filter_level = forms.MultipleChoiceField(
        label="From the directory: level", choices=Agency.LEVEL_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    filter_state = forms.CharField(label="State", max_length=2, required=False, help_text="e.g. CA")
    filter_name = forms.CharField(
        label="Name contains any of", max_length=300, required=False,
        help_text="Comma-separated, e.g. police, sheriff. Leave all three blank to pick no agencies this way.",
    )  # fmt: skip
    names = forms.CharField(
        label="Or paste agency names", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line; abbreviations work (LAPD).",
    )  # fmt: skip
    upload = forms.FileField(
        label="Or upload a list", required=False, help_text="A .csv or .xlsx file: agency names in the first column."
    )

    def clean_request_text(self):
        text = self.cleaned_data["request_text"]
        errors = placeholders.text_errors(text)
        if errors:
            raise forms.ValidationError(errors)
        return text

    def clean_filter_state(self):
        state = self.cleaned_data["filter_state"].strip().upper()
        if state and (len(state) != 2 or not state.isalpha()):
            raise forms.ValidationError("Use the two-letter postal code, e.g. CA.")
        return state

    def clean(self):
        data = super().clean()
        self.lines = []
        upload = data.get("upload")
        if upload:
            try:
                self.lines += matching.names_from_upload(upload)
            except matching.UnreadableFile as error:
                self.add_error("upload", str(error))
        pasted = data.get("names", "")
        if pasted:
            self.lines += pasted.splitlines()
        if len(self.lines) > matching.MAX_LINES:
            self.add_error("names", f"A campaign takes at most {matching.MAX_LINES} agencies a list.")
        if not self.lines and not self.has_filter() and not self.errors:
            raise forms.ValidationError(
                "Choose agencies: from the directory, by pasting names, or by uploading a list."
            )
        return data

    def has_filter(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("filter_level") or data.get("filter_state") or data.get("filter_name", "").strip())

    def filtered_agencies(self):
        if not self.has_filter():
            return Agency.objects.none()
        data = self.cleaned_data
        agencies = Agency.objects.select_related("default_statute").order_by("name")
        if data.get("filter_level"):
            agencies = agencies.filter(level__in=data["filter_level"])
        if data.get("filter_state"):
            agencies = agencies.filter(state__iexact=data["filter_state"])
        words = [w.strip() for w in data.get("filter_name", "").split(",") if w.strip()]
        if words:
            condition = Q()
            for word in words:
                condition |= Q(name__icontains=word) | Q(abbreviation__iexact=word)
            agencies = agencies.filter(condition)
        return agencies


class AgencyMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Merge this agency into the one above", queryset=Agency.objects.order_by("name"),
        help_text="Its requests, tracking numbers and closure days move here; then it is removed from the directory.",
    )  # fmt: skip
    confirm = forms.BooleanField(label="Yes, merge them. This cannot be undone from this page.")

    def __init__(self, *args, target: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Agency.objects.exclude(pk=target.pk).order_by("name")
