from django.contrib import admin

from . import timeline
from .models import (
    Agency,
    ClosureDay,
    Communication,
    Document,
    Event,
    Membership,
    Page,
    RecordsRequest,
    Statute,
    StoredFile,
    Tag,
    Team,
    TrackingNumber,
)  # fmt: skip


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "reminder_days"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["team", "role"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "level", "state", "default_statute"]
    list_filter = ["level", "state"]
    search_fields = ["name", "abbreviation"]


@admin.register(Statute)
class StatuteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "response_days", "response_unit", "calendar"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A change in the law is an edit here: every open request under it is re-derived.
        for records_request in RecordsRequest.objects.open().filter(statute=obj):
            timeline.recompute(records_request)


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "calendar", "agency"]
    list_filter = ["calendar"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timeline.recompute_open_requests(calendar=obj.calendar or None, agency_id=obj.agency_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        timeline.recompute_open_requests(calendar=obj.calendar or None, agency_id=obj.agency_id)


class TrackingNumberInline(admin.TabularInline):
    model = TrackingNumber
    extra = 0


class EventInline(admin.TabularInline):
    model = Event
    extra = 0


@admin.register(RecordsRequest)
class RecordsRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "agency", "statute", "status", "due_date", "sent_date"]
    list_filter = ["team", "status", "statute"]
    search_fields = ["title", "reference", "tracking_numbers__number"]
    readonly_fields = ["status", "due_date"]
    inlines = [TrackingNumberInline, EventInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Status and due date are derived from the events, in the admin too.
        timeline.recompute(form.instance)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "outcome", "request"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timeline.recompute(obj.request)

    def delete_model(self, request, obj):
        records_request = obj.request
        super().delete_model(request, obj)
        timeline.recompute(records_request)


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    list_display = ["date", "direction", "channel", "subject", "request"]
    list_filter = ["direction", "channel"]
    search_fields = ["subject", "body"]


admin.site.register(Tag)
admin.site.register(TrackingNumber)
admin.site.register(StoredFile)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "request", "state", "page_count", "uploaded_at"]
    list_filter = ["state"]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "ocr"]
    raw_id_fields = ["document"]
