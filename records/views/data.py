"""Data in and out: spreadsheet import, CSV export, the chronology exhibit, audit history.

Thin views: the work is in records.imports, records.exports and records.audit. Every object
comes through the access helpers, so a stranger gets 404 and a viewer 403 on a write.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from .. import audit, exports, imports
from ..access import can_write, current_team, get_request_for_user, teams_for
from ..filters import RecordsRequestFilter
from ..models import RecordsRequest

SESSION_KEY = "records_csv_import"


# ---------------------------------------------------------------------------------------------
# Import


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV or Excel .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
        help_text="An Excel workbook (.xlsx: its first visible sheet is read) or a sheet saved as CSV. Up to "
        f"{imports.MAX_IMPORT_BYTES // (1024 * 1024)} MB, "
        f"{imports.MAX_ROWS:,} rows and {imports.MAX_COLUMNS} columns; split a bigger sheet into several files, "
        "each with its header row.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; the import takes up to "
                f"{imports.MAX_IMPORT_BYTES // (1024 * 1024)} MB at a time. Split it into several files, each with its header row."
            )
        try:
            text, self.sheet_name = imports.text_of_upload(upload.read())
            self.sheet = imports.read_sheet(text, upload.name)
        except imports.SheetError as e:
            raise forms.ValidationError(str(e)) from None
        self.text = text
        return upload


class ImportMappingForm(forms.Form):
    """Their column for each of ours (guessed from the headers), and the choices the rows leave open."""

    token = forms.CharField(widget=forms.HiddenInput)
    received_is_sent = forms.BooleanField(
        label="Where the sheet gives no date received, take the date sent",
        required=False,
        help_text="Email and portal requests reach the agency the day they are sent; deadlines start from it.",
    )
    new_agency_jurisdiction = forms.ChoiceField(
        label="Agencies not yet in the directory are", choices=imports.JURISDICTIONS, required=False
    )
    skip_unreadable = forms.BooleanField(
        label="Import the readable rows and leave out the rows listed as unreadable", required=False
    )

    def __init__(self, *args, headers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this sheet —")] + [(str(i), h or f"(column {i + 1})") for i, h in enumerate(headers)]
        for f in imports.FIELDS:
            self.fields[f"map_{f.key}"] = forms.ChoiceField(
                label=f.label, choices=choices, required=f.key in imports.REQUIRED, help_text=f.help
            )
        # Mapping fields first, the options after them.
        order = [f"map_{f.key}" for f in imports.FIELDS] + ["received_is_sent", "new_agency_jurisdiction", "token"]
        self.order_fields(order)

    def mapping(self) -> imports.Mapping:
        return {
            f.key: int(self.cleaned_data[f"map_{f.key}"]) if self.cleaned_data.get(f"map_{f.key}") else None
            for f in imports.FIELDS
        }

    def mapping_fields(self):
        return [self[f"map_{f.key}"] for f in imports.FIELDS]

    def clean(self):
        data = super().clean()
        used: dict[str, str] = {}
        for f in imports.FIELDS:
            column = data.get(f"map_{f.key}")
            if column:
                if column in used:
                    self.add_error(f"map_{f.key}", f"That column is already used for “{used[column]}”.")
                used[column] = f.label
        if not data.get("map_title") and not data.get("map_body"):
            self.add_error("map_title", "Map the title, or the request text to take titles from.")
        return data


def _import_team(request):
    """The team an import goes into: the one the user works in, where they must be an editor."""
    team = current_team(request)
    if team is None:
        raise PermissionDenied("You are not in a team yet. Ask a team admin to add you.")
    if not can_write(request.user, team):
        raise PermissionDenied("Your role in this team is read-only: only editors can import.")
    return team


@login_required
def import_upload(request):
    team = _import_team(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = {
            "team_id": team.pk,
            "filename": form.cleaned_data["file"].name,
            "text": form.text,  # a workbook is stored as the CSV text of its sheet (records/imports/xlsx.py)
            "sheet_name": form.sheet_name,
            "token": secrets.token_urlsafe(12),
        }
        return redirect("import_preview")
    return render(request, "records/import_upload.html", {"form": form, "team": team})


@login_required
def import_preview(request):
    team = _import_team(request)
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("team_id") != team.pk:
        messages.info(request, "Upload a spreadsheet to import first.")
        return redirect("import_upload")
    try:
        sheet = imports.read_sheet(stored["text"], stored["filename"])
    except imports.SheetError as e:  # stored before the reader's limits: refused now as at upload
        del request.session[SESSION_KEY]
        messages.error(request, str(e))
        return redirect("import_upload")
    context = {"sheet": sheet, "team": team, "filename": stored["filename"], "plan": None}
    context["sheet_name"] = stored.get("sheet_name", "")
    if request.method == "POST":
        form = ImportMappingForm(request.POST, headers=sheet.headers)
        if not form.is_valid():
            return render(request, "records/import_preview.html", {**context, "form": form})
        if form.cleaned_data["token"] != stored["token"]:
            messages.error(
                request, "A different file was uploaded since this preview; here is the preview of that one."
            )
            return redirect("import_preview")
        mapping, options = form.mapping(), form.cleaned_data
    else:
        mapping, options = imports.guess_mapping(sheet.headers), {"received_is_sent": True}
        initial = {f"map_{key}": "" if index is None else str(index) for key, index in mapping.items()}
        form = ImportMappingForm(initial={**initial, **options, "token": stored["token"]}, headers=sheet.headers)

    plan = imports.plan_import(
        sheet,
        mapping,
        team=team,
        received_is_sent=options.get("received_is_sent", False),
        new_agency_jurisdiction=options.get("new_agency_jurisdiction", ""),
    )
    if request.POST.get("action") == "import":
        if plan.errors and not options.get("skip_unreadable"):
            messages.error(
                request,
                f"{len(plan.errors)} row(s) cannot be read, so nothing was imported. Fix them in the sheet and "
                "upload it again, or tick the box to import the readable rows only.",
            )
        elif not plan.rows:
            messages.info(request, "Nothing to import: every row is already in the tracker or cannot be read.")
        else:
            result = imports.run_import(plan, team=team, user=request.user)
            del request.session[SESSION_KEY]
            messages.success(request, _import_summary(result))
            return redirect("request_list")
    return render(request, "records/import_preview.html", {**context, "form": form, "plan": plan})


def _import_summary(result: imports.ImportResult) -> str:
    parts = [f"Imported {len(result.created)} request(s)"]
    if result.agencies_created:
        parts.append(
            f"added {len(result.agencies_created)} agenc{'y' if len(result.agencies_created) == 1 else 'ies'} to the directory"
        )
    if result.skipped_duplicates:
        parts.append(f"left out {result.skipped_duplicates} already in the tracker")
    if result.skipped_errors:
        parts.append(f"left out {result.skipped_errors} unreadable row(s)")
    return ", ".join(parts) + "."


# ---------------------------------------------------------------------------------------------
# Export


@login_required
def request_export(request):
    """The request list as CSV, with the list page's filters (the same URL query)."""
    base = exports.export_queryset(RecordsRequest.objects.visible_to(request.user))
    filterset = RecordsRequestFilter(request.GET or None, queryset=base, teams=teams_for(request.user))
    if filterset.is_bound and not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items())
        return HttpResponse(
            f"The filters are not valid: {errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    queryset = filterset.qs if filterset.is_bound else base
    rows = exports.request_export_rows(queryset, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="requests-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


# ---------------------------------------------------------------------------------------------
# Chronology


@login_required
def request_chronology(request, pk):
    records_request = get_request_for_user(request.user, pk)
    chronology = exports.request_chronology(records_request, generated_by=request.user)
    return render(request, "records/chronology.html", {"object": records_request, "chronology": chronology})


@login_required
def request_chronology_csv(request, pk):
    records_request = get_request_for_user(request.user, pk)
    chronology = exports.request_chronology(records_request, generated_by=request.user)
    response = HttpResponse(
        "".join(exports.csv_lines(exports.chronology_rows(chronology))), content_type="text/csv; charset=utf-8"
    )
    name = slugify(records_request.title)[:60] or "request"
    response["Content-Disposition"] = f'attachment; filename="chronology-{records_request.pk}-{name}.csv"'
    return response


# ---------------------------------------------------------------------------------------------
# Audit history


@login_required
def request_history(request, pk):
    records_request = get_request_for_user(request.user, pk)
    history = audit.request_history(records_request)
    return render(request, "records/history.html", {"object": records_request, "history": history})
