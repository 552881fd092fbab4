import datetime as dt
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import deadlines as engine
from ..access import current_team
from ..feeds import deadline_calendar
from ..models import ClosureDay, FeedToken, RecordsRequest, SavedSearch, Statute
from ..search.saved import pending_alerts

APPEAL_HORIZON_DAYS = 14


@login_required
def dashboard(request):
    today = timezone.localdate()
    mine = request.GET.get("mine") == "1"
    requests = RecordsRequest.objects.visible_to(request.user).select_related("agency", "statute", "assignee")
    if mine:
        requests = requests.filter(assignee=request.user)
    week_end = today + dt.timedelta(days=7)
    appeal_end = today + dt.timedelta(days=APPEAL_HORIZON_DAYS)
    # Appeals have their own section (the appeal decision is then the request's due date).
    answers = requests.exclude(status="appealed")
    sections = [
        ("Overdue", "overdue", answers.overdue(today).order_by("due_date"), "due_date"),
        ("Due this week", "week", answers.due_within(7, today).order_by("due_date"), "due_date"),
        (
            f"Appeal windows closing within {APPEAL_HORIZON_DAYS} days",
            "appeal",
            requests.filter(appeal_window_closes__gte=today, appeal_window_closes__lte=appeal_end)
            .exclude(status__in=["appealed", "appeal_decided", "litigation", "withdrawn", "closed"])
            .order_by("appeal_window_closes"),
            "appeal_window_closes",
        ),
        (
            "Appeal decisions due",
            "appeal-decision",
            requests.filter(
                status="appealed", appeal_decision_due__isnull=False, appeal_decision_due__lte=week_end
            ).order_by("appeal_decision_due"),
            "appeal_decision_due",
        ),
    ]
    rendered = []
    for title, key, qs, field in sections:
        rows = list(qs[:200])
        rows.sort(key=lambda r: (r.assignee.username if r.assignee else "~", getattr(r, field)))
        by_assignee = [
            (name, list(group))
            for name, group in groupby(rows, key=lambda r: r.assignee.username if r.assignee else "Unassigned")
        ]
        rendered.append({"title": title, "key": key, "count": len(rows), "by_assignee": by_assignee, "field": field})
    # Sent, but the agency's receipt date is missing: no deadline runs, and the page says so.
    no_deadline = requests.open().exclude(status="draft").filter(received_date__isnull=True).order_by("sent_date")
    context = {"sections": rendered, "today": today, "mine": mine, "no_deadline": list(no_deadline[:200])}
    context["saved_alerts"] = pending_alerts(SavedSearch.objects.visible_to(request.user))
    return render(request, "records/dashboard.html", context)


class CalculatorForm(forms.Form):
    statute = forms.ModelChoiceField(queryset=Statute.objects.order_by("code"), to_field_name="code")
    received = forms.DateField(
        label="Received by the agency", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    extended = forms.BooleanField(required=False, label="The agency invoked its extension")
    tolled_days = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label="Days the clock was stopped (tolled)", initial=0
    )

    def clean_received(self):
        received = self.cleaned_data["received"]
        if not dt.date(1990, 1, 1) <= received <= dt.date(2100, 12, 31):
            raise forms.ValidationError("Give a date between 1990 and 2100.")
        return received


@login_required
def calculator(request):
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        statute = form.cleaned_data["statute"]
        rule = statute.as_rule()
        team = current_team(request)
        closures = ClosureDay.objects.applying_to(calendar=rule.calendar, agency_id=None, team_id=team and team.pk)
        closures = list(closures.values_list("date", "reason"))
        result = engine.response_due(
            rule,
            form.cleaned_data["received"],
            extended=form.cleaned_data["extended"],
            tolled_days=form.cleaned_data["tolled_days"] or 0,
            closures=closures,
        )
    return render(request, "records/calculator.html", {"form": form, "result": result, "disclaimer": engine.DISCLAIMER})


def _active_token(user):
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


@login_required
def feed_settings(request):
    token = _active_token(request.user)
    url = request.build_absolute_uri(f"/feeds/{token.token}.ics") if token else None
    return render(request, "records/feed_settings.html", {"feed_url": url})


@login_required
@require_POST
def feed_token_new(request):
    """Revoke any current token and issue a fresh one (the old URL stops working at once)."""
    FeedToken.objects.filter(user=request.user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if request.POST.get("action") != "revoke":
        FeedToken.objects.create(user=request.user)
        messages.success(request, "New calendar feed address created; the old one no longer works.")
    else:
        messages.success(request, "Calendar feed address revoked.")
    return redirect("feed_settings")


def feed(request, token):
    """No session here: calendar apps fetch it with the secret token alone."""
    feed_token = FeedToken.objects.filter(token=token, revoked_at__isnull=True).select_related("user").first()
    if feed_token is None or not feed_token.user.is_active:
        raise Http404("No such feed.")
    body = deadline_calendar(feed_token.user, base_url=request.build_absolute_uri("/").rstrip("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
