"""Letter templates (list, editor with preview) and a request's letters (preview, PDF, log as sent)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import READ_ONLY, can_write, current_team, get_request_for_user
from ..letters import KINDS, PLACEHOLDERS, LetterError, generate_letter, render_letter, render_template
from ..letters.defaults import default_text
from ..letters.forms import LetterChoiceForm, LetterheadForm, LetterSendForm, LetterTemplateForm
from ..letters.pdf import letter_pdf
from ..letters.render import find_template, requester_name
from ..models import LetterKind, LetterTemplate, RecordsRequest, Statute

RECENT_HISTORY = 10


def _team_or_none_page(request):
    team = current_team(request)
    if team is None:
        raise Http404("You are not in a team yet.")
    return team


@login_required
def template_list(request):
    team = current_team(request)
    if team is None:
        return render(request, "records/no_team.html")
    return render(request, "records/letters/template_list.html", _list_context(request, team))


def _list_context(request, team, letterhead=None):
    templates = LetterTemplate.objects.filter(team=team).select_related("statute", "updated_by")
    defaults = LetterTemplate.objects.filter(team__isnull=True).select_related("statute")
    rows = [
        (kind, [t for t in templates if t.kind == kind], [t for t in defaults if t.kind == kind]) for kind in LetterKind
    ]
    return {"team": team, "rows": rows, "can_write": can_write(request.user, team),
            "letterhead": letterhead or LetterheadForm(instance=team)}  # fmt: skip


@login_required
@require_POST
def letterhead_edit(request):
    """The team's letterhead, printed at the top of its PDF letters."""
    team = _team_or_none_page(request)
    if not can_write(request.user, team):
        raise PermissionDenied(READ_ONLY)
    form = LetterheadForm(request.POST, instance=team)
    if not form.is_valid():
        return render(request, "records/letters/template_list.html", _list_context(request, team, form), status=400)
    team.save(update_fields=["letterhead_address", "letterhead_contact"])
    messages.success(request, "Letterhead saved.")
    return redirect("letter_templates")


@login_required
def template_new(request):
    team = _team_or_none_page(request)
    if not can_write(request.user, team):
        raise PermissionDenied(READ_ONLY)
    initial = {}
    source = request.GET.get("from")
    if source:
        original = get_object_or_404(LetterTemplate.objects.readable_by(request.user), pk=_int_or_404(source))
        initial = {"kind": original.kind, "statute": original.statute_id, "subject": original.subject,
                   "body": original.body}  # fmt: skip
    elif request.GET.get("kind") in KINDS:
        statute_id = request.GET.get("statute", "")
        statute = Statute.objects.filter(pk=statute_id).first() if statute_id.isdigit() else None
        subject, body = default_text(request.GET["kind"], statute.code if statute else None)
        initial = {"kind": request.GET["kind"], "statute": statute, "subject": subject, "body": body}
    form = LetterTemplateForm(request.POST or None, initial=initial, team=team)
    return _editor(request, form, team, template=None)


@login_required
def template_edit(request, pk):
    template = get_object_or_404(LetterTemplate.objects.readable_by(request.user).select_related("statute"), pk=pk)
    team = template.team or _team_or_none_page(request)
    editable = template.team_id is not None and can_write(request.user, template.team)
    if request.method == "POST" and not editable:
        raise PermissionDenied(READ_ONLY if template.team_id else "A shipped template cannot be edited: customize it.")
    form = LetterTemplateForm(request.POST or None, instance=template, team=team)
    return _editor(request, form, team, template=template, editable=editable)


