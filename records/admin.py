from django.contrib import admin

from . import timeline, timeline_writes
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


class TimelineWriteAdmin(admin.ModelAdmin):
    """Saves and deletes go through records.timeline_writes, so status and due dates are recomputed
    here too, "delete selected" included."""

    def save_model(self, request, obj, form, change):
        self.write(obj, user=request.user)

    def delete_model(self, request, obj):
        self.delete(obj.__class__.objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request, queryset):
        self.delete(queryset, user=request.user)


@admin.register(RecordsRequest)
class RecordsRequestAdmin(TimelineWriteAdmin):
    list_display = ["title", "team", "agency", "statute", "status", "due_date", "sent_date"]
    list_filter = ["team", "status", "statute"]
    search_fields = ["title", "reference", "tracking_numbers__number"]
    readonly_fields = ["status", "due_date"]
    inlines = [TrackingNumberInline, EventInline]
    write = staticmethod(timeline_writes.save_request)
    delete = staticmethod(timeline_writes.delete_requests)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Event:
            return super().save_formset(request, form, formset, change)
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            timeline_writes.delete_event(event, user=request.user)
        for event in events:
            timeline_writes.save_event(event, user=request.user)
        formset.save_m2m()


@admin.register(Event)
class EventAdmin(TimelineWriteAdmin):
    list_display = ["date", "kind", "outcome", "request"]
    list_filter = ["kind"]
    write = staticmethod(timeline_writes.save_event)
    delete = staticmethod(timeline_writes.delete_events)


@admin.register(Communication)
class CommunicationAdmin(TimelineWriteAdmin):
    list_display = ["date", "direction", "channel", "subject", "request"]
    list_filter = ["direction", "channel"]
    search_fields = ["subject", "body"]
    write = staticmethod(timeline_writes.save_communication)
    delete = staticmethod(timeline_writes.delete_communications)


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
