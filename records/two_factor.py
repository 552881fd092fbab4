"""TOTP two-factor sign-in (django-otp), and the one place that enforces it.

A user with a confirmed authenticator is asked for a code after their password, before any page.
A team can require two-factor (Team.require_two_factor, set by a team admin): its members without
an authenticator are sent to enrolment before any page, so before any of that team's data.
API tokens are a separate way in (a script has no second factor) and keep working; a token is
issued only from a page that itself sits behind this check.
"""

from __future__ import annotations

import secrets
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership

BACKUP_CODE_COUNT = 10


def two_factor_state(user) -> tuple[bool, bool]:
    """(has a confirmed authenticator, is in a team that requires one), in one query."""
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(Membership.objects.filter(user=OuterRef("pk"), team__require_two_factor=True)),
        )
        .values_list("has_device", "required")
        .first()
    )
    return row or (False, False)


def pending_device(user) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed until the user types a code from it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code: no image files, nothing fetched."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def confirm_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the enrolment with a code from the app. Returns fresh backup codes, or None if the code
    is wrong. Any older authenticator and backup codes of the user are replaced."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_backup_codes(device.user)


def new_backup_codes(user) -> list[str]:
    """Single-use recovery codes, shown once (stored as django-otp static tokens)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: sends a signed-in user to the code page or to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.check(request)
        return response or self.get_response(request)

    def check(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified() or self.exempt(request.path):
            return None
        has_device, required = two_factor_state(user)
        if has_device:
            target, sentence = "two_factor_verify", "Enter the code from your authenticator app."
        elif required:
            target = "two_factor_setup"
            sentence = "Your team requires two-factor sign-in: set up an authenticator app first."
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": sentence}, status=403)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def exempt(path: str) -> bool:
        from django.conf import settings

        open_paths = {reverse(name) for name in ("login", "logout", "two_factor_verify", "two_factor_setup")}
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
