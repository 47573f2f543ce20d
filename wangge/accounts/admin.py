from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from wangge.accounts.models import ApiToken, Assignment, Department, Role, User


class AssignmentInline(admin.TabularInline[Assignment, User]):
    model = Assignment
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "display_name"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("wangge", {"fields": ("display_name",)}))
    inlines = [AssignmentInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["slug", "name", "scope"]
    filter_horizontal = ["permissions"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["code", "name", "district"]
    list_filter = ["district"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "expires_at", "last_used_at"]
