from __future__ import annotations

from django.contrib import admin

from wangge.reports.models import Report, ReportSchedule


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ("node", "node_name", "kind", "period_start", "format", "state", "created_at")
    list_filter = ("kind", "format", "state")
    search_fields = ("node", "node_name")
    readonly_fields = ("file", "size", "error", "requested_by", "schedule", "started_at")


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin[ReportSchedule]):
    list_display = ("node", "node_name", "kind", "formats", "is_active", "last_run_period")
    list_filter = ("kind", "is_active")
    search_fields = ("node", "node_name")
