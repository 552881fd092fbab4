"""Sign-in throttling (django-axes): the lockout answer, the client address, the token endpoint.

The login form and POST /api/token/ both authenticate through Django's `authenticate`, which
django-axes watches; after settings.AXES_FAILURE_LIMIT failures for one username from one address,
that pair is refused for the cool-off, even with the right password.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.shortcuts import render
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from .api.schema import DETAIL, TrackerAutoSchema


def lockout_message() -> str:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return f"Too many failed sign-ins for this account from your address; try again in {minutes} minutes."


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind our TLS proxy (BEHIND_TLS_PROXY=1), the address the proxy appended last."""
    meta = getattr(request, "META", {})
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR")


class TokenSchema(TrackerAutoSchema):
    """The token endpoint can also answer 429 (locked out): say so in the OpenAPI schema."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        responses["429"] = {
            "description": "Too many failed sign-ins for this username from this address: wait, then retry.",
            "content": {"application/json": {"schema": DETAIL}},
        }
        return responses


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Exchange a username and password for your API token (or the one you already have).

    After repeated failed attempts for one username from one address, that pair is refused for a
    while (429), even with the right password; the sign-in form shares the count.
    """

    schema = TokenSchema()

    def post(self, request, *args, **kwargs):
        credentials = {"username": str(request.data.get("username", ""))}
        if AxesProxyHandler.is_locked(request._request, credentials):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return super().post(request, *args, **kwargs)


obtain_auth_token = ThrottledObtainAuthToken.as_view()
