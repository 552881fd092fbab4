import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import can_write, current_team, writable_current_team, writable_teams
from ..campaigns import board, bulk, placeholders, plan, stats
from ..campaigns.directory import MergeError, merge_agencies
from ..campaigns.forms import AgencyMergeForm, CampaignForm
from ..letters import LetterError, render_letter
from ..letters.pdf import letters_pdf
from ..letters.render import requester_name
from ..models import Agency, Campaign, CampaignDraft, Communication, RecordsRequest, Statute


def get_campaign_for_user(user, pk, *, write=False) -> Campaign:
    """The campaign if it belongs to one of the user's teams, else 404; a write by a viewer, 403."""
    campaign = get_object_or_404(Campaign.objects.visible_to(user).select_related("team"), pk=pk)
    if write and not can_write(user, campaign.team):
        raise PermissionDenied("Your role in this team is read-only.")
    return campaign


@login_required
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).annotate(agencies=Count("requests")).select_related("team")
    team = current_team(request)
    return render(
        request,
        "records/campaigns/list.html",
        {"campaigns": campaigns, "can_create": team is not None and can_write(request.user, team)},
    )


@login_required
def campaign_create(request):
    team = writable_current_team(request)
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        draft = plan.create_draft(
            plan.build_plan(
                title=form.cleaned_data["title"],
                request_text=form.cleaned_data["request_text"],
                filtered_agencies=form.filtered_agencies(),
                lines=form.lines,
            ),
            team=team,
            user=request.user,
        )
        return redirect("campaign_preview", token=draft.token)
    context = {"form": form, "team": team, "placeholders": placeholders.PLACEHOLDERS.items()}
    return render(request, "records/campaigns/form.html", context)


@login_required
def campaign_preview(request, token):
    draft = get_object_or_404(CampaignDraft.objects.editable_by(request.user), token=token)
    if draft.campaign_id is not None:
        messages.info(request, "This campaign was already created; here is its board.")
        return redirect(draft.campaign)
    errors = []
    if request.method == "POST":
        choices = plan.choices_from_post(draft.plan, request.POST)
        try:
            campaign, created = plan.confirm_draft(draft, choices, user=request.user)
        except plan.PlanError as error:
            errors = error.messages
        else:
            if created:
                messages.success(request, f"Created the campaign with {campaign.requests.count()} requests.")
            return redirect(campaign)
    rows = draft.plan["rows"]
    counts = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    posted = request.POST if request.method == "POST" else {}
    return render(
        request,
        "records/campaigns/preview.html",
        {
            "draft": draft,
            "rows": [
                (
                    index,
                    row,
                    posted.get(f"agency_{index}", plan.default_choice(row)),
                    posted.get(f"statute_{index}", row["statute"]),
                )
                for index, row in enumerate(rows)
            ],  # fmt: skip
            "counts": sorted(counts.items()),
            "statutes": Statute.objects.order_by("code").only("code", "name"),
            "levels": Agency.LEVEL_CHOICES,
            "errors": errors,
        },
    )


def _filtered_board(request, campaign):
    """The board's filter, its rows in the chosen order, and that order: the page and the CSV agree."""
    filterset = board.BoardFilter(request.GET or None, queryset=board.board_queryset(campaign))
    valid = filterset.is_bound and filterset.is_valid()
    queryset = filterset.qs if valid else board.board_queryset(campaign)
    sort = filterset.form.cleaned_data.get("sort") if valid else None
    return filterset, board.sorted_rows(queryset, sort), sort


