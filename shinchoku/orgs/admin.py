from django.contrib import admin

from shinchoku.orgs.models import Department, Organization


class DepartmentInline(admin.TabularInline):
    model = Department
    fk_name = "organization"
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "prefecture", "slug"]
    list_filter = ["kind", "prefecture"]
    inlines = [DepartmentInline]
