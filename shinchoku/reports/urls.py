from django.urls import path

from shinchoku.reports import final, views

app_name = "reports"
R = "plans/<slug:slug>/report/<int:fy>/"
urlpatterns = [
    path("plans/<slug:slug>/report/", views.report_index, name="index"),
    path(R, views.committee, name="committee"),
    path(R + "xlsx/", views.xlsx, name="xlsx"),
    path(R + "pdf/", views.pdf_start, name="pdf"),
    path(R + "pdf/<str:token>/", views.pdf_job, name="pdf_job"),
    path(R + "pdf/<str:token>/file/", views.pdf_file, name="pdf_file"),
    # The final evaluation (最終評価) report.
    path("plans/<slug:slug>/report/final/", final.final, name="final"),
    path("plans/<slug:slug>/report/final/xlsx/", final.final_xlsx, name="final_xlsx"),
    path("plans/<slug:slug>/report/final/pdf/", final.final_pdf, name="final_pdf"),
    path(
        "plans/<slug:slug>/report/final/pdf/<str:token>/", final.final_pdf_job, name="final_pdf_job"
    ),
    path(
        "plans/<slug:slug>/report/final/pdf/<str:token>/file/",
        final.final_pdf_file,
        name="final_pdf_file",
    ),
]
