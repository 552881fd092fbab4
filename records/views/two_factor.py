"""Two-factor pages: enrol an authenticator app, enter a code at sign-in, turn it off."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from .. import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True})
    )


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    allowed = target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if allowed else default


@never_cache
@login_required
def verify(request):
    """The second step of sign-in: a code from the app, or one of the backup codes."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", "That code is not right (or was already used). Try the current one from your app.")
    return render(request, "records/two_factor_verify.html", {"form": form, "next": _next(request, "")})


@never_cache
@login_required
def setup(request):
    user = request.user
    has_device, required = two_factor.two_factor_state(user)
    if has_device:
        if not user.is_verified():
            return redirect("two_factor_verify")
        return render(request, "records/two_factor_status.html", {"required": required})
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(
                request, "records/two_factor_codes.html", {"codes": codes, "continue_url": resolve_url(_next(request))}
            )
        form.add_error("code", "That code does not match. Check the app shows this account and try the current code.")
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_of(device),
        "required": required,
        "next": _next(request, ""),
    }
    return render(request, "records/two_factor_setup.html", context)


@login_required
@require_POST
def backup_codes(request):
    codes = two_factor.new_backup_codes(request.user)
    return render(
        request, "records/two_factor_codes.html", {"codes": codes, "continue_url": resolve_url("two_factor_setup")}
    )


@login_required
@require_POST
def disable(request):
    two_factor.remove_devices(request.user)
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("two_factor_setup")
