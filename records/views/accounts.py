"""The signed-in user's own account: API token, password change (two-factor lives in two_factor.py)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from rest_framework.authtoken.models import Token


@never_cache  # the answer to "issue" carries the whole token
@login_required
def api_token(request):
    """See whether you have a token (its date and last four characters), revoke it, or issue a new one.

    The whole token is shown once, in the answer to "issue"; it is never shown again.
    """
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            if action == "issue":
                new_key = Token.objects.create(user=request.user).key
        if action != "issue":
            messages.success(request, "Your API token is revoked; scripts using it are refused from now on.")
            return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "records/api_token.html", {"token": token, "new_key": new_key})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "records/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response
