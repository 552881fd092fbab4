from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from ..signin import obtain_auth_token
from . import views

router = DefaultRouter()
router.register("requests", views.RecordsRequestViewSet, basename="api-request")
router.register("events", views.EventViewSet, basename="api-event")
router.register("communications", views.CommunicationViewSet, basename="api-communication")
router.register("documents", views.DocumentViewSet, basename="api-document")
router.register("agencies", views.AgencyViewSet, basename="api-agency")
router.register("statutes", views.StatuteViewSet, basename="api-statute")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="api-search"),
    path("token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    re_path(r"^.*$", views.NotFoundView.as_view()),  # last: any other /api/ path is a JSON 404
]
