"""Review pages: marks and notes on a document's pages, review tags and Bates prefix, exhibit binders."""

import logging
from functools import partial
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..access import READ_ONLY, can_write, current_team, writable_current_team
from ..ingest.store import is_local, open_stored
from ..models import BatesCounter, Binder, BinderPage, Page, ReviewTag
from ..review import marks
from ..review.binder import (
    SYNC_CHECK_PAGES,
    BinderRefused,
    add_pages,
    default_prefix,
    move_page,
    open_binders_for,
    remove_page,
    request_build,
)
from ..tasks import build_binder_task

logger = logging.getLogger(__name__)


class BinderForm(forms.Form):
    title = forms.CharField(max_length=200)


class PrefixForm(forms.Form):
    prefix = forms.RegexField(
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$",
        max_length=20,
        error_messages={"invalid": "Use up to 20 letters, digits and hyphens, e.g. ACLU-ICE."},
    )


# --- Access helpers -----------------------------------------------------------------------------


def _get_binder(user, pk, *, write=False) -> Binder:
    binder = get_object_or_404(Binder.objects.visible_to(user).select_related("team"), pk=pk)
    if write and not can_write(user, binder.team):
        raise PermissionDenied(READ_ONLY)
    return binder


def _get_page(user, pk, *, write=False) -> Page:
    page = get_object_or_404(Page.objects.visible_to(user).select_related("document__request__team"), pk=pk)
    if write and not can_write(user, page.document.request.team):
        raise PermissionDenied(READ_ONLY)
    return page


def _back(request, fallback: str):
    """Back to the page the form was on (same site only), else the fallback."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _page_url(page: Page) -> str:
    screen = (page.number + 19) // 20  # the document page shows 20 pages a screen
    return f"{reverse('document_detail', args=[page.document_id])}?page={screen}#page-{page.number}"


# --- Marks and notes ----------------------------------------------------------------------------


def document_review_context(request, document, pages) -> dict:
    """What the document page shows for review: tags, marks and notes of the shown pages, progress."""
    team = document.request.team
    reviewed, total = marks.review_progress(document.pages.all())
    return {
        "review_tags": marks.tags_for(team),
        "marks_by_page": marks.marks_by_page(pages),
        "notes_by_page": marks.notes_by_page(pages),
        "review_progress": (reviewed, total),
        "mark_filter": request.GET.get("mark", ""),
        "open_binders": open_binders_for(request.user).filter(team=team),
    }


@login_required
@require_POST
def page_mark(request, pk):
    page = _get_page(request.user, pk, write=True)
    tag = request.POST.get("tag", "")
    if request.POST.get("action") == "remove":
        marks.unmark_page(page, tag)
    else:
        try:
            marks.mark_page(page, tag, request.user)
        except marks.MarkRefused as refusal:
            messages.error(request, str(refusal))
    return _back(request, _page_url(page))


@login_required
@require_POST
def page_note(request, pk):
    page = _get_page(request.user, pk, write=True)
    try:
        marks.add_note(page, request.POST.get("text", ""), request.user)
    except marks.MarkRefused as refusal:
        messages.error(request, str(refusal))
    return _back(request, _page_url(page))


@login_required
def review_settings(request):
    """The team's own review tags and its Bates prefix."""
    team = current_team(request)
    if team is None:
        raise PermissionDenied("You are not in a team yet. Ask a team admin to add you.")
    counter = BatesCounter.objects.filter(team=team).first()
    prefix_form = PrefixForm(initial={"prefix": counter.prefix if counter else default_prefix(team)})
    if request.method == "POST":
        team = writable_current_team(request)
        if "prefix" in request.POST:
            prefix_form = PrefixForm(request.POST)
            if prefix_form.is_valid():
                prefix = prefix_form.cleaned_data["prefix"].upper()
                BatesCounter.objects.update_or_create(team=team, defaults={"prefix": prefix})
                messages.success(request, f"New binders are numbered {prefix}-000001 onwards (numbers continue).")
                return redirect("review_settings")
        else:
            try:
                tag = marks.add_team_tag(team, request.POST.get("name", ""))
                messages.success(request, f"Added the tag “{tag.name}”.")
                return redirect("review_settings")
            except marks.MarkRefused as refusal:
                messages.error(request, str(refusal))
    return render(
        request,
        "records/review_settings.html",
        {
            "team": team,
            "tags": marks.tags_for(team),
            "own_tags": ReviewTag.objects.for_team(team),
            "prefix_form": prefix_form,
            "counter": counter,
            "can_write": can_write(request.user, team),
        },
    )


