"""The "Proposed from letters" panel: confirm, edit and confirm, or reject what the letter reader proposed.

Server-rendered; with htmx the panel replaces itself, without it the page reloads. Editors act, viewers
see, strangers get 404 (records.access)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import can_write, get_scoped_or_404
from ..letter_reader.reader import NOTHING_FOUND
from ..models import Event, LetterReading, Proposal, TrackingNumber
from ..proposals import ProposalError, confirm_proposal, reject_proposal

PANEL = "records/partials/proposals_panel.html"


class ProposalEditForm(forms.Form):
    """The fields a user may correct before confirming; each proposal shows the ones its kind uses."""

    date = forms.DateField(required=False, label="Date of the letter", widget=forms.DateInput(attrs={"type": "date"}))
    promised_date = forms.DateField(
        required=False, label="Date promised", widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *Event.Outcome.choices])
    amount = forms.DecimalField(required=False, min_value=0, max_digits=10, decimal_places=2, label="Amount ($)")
    tracking_number = forms.CharField(
        required=False, max_length=TrackingNumber._meta.get_field("number").max_length, label="Tracking number"
    )
    citations = forms.CharField(required=False, max_length=500, label="Section(s) cited", help_text="Separate with ;")

    def edits(self) -> dict:
        data = dict(self.cleaned_data)
        data["citations"] = [part.strip() for part in data["citations"].split(";") if part.strip()]
        data["tracking_number"] = data["tracking_number"].strip()
        return data

    def error_sentence(self) -> str:
        return " ".join(
            f"{self.fields[name].label or name}: {message}" if name != "__all__" else message
            for name, errors in self.errors.items()
            for message in errors
        )


# Which fields each kind shows.
KIND_FIELDS = {
    "extension": ("date", "promised_date", "citations", "tracking_number"),
    "acknowledged": ("date", "promised_date", "tracking_number"),
    "fee_estimate": ("date", "amount", "tracking_number"),
    "fee_paid": ("date", "amount", "tracking_number"),
    "final_response": ("date", "outcome", "citations", "tracking_number"),
    "interim_release": ("date", "citations", "tracking_number"),
}
DEFAULT_FIELDS = ("date", "tracking_number")


def panel_context(records_request, *, user, source: str = "", errors: dict | None = None) -> dict:
    """The panel for a request (source ""), or for one letter ("communication:12", "document:34")."""
    proposals = Proposal.objects.filter(request=records_request).select_related(
        "communication", "document", "decided_by", "event"
    )
    readings = LetterReading.objects.filter(request=records_request).select_related("communication", "document")
    if source:
        proposals, readings = proposals.filter(source_key=source), readings.filter(source_key=source)
    proposals = sorted(proposals, key=lambda p: (not p.is_pending, p.created_at, p.pk))
    logged = {(kind, day.isoformat()) for kind, day in records_request.events.values_list("kind", "date")}
    for proposal in proposals:
        # Logged by hand already, or confirmed from another copy of the letter: say so beside it.
        proposal.on_timeline = proposal.is_pending and (proposal.kind, proposal.fields.get("date")) in logged
        proposal.shown_fields = KIND_FIELDS.get(proposal.kind, DEFAULT_FIELDS)
        if proposal.is_pending:
            initial = {**proposal.fields, "citations": "; ".join(proposal.fields.get("citations") or [])}
            proposal.form = ProposalEditForm(initial=initial, auto_id=f"proposal{proposal.pk}_%s")
            proposal.bound_fields = [proposal.form[name] for name in proposal.shown_fields]
        proposal.error = (errors or {}).get(proposal.pk, "")
    return {
        "proposals": proposals,
        # On the request page, a message that simply implies nothing is not worth a warning.
        "readings": [r for r in readings if r.unread and (source or r.unread != [NOTHING_FOUND])],
        "can_write": can_write(user, records_request.team),
        "panel_source": source,
        "panel_id": source.replace(":", "-") or f"request-{records_request.pk}",
        "records_request": records_request,
    }


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_scoped_or_404(
        Proposal.objects.select_related("request__team", "communication"), request.user, write=True, pk=pk
    )
    error = _decide(proposal, request.user, request.POST)
    if request.headers.get("HX-Request"):
        source = request.POST.get("source", "")
        source = source if source in (proposal.source_key, "") else ""
        context = panel_context(proposal.request, user=request.user, source=source, errors={proposal.pk: error})
        return render(request, PANEL, context)  # 200 even with an error: htmx does not swap in a 400
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Done: the timeline is up to date.")
    return redirect(proposal.request)


def _decide(proposal: Proposal, user, data) -> str:
    """Act on the button pressed; the error sentence, or "" when it went through."""
    action = data.get("action")
    try:
        if action == "reject":
            reject_proposal(proposal, user)
        elif action in ("confirm", "edit"):
            # The fields are on the page beside the buttons: what the user typed is applied, never dropped.
            edits = None
            if action == "edit" or any(name in data for name in ProposalEditForm.base_fields):
                form = ProposalEditForm(data)
                if not form.is_valid():
                    return form.error_sentence()
                edits = {name: value for name, value in form.edits().items() if name in data}  # the kind's fields only
            confirm_proposal(proposal, user, edits)
        else:
            return "Choose Confirm, Edit & confirm, or Reject."
    except ProposalError as problem:
        return str(problem)
    return ""