@login_required
def campaign_board(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    filterset, sorted_rows, sort = _filtered_board(request, campaign)
    rows = list(sorted_rows)
    today = timezone.localdate()
    counts = board.column_counts(rows)
    query = request.GET.copy()
    query.pop("view", None)
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_base = sort_query.urlencode() + "&" if sort_query else ""
    return render(
        request,
        "records/campaigns/board.html",
        {
            "campaign": campaign,
            "filter": filterset,
            "rows": board.matrix(rows, today),
            "columns": board.MATRIX_COLUMNS,
            "column_summary": [(key, label, counts[key]) for key, label, _ in board.MATRIX_COLUMNS],
            "sort_base": sort_base,
            "view": "matrix" if request.GET.get("view") == "matrix" else "list",
            "querystring": query.urlencode(),
            "sort": sort or "agency",
            "can_write": can_write(request.user, campaign.team),
            "channels": Communication.CHANNEL_CHOICES,
            "today": today,
        },
    )


@login_required
def campaign_export(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    _, sorted_rows, _ = _filtered_board(request, campaign)
    text = board.board_csv(sorted_rows, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    return response


BULK_ACTIONS = {"mark_sent", "initial_letters", "follow_up", "appeal"}


@login_required
@require_POST
def campaign_bulk(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose an action for the selected rows.")
        return redirect(campaign)
    ids = [int(value) for value in request.POST.getlist("selected") if plan.AN_ID.fullmatch(value)]
    requests = RecordsRequest.objects.filter(campaign=campaign).select_related("agency", "statute", "team")
    if ids:
        requests = requests.filter(pk__in=ids)
    elif action == "mark_sent":
        messages.error(request, "Select the rows to mark as sent.")
        return redirect(campaign)
    requests = list(requests.order_by("agency__name"))
    if action in ("mark_sent", "initial_letters"):
        try:
            when = dt.date.fromisoformat(request.POST.get("date") or timezone.localdate().isoformat())
        except ValueError:
            messages.error(request, "The sent date could not be read; use the date picker (YYYY-MM-DD).")
            return redirect(campaign)
        channel = request.POST.get("channel", "email")
        if channel not in dict(Communication.CHANNEL_CHOICES):
            channel = "email"
        if action == "mark_sent":
            result = bulk.mark_sent(requests, user=request.user, when=when, channel=channel)
            done = f"Marked {len(result.done)} request(s) as sent on {when:%Y-%m-%d}."
        else:
            result = bulk.send_initial_letters(requests, user=request.user, when=when, channel=channel)
            done = (
                f"Logged {len(result.done)} initial letter(s) as sent on {when:%Y-%m-%d}; "
                "download them as one PDF from the board."
            )
    elif action == "follow_up":
        result = bulk.follow_up_overdue(requests, user=request.user)
        done = f"Logged {len(result.done)} follow-up letter(s) to overdue agencies."
    else:
        result = bulk.appeal_denials(requests, user=request.user)
        done = f"Logged {len(result.done)} appeal letter(s) for denials."
    messages.success(request, done)
    reasons = {}
    for records_request, why in result.skipped:
        reasons.setdefault(why, []).append(records_request.agency.abbreviation or records_request.agency.name)
    for why, names in reasons.items():
        messages.info(
            request, f"Skipped {len(names)} ({why}): {', '.join(names[:10])}{' …' if len(names) > 10 else ''}."
        )
    return redirect(campaign)


@login_required
def campaign_letters_pdf(request, pk):
    """Every request's initial letter in one printable PDF (to print and post, or to file in a portal)."""
    campaign = get_campaign_for_user(request.user, pk)
    requests = campaign.requests.select_related("agency", "statute", "team").order_by("agency__name")
    try:
        pdf = letters_pdf(
            [(render_letter(r, "initial", requester_name=requester_name(request.user)), r.team) for r in requests]
        )
    except LetterError as error:
        messages.error(request, f"The letters could not be made: {error}")
        return redirect(campaign)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-letters.pdf"'
    return response


@login_required
def agency_performance(request):
    by = "campaign" if request.GET.get("by") == "campaign" else "agency"
    sort = request.GET.get("sort") or "name"
    rows = stats.performance(RecordsRequest.objects.visible_to(request.user), by=by)
    return render(
        request,
        "records/campaigns/performance.html",
        {"rows": stats.sort_performance(rows, sort), "by": by, "sort": sort, "outcomes": stats.OUTCOMES},
    )


@login_required
def agency_merge(request, pk):
    if not writable_teams(request.user).exists():
        raise PermissionDenied("Only editors can change the agency directory.")
    target = get_object_or_404(Agency, pk=pk)
    form = AgencyMergeForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            record = merge_agencies(source, target, user=request.user)
        except MergeError as error:
            form.add_error("source", str(error))
        else:
            messages.success(
                request, f"Merged {record.merged_name} into {target.name}: {record.requests_moved} request(s) moved."
            )
            return redirect("agency_detail", pk=target.pk)
    return render(request, "records/campaigns/agency_merge.html", {"form": form, "agency": target})
