from django.urls import path

from shinchoku.plans import (
    consistency_views,
    edit_views,
    link_views,
    outside_views,
    print_views,
    views,
    workbook_views,
    years_views,
)

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("print.css", print_views.print_css, name="print_css"),  # issue 15: running header
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/roadmap/", views.roadmap, name="roadmap"),
    path("plans/<slug:slug>/indicators/", views.indicator_list, name="indicators"),
    path("plans/<slug:slug>/years/", years_views.indicator_years, name="indicator_years"),
    path("plans/<slug:slug>/nodes/<str:key>/", views.node_detail, name="node"),
    path("plans/<slug:slug>/history/", views.plan_history, name="history"),
    path("plans/<slug:slug>/nodes/<str:key>/history/", views.node_history, name="node_history"),
    path("plans/<slug:slug>/workbook/", workbook_views.plan_workbook, name="plan_workbook"),
    path(
        "plans/<slug:slug>/links/<slug:from_slug>/",
        link_views.link_decision,
        name="link_decision",
    ),
    # Plans around a plan: consistency with a related plan's goals, SDGs per goal.
    path("plans/<slug:slug>/matrix/", consistency_views.matrix_index, name="matrix_index"),
    path("plans/<slug:slug>/matrix/<slug:other>/", consistency_views.matrix, name="matrix"),
    path(
        "plans/<slug:slug>/matrix/<slug:other>/xlsx/",
        consistency_views.matrix_xlsx,
        name="matrix_xlsx",
    ),
    path("plans/<slug:slug>/sdgs/", consistency_views.sdg_table, name="sdgs"),
    path("plans/<slug:slug>/sdgs/xlsx/", consistency_views.sdg_xlsx, name="sdgs_xlsx"),
    # Plans of other bodies registered by the organization (管理者 registers, edits, deletes).
    path("outside-plans/", outside_views.outside_list, name="outside_list"),
    path("outside-plans/new/", outside_views.outside_create, name="outside_new"),
    path("outside-plans/<slug:slug>/edit/", outside_views.outside_edit, name="outside_edit"),
    path("outside-plans/<slug:slug>/delete/", outside_views.outside_delete, name="outside_delete"),
    # Excel in: the template, upload, preview, confirm (管理者 only).
    path("workbook/", workbook_views.workbook_home, name="workbook"),
    path("workbook/template/", workbook_views.workbook_template, name="workbook_template"),
    path("workbook/upload/", workbook_views.workbook_upload, name="workbook_upload"),
    path("workbook/upload/<str:token>/", workbook_views.workbook_confirm, name="workbook_confirm"),
    # The editor (管理者 only).
    path("new-plan/", edit_views.plan_create, name="create"),
    path("plans/<slug:slug>/edit/", edit_views.plan_editor, name="edit"),
    path("plans/<slug:slug>/edit/settings/", edit_views.plan_settings, name="edit_plan"),
    path("plans/<slug:slug>/edit/nodes/new/", edit_views.node_create, name="add_node"),
    path("plans/<slug:slug>/edit/nodes/<str:key>/", edit_views.node_editor, name="edit_node"),
    path(
        "plans/<slug:slug>/edit/nodes/<str:key>/form/",
        edit_views.node_form,
        name="edit_node_form",
    ),
    path("plans/<slug:slug>/edit/nodes/<str:key>/move/", edit_views.node_move, name="move_node"),
    path(
        "plans/<slug:slug>/edit/nodes/<str:key>/delete/",
        edit_views.node_delete,
        name="delete_node",
    ),
    path(
        "plans/<slug:slug>/edit/<str:kind_name>/new/",
        edit_views.object_create,
        name="add_object",
    ),
    path(
        "plans/<slug:slug>/edit/<str:kind_name>/<int:pk>/",
        edit_views.object_form,
        name="edit_object",
    ),
    path(
        "plans/<slug:slug>/edit/<str:kind_name>/<int:pk>/move/",
        edit_views.object_move,
        name="move_object",
    ),
    path(
        "plans/<slug:slug>/edit/<str:kind_name>/<int:pk>/delete/",
        edit_views.object_delete,
        name="delete_object",
    ),
    path(
        "plans/<slug:slug>/edit/contents/<int:pk>/schedule/<int:fy>/",
        edit_views.schedule_cell,
        name="schedule_cell",
    ),
    path(
        "plans/<slug:slug>/edit/indicators/<int:pk>/targets/<int:fy>/",
        edit_views.target_cell,
        name="target_cell",
    ),
]