def _editor(request, form, team, *, template, editable=True):
    preview = preview_error = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") != "preview":
            saved = form.save(commit=False)
            saved.team, saved.updated_by = team, request.user
            saved.save()
            messages.success(request, "Template saved.")
            return redirect("letter_template_edit", saved.pk)
        preview, preview_error = _preview(request, form, team)
    elif request.method == "GET" and request.GET.get("preview_request"):
        form = LetterTemplateForm(
            initial={**form.initial, "preview_request": request.GET["preview_request"]}, instance=template, team=team
        )
        preview, preview_error = _preview_instance(request, template, team, request.GET["preview_request"])
    context = {
        "form": form, "template": template, "team": team, "editable": editable, "preview": preview,
        "preview_error": preview_error, "placeholders": PLACEHOLDERS.items(),
        "can_customize": can_write(request.user, team),
        "history": template.history.select_related("history_user")[:RECENT_HISTORY] if template else [],
    }  # fmt: skip
    # A live preview (htmx) shows the errors in the preview; htmx does not swap in a 400.
    status = 400 if request.method == "POST" and form.errors and not request.headers.get("HX-Request") else 200
    return render(request, "records/letters/template_form.html", context, status=status)


def _preview(request, form, team):
    chosen = form.cleaned_data.get("preview_request")
    if chosen is None:
        return None, "Choose a request to preview the letter with."
    unsaved = LetterTemplate(kind=form.cleaned_data["kind"], subject=form.cleaned_data["subject"],
                             body=form.cleaned_data["body"])  # fmt: skip
    return _try_render(unsaved, chosen, request.user)


def _preview_instance(request, template, team, request_pk):
    if template is None or not str(request_pk).isdigit():
        return None, None
    chosen = get_object_or_404(RecordsRequest.objects.visible_to(request.user).for_team(team), pk=request_pk)
    return _try_render(template, chosen, request.user)


def _try_render(template, records_request, user):
    try:
        return render_template(template, records_request, requester_name=requester_name(user)), None
    except LetterError as error:
        return None, str(error)


def _int_or_404(value):
    if not str(value).isdigit():
        raise Http404("No such template.")
    return int(value)


def _kind_or_404(kind):
    if kind not in KINDS:
        raise Http404("No such kind of letter.")
    return kind


@login_required
def request_letters(request, pk):
    records_request = get_request_for_user(request.user, pk)
    choice = LetterChoiceForm(request.GET or {"kind": LetterKind.INITIAL})
    kind = choice.cleaned_data["kind"] if choice.is_valid() else LetterKind.INITIAL
    return _letters_page(request, records_request, kind)


def _letters_page(request, records_request, kind, *, send_form=None, status=200):
    writable = can_write(request.user, records_request.team)
    rendered = error = None
    try:
        rendered = render_letter(records_request, kind, requester_name=requester_name(request.user))
    except LetterError as exc:
        error = str(exc)
    if writable and send_form is None:
        send_form = LetterSendForm(initial={"kind": kind, "date": timezone.localdate()})
    template = find_template(records_request.team, records_request.statute, kind)
    context = {
        "object": records_request, "kind": kind, "kind_label": LetterKind(kind).label,
        "choice": LetterChoiceForm(initial={"kind": kind}), "rendered": rendered, "error": error,
        "send_form": send_form if writable else None, "template": template, "can_write": writable,
        "unknown_values": [PLACEHOLDERS[name].lower() for name in rendered.unknown_values] if rendered else [],
    }  # fmt: skip
    return render(request, "records/letters/request_letters.html", context, status=status)


@login_required
def request_letter_pdf(request, pk, kind):
    records_request = get_request_for_user(request.user, pk)
    _kind_or_404(kind)
    try:
        rendered = render_letter(records_request, kind, requester_name=requester_name(request.user))
    except LetterError:
        return _letters_page(request, records_request, kind, status=400)
    response = HttpResponse(letter_pdf(rendered, records_request.team), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{records_request.pk}-{kind}.pdf"'
    return response


@login_required
@require_POST
def request_letter_send(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    form = LetterSendForm(request.POST)
    if not form.is_valid():
        kind = request.POST.get("kind") if request.POST.get("kind") in KINDS else LetterKind.INITIAL
        return _letters_page(request, records_request, kind, send_form=form, status=400)
    kind = form.cleaned_data["kind"]
    try:
        generate_letter(records_request, kind, user=request.user, when=form.cleaned_data["date"],
                        channel=form.cleaned_data["channel"])  # fmt: skip
    except LetterError:
        return _letters_page(request, records_request, kind, send_form=form, status=400)
    messages.success(request, f"{LetterKind(kind).label} logged as sent.")
    return redirect(records_request)
