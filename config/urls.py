from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from records.views import two_factor

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/backup-codes/", two_factor.backup_codes, name="two_factor_backup_codes"),
    path("accounts/two-factor/off/", two_factor.disable, name="two_factor_disable"),
    path("api/", include("records.api.urls")),
    path("", include("records.urls")),
]
