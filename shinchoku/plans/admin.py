from django.contrib import admin

from shinchoku.plans.models import Plan, SdgGoal


@admin.register(SdgGoal)
class SdgGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "first_fy", "last_fy"]
    list_filter = ["kind", "organization"]
    search_fields = ["title", "slug"]
