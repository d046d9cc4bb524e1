from django.urls import path

from shinchoku.rounds import (
    confirm_views,
    final_views,
    final_xlsx_views,
    lastyear_views,
    progress_views,
    settings_views,
    sheet_views,
    sheet_xlsx_views,
    views,
)

app_name = "rounds"
R = "plans/<slug:slug>/rounds/<int:fy>/"
S = R + "sheets/<int:dept>/"
F = "plans/<slug:slug>/final/"
FS = F + "sheets/<int:dept>/"
urlpatterns = [
    # Rounds: list and open (管理者), the board of every department's status.
    path("plans/<slug:slug>/rounds/", views.round_list, name="list"),
    path(
        "plans/<slug:slug>/rounds/settings/",
        settings_views.progress_settings,
        name="settings",
    ),
    path(R, views.board, name="board"),
    path(R + "close/", views.close, name="close"),
    path(R + "reopen/", views.reopen, name="reopen"),
    path(R + "publish/", views.publish, name="publish"),
    # A confirmation page before close / reopen / publish / unpublish (GET; it posts to the step).
    path(R + "confirm/<str:action>/", confirm_views.confirm, name="confirm"),
    path(R + "remind/", views.remind, name="remind"),
    # A department's sheet in the browser.
    path(S, sheet_views.sheet_page, name="sheet"),
    path(S + "submit/", sheet_views.submit, name="submit"),
    path(S + "return/", sheet_views.return_sheet, name="return"),
    path(S + "approve/", sheet_views.approve, name="approve"),
    path(S + "copy-last-year/", lastyear_views.copy_last_year, name="copy_last_year"),
    # The same sheet in Excel.
    path(S + "xlsx/", sheet_xlsx_views.sheet_download, name="sheet_xlsx"),
    path(S + "upload/", sheet_xlsx_views.sheet_upload, name="sheet_upload"),
    # Progress: a FY overview with bands per goal, an indicator over the years, the dashboard.
    path("plans/<slug:slug>/progress/", progress_views.overview_latest, name="overview_latest"),
    path("plans/<slug:slug>/progress/<int:fy>/", progress_views.overview, name="overview"),
    path(
        "plans/<slug:slug>/indicators/<str:key>/",
        progress_views.indicator_page,
        name="indicator",
    ),
    path("dashboard/", progress_views.dashboard, name="dashboard"),
    # The final evaluation (最終評価): open, board, the departments' sheets, review, Excel.
    path(F + "open/", final_views.final_open, name="final_open"),
    path(F, final_views.final_board, name="final_board"),
    path(F + "close/", final_views.final_close, name="final_close"),
    path(F + "reopen/", final_views.final_reopen, name="final_reopen"),
    path(F + "confirm/<str:action>/", confirm_views.final_confirm, name="final_confirm"),
    path(FS, final_views.final_sheet, name="final_sheet"),
    path(FS + "submit/", final_views.final_submit, name="final_submit"),
    path(FS + "return/", final_views.final_return, name="final_return"),
    path(FS + "approve/", final_views.final_approve, name="final_approve"),
    path(FS + "xlsx/", final_xlsx_views.final_sheet_download, name="final_sheet_xlsx"),
    path(FS + "upload/", final_xlsx_views.final_sheet_upload, name="final_sheet_upload"),
]
