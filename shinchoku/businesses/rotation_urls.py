"""URLs of the rotation and the evaluation rounds (rotation_views, round_views)."""

from django.urls import path

from shinchoku.businesses import rotation_views, round_views

round_patterns = [
    path("businesses/<slug:org>/rotation/", rotation_views.rotation_page, name="rotation"),
    path(
        "businesses/<slug:org>/rotation/propose/",
        rotation_views.rotation_propose,
        name="rotation_propose",
    ),
    path(
        "businesses/<slug:org>/rotation/<int:first_fy>/",
        rotation_views.rotation_cycle,
        name="rotation_cycle",
    ),
    path(
        "businesses/<slug:org>/rotation/<int:first_fy>/move/",
        rotation_views.rotation_move,
        name="rotation_move",
    ),
    path("businesses/<slug:org>/evaluations/", round_views.round_list, name="round_list"),
    path("businesses/<slug:org>/evaluations/start/", round_views.round_start, name="round_start"),
    path("businesses/<slug:org>/evaluations/<int:fy>/", round_views.round_page, name="round"),
    path(
        "businesses/<slug:org>/evaluations/<int:fy>/close/",
        round_views.round_close,
        name="round_close",
    ),
]
