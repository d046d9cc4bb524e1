"""URLs of the evaluation sheet and its stages (evaluation_views)."""

from django.urls import path

from shinchoku.businesses import evaluation_views

sheet_patterns = [
    path(
        "businesses/<slug:org>/evaluations/<int:fy>/<int:pk>/",
        evaluation_views.evaluation_sheet,
        name="evaluation_sheet",
    ),
    path(
        "businesses/<slug:org>/evaluations/<int:fy>/<int:pk>/<str:stage>/",
        evaluation_views.evaluation_stage,
        name="evaluation_stage",
    ),
    path(
        "businesses/<slug:org>/evaluations/<int:fy>/<int:pk>/<str:stage>/return/",
        evaluation_views.evaluation_return,
        name="evaluation_return",
    ),
]