# --- Binders ------------------------------------------------------------------------------------


@login_required
def binder_list(request):
    form = BinderForm()
    if request.method == "POST":
        team = writable_current_team(request)
        form = BinderForm(request.POST)
        if form.is_valid():
            binder = Binder.objects.create(team=team, title=form.cleaned_data["title"], created_by=request.user)
            return redirect(binder)
    team = current_team(request)
    return render(
        request,
        "records/binder_list.html",
        {
            "binders": Binder.objects.visible_to(request.user).annotate(page_count=Count("binder_pages")),
            "form": form,
            "can_write": team is not None and can_write(request.user, team),
        },
    )


@login_required
def binder_detail(request, pk):
    binder = _get_binder(request.user, pk)
    binder_pages = binder.binder_pages.select_related("page__document")
    return render(
        request,
        "records/binder_detail.html",
        {"binder": binder, "binder_pages": binder_pages, "can_write": can_write(request.user, binder.team)},
    )


@login_required
def binder_progress(request, pk):
    """The live build state the binder page polls (htmx)."""
    binder = _get_binder(request.user, pk)
    response = render(request, "records/partials/binder_progress.html", {"binder": binder})
    if not binder.is_busy:
        response["HX-Refresh"] = "true"  # finished: reload once to show the download
    return response


@login_required
@require_POST
def binder_add(request):
    """Add a page (by id, or by document and page number as search results give it) to a binder."""
    binder = _get_binder(request.user, request.POST.get("binder") or 0, write=True)
    pages = Page.objects.visible_to(request.user).filter(document__request__team=binder.team)
    if request.POST.get("page"):
        page = get_object_or_404(pages, pk=request.POST["page"] if request.POST["page"].isdigit() else 0)
    else:
        document, number = request.POST.get("document", ""), request.POST.get("number", "")
        if not (document.isdigit() and number.isdigit()):
            raise Http404("No such page.")
        page = get_object_or_404(pages, document_id=document, number=number)
    if binder.is_busy:
        messages.error(request, "This binder is being built; add pages once it has finished.")
    elif add_pages(binder, [page]):
        messages.success(request, f"Added page {page.number} of {page.document.original_name} to “{binder.title}”.")
    else:
        messages.info(request, f"Page {page.number} of {page.document.original_name} is already in “{binder.title}”.")
    return _back(request, binder.get_absolute_url())


def _get_binder_page(user, pk) -> BinderPage:
    binder_page = get_object_or_404(BinderPage.objects.visible_to(user).select_related("binder__team"), pk=pk)
    if not can_write(user, binder_page.binder.team):
        raise PermissionDenied(READ_ONLY)
    return binder_page


@login_required
@require_POST
def binder_page_move(request, pk):
    binder_page = _get_binder_page(request.user, pk)
    if not binder_page.binder.is_busy:
        move_page(binder_page, -1 if request.POST.get("direction") == "up" else 1)
    return redirect(binder_page.binder)


@login_required
@require_POST
def binder_page_remove(request, pk):
    binder_page = _get_binder_page(request.user, pk)
    binder = binder_page.binder
    if not binder.is_busy:
        remove_page(binder_page)
    return redirect(binder)


@login_required
@require_POST
def binder_build(request, pk):
    binder = _get_binder(request.user, pk, write=True)
    try:
        # Small binders on a local store are checked on the spot; others by the worker, before it writes.
        small = binder.binder_pages.count() <= SYNC_CHECK_PAGES
        request_build(binder, check_sources_now=small and is_local())
    except BinderRefused as refusal:
        messages.error(request, "This binder cannot be built:")
        for reason in refusal.reasons[:50]:
            messages.error(request, reason)
        return redirect(binder)
    transaction.on_commit(partial(build_binder_task.delay, binder.pk))
    messages.success(request, "Building the binder; this page shows its progress.")
    return redirect(binder)


@login_required
def binder_download(request, pk):
    """The built PDF, for the team only, and only once the build is done."""
    binder = get_object_or_404(
        Binder.objects.visible_to(request.user).select_related("built_file"),
        pk=pk,
        state=Binder.State.DONE,
        built_file__isnull=False,
    )
    try:
        stored = open_stored(binder.built_file)
    except OSError:
        logger.exception("Binder %s: its file could not be read from the store.", binder.pk)
        messages.error(request, "The binder could not be read from the file store just now. Try again later.")
        return redirect(binder)
    response = FileResponse(stored, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(binder.title)}.pdf"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; plugin-types application/pdf"
    return response
