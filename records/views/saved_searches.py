"""Saved searches: save one from the search page, list them with what is new, delete one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..access import current_team
from ..models import SavedSearch
from ..search import QueryError, parse_query
from ..search.saved import Alert, filters_querystring, initial_mark, pending_alerts


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    q = forms.CharField(max_length=500)

    def clean_q(self):
        try:
            return str(parse_query(self.cleaned_data["q"]))
        except QueryError as error:
            raise forms.ValidationError(str(error)) from None


@login_required
def saved_search_list(request):
    if request.method == "POST":
        return _save(request)
    saved = SavedSearch.objects.visible_to(request.user).select_related("team", "created_by")
    new = {alert.saved_search.pk: alert.count for alert in pending_alerts(saved)}
    rows = [(search, new.get(search.pk, 0), Alert.saved_search_link(search)) for search in saved]
    return render(request, "records/saved_searches.html", {"rows": rows})


def _save(request):
    form = SavedSearchForm(request.POST)
    team = current_team(request)
    if team is None:
        messages.error(request, "Join a team first: saved searches belong to a team.")
        return redirect("search")
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("search")
    query = form.cleaned_data["q"]
    SavedSearch.objects.create(
        team=team, created_by=request.user, name=form.cleaned_data["name"].strip() or query, query=query,
        filters=filters_querystring(request.POST), alerted_through=initial_mark(),
    )  # fmt: skip
    messages.success(request, f"Saved. The morning digest will say when newly released pages match {query}.")
    return redirect("saved_search_list")


@login_required
@require_POST
def saved_search_delete(request, pk):
    saved = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    saved.delete()
    messages.success(request, f"Deleted the saved search {saved.name}.")
    return redirect("saved_search_list")
