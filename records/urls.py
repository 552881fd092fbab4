from django.urls import path

from .views import agencies, closures, dashboard, documents, requests, review, search, teams
from .views import data as data_views  # issue 7: data in and out

urlpatterns = [
    path("", dashboard.dashboard, name="home"),
    path("deadlines/calculator/", dashboard.calculator, name="calculator"),
    path("feeds/", dashboard.feed_settings, name="feed_settings"),
    path("feeds/new/", dashboard.feed_token_new, name="feed_token_new"),
    path("feeds/<str:token>.ics", dashboard.feed, name="feed"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/events/", requests.event_add, name="event_add"),
    path("requests/<int:pk>/communications/", requests.communication_add, name="communication_add"),
    path("events/<int:pk>/edit/", requests.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", requests.event_delete, name="event_delete"),
    path("communications/<int:pk>/", requests.communication_detail, name="communication_detail"),
    path("requests/<int:pk>/files/", documents.upload, name="document_upload"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/progress/", documents.document_progress, name="document_progress"),
    path("documents/<int:pk>/password/", documents.document_password, name="document_password"),
    path("documents/<int:pk>/retry/", documents.document_retry, name="document_retry"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("search/", search.search, name="search"),
    path("agencies/", agencies.agency_list, name="agency_list"),
    path("agencies/new/", agencies.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", agencies.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", agencies.agency_edit, name="agency_edit"),
    path("closures/", closures.closure_list, name="closure_list"),
    path("closures/<int:pk>/delete/", closures.closure_delete, name="closure_delete"),
    path("team/", teams.team_page, name="team"),
    path("team/switch/", teams.team_switch, name="team_switch"),
    path("team/members/<int:pk>/remove/", teams.member_remove, name="member_remove"),
    # --- Data in and out (issue 7): spreadsheet import, CSV export, chronology, audit history ---
    path("requests/import/", data_views.import_upload, name="import_upload"),
    path("requests/import/preview/", data_views.import_preview, name="import_preview"),
    path("requests/export.csv", data_views.request_export, name="request_export"),
    path("requests/<int:pk>/chronology/", data_views.request_chronology, name="request_chronology"),
    path("requests/<int:pk>/chronology.csv", data_views.request_chronology_csv, name="request_chronology_csv"),
    path("requests/<int:pk>/history/", data_views.request_history, name="request_history"),
    path("requests/<int:pk>/vaughn/", review.vaughn_index, name="vaughn_index"),  # issue 14
    path("requests/<int:pk>/vaughn.csv", review.vaughn_csv, name="vaughn_csv"),
]
